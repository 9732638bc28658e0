DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS deployment_log;
DROP TABLE IF EXISTS service_deployments;
DROP TABLE IF EXISTS deployments;
