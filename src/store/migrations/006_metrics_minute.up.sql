-- One-minute rollups beside the hourly ones: a month of a series at one-minute steps is read
-- from 43,200 rows in key order instead of grouping 170,000+ raw samples.

CREATE TABLE IF NOT EXISTS samples_1m (
  series_id INTEGER NOT NULL REFERENCES series (id),
  minute INTEGER NOT NULL, -- ms at the start of the UTC minute
  min REAL NOT NULL,
  max REAL NOT NULL,
  sum REAL NOT NULL,
  count INTEGER NOT NULL,
  last REAL NOT NULL,
  last_ts INTEGER NOT NULL,
  PRIMARY KEY (series_id, minute)
) STRICT, WITHOUT ROWID;
