-- Metrics: a series dictionary (name + canonical sorted labels → id), raw samples, and hourly
-- rollups kept incrementally as samples arrive. Retention deletes per series through the
-- primary keys, so no extra index slows the writes.

CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  -- JSON object with keys sorted: the same labels always give the same text.
  labels TEXT NOT NULL CHECK (json_valid(labels)),
  created_at TEXT NOT NULL,
  UNIQUE (name, labels)
) STRICT;

CREATE TABLE IF NOT EXISTS samples (
  series_id INTEGER NOT NULL REFERENCES series (id),
  ts INTEGER NOT NULL, -- ms since the Unix epoch
  value REAL NOT NULL,
  PRIMARY KEY (series_id, ts)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS samples_1h (
  series_id INTEGER NOT NULL REFERENCES series (id),
  hour INTEGER NOT NULL, -- ms at the start of the UTC hour
  min REAL NOT NULL,
  max REAL NOT NULL,
  sum REAL NOT NULL,
  count INTEGER NOT NULL,
  last REAL NOT NULL,
  last_ts INTEGER NOT NULL,
  PRIMARY KEY (series_id, hour)
) STRICT, WITHOUT ROWID;
