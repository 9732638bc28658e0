-- Compose policy compliance: every finding per service with when it was first seen and when
-- it was resolved; excepted findings (an inline ignore or a policy exception with a reason)
-- are kept apart from open ones. One row per lint pass for status.

CREATE TABLE IF NOT EXISTS policy_findings (
  id TEXT PRIMARY KEY,
  -- rule, service, file, aspect, message and occurrence: stable across line moves
  fingerprint TEXT NOT NULL,
  rule TEXT NOT NULL,
  -- the compose service ('' for findings about a file)
  service TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
  state TEXT NOT NULL CHECK (state IN ('open', 'excepted', 'resolved')),
  message TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  -- why it is excepted
  reason TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  resolved_at TEXT
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS policy_findings_live ON policy_findings (fingerprint) WHERE state != 'resolved';
CREATE INDEX IF NOT EXISTS policy_findings_by_service ON policy_findings (service, state);

CREATE TABLE IF NOT EXISTS policy_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  files INTEGER NOT NULL,
  services INTEGER NOT NULL,
  opened INTEGER NOT NULL,
  resolved INTEGER NOT NULL,
  -- files that could not be read or parsed, as JSON [{file, message}]
  problems TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(problems))
) STRICT;
