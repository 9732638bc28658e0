-- Backups: one run per execution of a backup job, one archive per run per target, and the
-- recovery points that drills prove.

CREATE TABLE IF NOT EXISTS backup_runs (
  id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  trigger TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'completed', 'degraded', 'failed', 'aborted')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  pid INTEGER,
  bytes INTEGER,
  files INTEGER,
  archive_bytes INTEGER,
  -- Per target: {"local": {"outcome": "completed", ...}, "usb": {"outcome": "skipped", "reason": ...}}
  targets TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(targets)),
  warnings TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings)),
  error TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS backup_runs_job ON backup_runs (job, started_at);

CREATE TABLE IF NOT EXISTS backup_archives (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES backup_runs (id),
  job TEXT NOT NULL,
  target TEXT NOT NULL,
  file_name TEXT NOT NULL,
  location TEXT,
  state TEXT NOT NULL CHECK (state IN ('scheduled', 'in_progress', 'completed', 'validated', 'expired', 'failed')),
  created_at TEXT NOT NULL,
  completed_at TEXT,
  size INTEGER,
  sha256 TEXT,
  plain_bytes INTEGER,
  files INTEGER,
  last_verified_at TEXT,
  last_verify TEXT,
  last_drilled_at TEXT,
  expired_at TEXT,
  error TEXT,
  UNIQUE (target, file_name)
) STRICT;

CREATE INDEX IF NOT EXISTS backup_archives_job ON backup_archives (job, target, created_at);
CREATE INDEX IF NOT EXISTS backup_archives_run ON backup_archives (run_id);

CREATE TABLE IF NOT EXISTS recovery_points (
  id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  archive_id TEXT REFERENCES backup_archives (id),
  target TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('passed', 'failed')),
  rto_ms INTEGER,
  rto_limit_ms INTEGER,
  checks TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(checks)),
  error TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS recovery_points_job ON recovery_points (job, started_at);
