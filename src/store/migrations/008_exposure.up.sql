-- Exposure gate (seed 002): one row per command run to expose a service publicly while it is
-- healthy (`tailscale funnel --bg 8085`) or to withdraw it when it is not (`tailscale funnel reset`).
-- The newest row with outcome 'ok' is the transition last applied, so a restart does not re-run it.

CREATE TABLE IF NOT EXISTS exposure_runs (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  transition TEXT NOT NULL CHECK (transition IN ('healthy', 'unhealthy')),
  command TEXT NOT NULL,
  -- what started it: 'health', 'startup', 'retry', 'evaluate' (no CHECK: new triggers stay additive)
  trigger TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed')),
  exit_code INTEGER,
  -- the tail of stdout and stderr, at most 4 KiB
  output TEXT,
  error TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS exposure_runs_by_service ON exposure_runs (service, started_at);
