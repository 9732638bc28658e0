-- The spine: tables every capability writes to. Timestamps are TEXT, UTC ISO-8601 with ms.

CREATE TABLE IF NOT EXISTS environments (
  id TEXT PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('production', 'staging', 'development')),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS services (
  id TEXT PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('native', 'compose', 'external')),
  critical INTEGER NOT NULL CHECK (critical IN (0, 1)),
  description TEXT,
  state TEXT NOT NULL DEFAULT 'planned',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  removed_at TEXT
) STRICT;

-- Append-only and hash-chained: hash = sha256(canonical JSON of the row incl. prev_hash).
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  id TEXT UNIQUE NOT NULL,
  ts TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL CHECK (json_valid(details)),
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS audit_log_ts ON audit_log (ts);

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Only the SHA-256 of a token is stored. A name is unique among active tokens, so a
-- revoked token's name can be reused when rotating.
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  token_hash TEXT UNIQUE NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE TABLE IF NOT EXISTS job_runs (
  id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'catch_up', 'api', 'startup')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  outcome TEXT CHECK (outcome IS NULL OR outcome IN ('ok', 'failed', 'aborted')),
  error TEXT,
  pid INTEGER,
  CHECK ((ended_at IS NULL) = (outcome IS NULL))
) STRICT;

CREATE INDEX IF NOT EXISTS job_runs_job_started ON job_runs (job, started_at);

-- Runs still open: what abortStale() and running() look for, without scanning history.
CREATE INDEX IF NOT EXISTS job_runs_open ON job_runs (started_at) WHERE ended_at IS NULL;
