DROP TABLE IF EXISTS recovery_points;
DROP TABLE IF EXISTS backup_archives;
DROP TABLE IF EXISTS backup_runs;
