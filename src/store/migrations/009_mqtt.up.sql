-- MQTT ingest. Per-device sequence state (high-water mark and the recent sequences within the
-- dedup window) so QoS 1 redeliveries are still recognised after a restart; written in the
-- same transaction as the samples those sequences admitted.

CREATE TABLE IF NOT EXISTS mqtt_sequences (
  -- the topic, or the rule's device template rendered from the topic's labels
  device TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL CHECK (last_seq >= 0),
  -- JSON array of accepted sequences at most a window below last_seq, ascending
  recent TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(recent) AND json_type(recent) = 'array'),
  updated_at TEXT NOT NULL
) STRICT;

-- Messages that matched an ingest rule but could not be turned into samples, with why. Bounded:
-- the repository keeps the newest rows (10,000 by default).
CREATE TABLE IF NOT EXISTS mqtt_quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at TEXT NOT NULL,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  -- the first 256 bytes: escaped text, or "hex:" and the bytes in hex when binary
  payload_excerpt TEXT NOT NULL,
  payload_bytes INTEGER NOT NULL CHECK (payload_bytes >= 0)
) STRICT;

CREATE INDEX IF NOT EXISTS mqtt_quarantine_by_received ON mqtt_quarantine (received_at);
