-- Retained MQTT messages as Steward has seen them (steward mqtt retained list, the daemon's scan).
-- The broker does not say how old a retained message is, so its age is known from the first time
-- Steward saw this exact payload on the topic: a lower bound, known only after an earlier sighting.

CREATE TABLE IF NOT EXISTS mqtt_retained (
  topic TEXT PRIMARY KEY,
  -- sha256 of the payload, hex: a new payload on the topic restarts its age
  payload_sha256 TEXT NOT NULL,
  payload_bytes INTEGER NOT NULL CHECK (payload_bytes >= 0),
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL
) STRICT;
