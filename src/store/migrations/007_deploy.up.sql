-- Deployments: one row per run (trigger, commit, plan, gates, outcome), one row per service
-- it touched with that service's lifecycle (Planned → In Progress → Testing → Live →
-- Decommissioned, + Failed, RolledBack), a step log, and the webhook deliveries seen (replay guard).

CREATE TABLE IF NOT EXISTS deployments (
  id TEXT PRIMARY KEY,
  trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'webhook', 'poll', 'rollback', 'recovery')),
  actor TEXT NOT NULL,
  -- null when the stack is the files beside steward.yaml
  commit_sha TEXT,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'noop', 'blocked', 'failed', 'rolled_back')),
  -- the services asked for (JSON list; empty: all)
  services TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(services)),
  -- for trigger rollback: the deployment whose state to return to
  rollback_to TEXT,
  plan TEXT CHECK (plan IS NULL OR json_valid(plan)),
  gates TEXT CHECK (gates IS NULL OR json_valid(gates)),
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS deployments_by_state ON deployments (state, created_at);

CREATE TABLE IF NOT EXISTS service_deployments (
  id TEXT PRIMARY KEY,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  service TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('compose', 'native')),
  state TEXT NOT NULL CHECK (state IN ('planned', 'in_progress', 'testing', 'live', 'decommissioned', 'failed', 'rolled_back')),
  config_hash TEXT NOT NULL,
  -- native: the release directory name
  version TEXT,
  -- the exact definition applied, kept so that a rollback re-applies it
  snapshot_dir TEXT,
  -- driver facts: colour and port for blue/green, compose project…
  detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
  -- the Live row this one replaces
  previous_id TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL
) STRICT;

-- Never two deployments of one service at once, and one Live row per service.
CREATE UNIQUE INDEX IF NOT EXISTS service_deployments_active ON service_deployments (service) WHERE state IN ('in_progress', 'testing');
CREATE UNIQUE INDEX IF NOT EXISTS service_deployments_live ON service_deployments (service) WHERE state = 'live';
CREATE INDEX IF NOT EXISTS service_deployments_by_deployment ON service_deployments (deployment_id);
CREATE INDEX IF NOT EXISTS service_deployments_by_service ON service_deployments (service, created_at);

CREATE TABLE IF NOT EXISTS deployment_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  ts TEXT NOT NULL,
  service TEXT,
  level TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  message TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS deployment_log_by_deployment ON deployment_log (deployment_id, id);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
  provider TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  deployment_id TEXT,
  PRIMARY KEY (provider, delivery_id)
) STRICT;
