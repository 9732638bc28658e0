DROP TABLE IF EXISTS exposure_runs;
