-- Alerting: alert instances with their lifecycle (Triggered → Acknowledged → Resolved → Closed)
-- and the notification progress that timers resume from after a restart; every transition
-- with actor and comment; silences; every delivery attempt of every notification.

CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  -- rule + sorted labels: one open alert per fingerprint
  fingerprint TEXT NOT NULL,
  rule TEXT NOT NULL,
  labels TEXT NOT NULL CHECK (json_valid(labels)),
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  summary TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  runbook TEXT,
  state TEXT NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved', 'closed')),
  value REAL,
  triggered_at TEXT NOT NULL,
  acknowledged_at TEXT,
  acknowledged_by TEXT,
  ack_comment TEXT,
  resolved_at TEXT,
  closed_at TEXT,
  -- when the first notification of this triggering was queued (null: not yet, e.g. silenced)
  notified_at TEXT,
  last_notified_at TEXT,
  -- escalation tiers already notified
  escalation_level INTEGER NOT NULL DEFAULT 0,
  -- channels told about this triggering (for acknowledged/resolved notifications)
  notified_channels TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(notified_channels)),
  updated_at TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS alerts_open_fingerprint ON alerts (fingerprint) WHERE state != 'closed';
CREATE INDEX IF NOT EXISTS alerts_by_state ON alerts (state, triggered_at);

CREATE TABLE IF NOT EXISTS alert_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id TEXT NOT NULL REFERENCES alerts (id),
  at TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  actor TEXT NOT NULL,
  comment TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS alert_events_by_alert ON alert_events (alert_id, id);

CREATE TABLE IF NOT EXISTS silences (
  id TEXT PRIMARY KEY,
  matchers TEXT NOT NULL CHECK (json_valid(matchers)),
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expired_at TEXT,
  expired_by TEXT
) STRICT;

CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  notification_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  alert_ids TEXT NOT NULL CHECK (json_valid(alert_ids)),
  -- the notification as sent, so a retry after a restart sends the same thing
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'gave_up')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_by_notification ON deliveries (notification_id);
