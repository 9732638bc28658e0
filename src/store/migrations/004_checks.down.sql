DROP TABLE IF EXISTS check_state_changes;
DROP TABLE IF EXISTS checks;
