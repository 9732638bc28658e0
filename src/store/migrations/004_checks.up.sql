-- Health checks: one row per configured check with its current state and the streak counters
-- the thresholds need (so a restart carries on mid-streak), and every state change with its
-- reason. Latency samples go to the metrics store (steward_check_latency_seconds), so raw
-- successes are never stored row by row.

CREATE TABLE IF NOT EXISTS checks (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  service TEXT,
  state TEXT NOT NULL DEFAULT 'unknown' CHECK (state IN ('up', 'down', 'degraded', 'unknown')),
  state_since TEXT NOT NULL,
  up_streak INTEGER NOT NULL DEFAULT 0,
  down_streak INTEGER NOT NULL DEFAULT 0,
  bad_streak INTEGER NOT NULL DEFAULT 0,
  not_down_streak INTEGER NOT NULL DEFAULT 0,
  last_status TEXT CHECK (last_status IN ('up', 'down', 'degraded')),
  last_message TEXT,
  last_latency_ms REAL,
  last_checked_at TEXT,
  -- Heartbeat checks: the secret in the ping URL, and what the pings said.
  heartbeat_token TEXT UNIQUE,
  last_ping_at TEXT,
  last_ping_kind TEXT CHECK (last_ping_kind IN ('success', 'start', 'fail')),
  last_start_at TEXT,
  created_at TEXT NOT NULL,
  removed_at TEXT
) STRICT;

CREATE TABLE IF NOT EXISTS check_state_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  check_name TEXT NOT NULL,
  at TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS check_state_changes_by_check ON check_state_changes (check_name, id);
