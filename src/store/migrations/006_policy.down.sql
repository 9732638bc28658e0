DROP TABLE IF EXISTS policy_runs;
DROP TABLE IF EXISTS policy_findings;
