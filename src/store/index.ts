export {
  type AlertEvent,
  type AlertLifecycleState,
  type AlertRecord,
  Alerts,
  alertLifecycle,
  alertStates,
  type NewAlert,
} from './alerts.js';
export {
  type ApiToken,
  ApiTokens,
  hashToken,
  TOKEN_PREFIX,
  type TokenRole,
  tokenRoles,
} from './api-tokens.js';
export {
  type AuditAppendInput,
  type AuditEntry,
  type AuditListOptions,
  AuditLog,
  type AuditVerifyResult,
  auditHash,
  GENESIS_HASH,
} from './audit-log.js';
export {
  type ArchivePatch,
  type ArchiveState,
  archiveLifecycle,
  type BackupArchive,
  BackupArchives,
} from './backup-archives.js';
export {
  type BackupRun,
  type BackupRunState,
  BackupRuns,
  backupRunStates,
  type FinishRunInput,
  type TargetOutcome,
} from './backup-runs.js';
export {
  type CheckRecord,
  type CheckSpec,
  type CheckStreaks,
  Checks,
  type CheckUpdate,
  newHeartbeatToken,
  type PingKind,
  type StateChange,
  type StoredCheckState,
  type StoredProbeStatus,
} from './checks.js';
export { defaultMigrationsDir, type OpenStoreOptions, openStore, type Store } from './db.js';
export { Deliveries, type DeliveryRecord, type DeliveryState } from './deliveries.js';
export {
  type Deployment,
  type DeploymentLogLine,
  type DeploymentState,
  type DeploymentTrigger,
  deploymentLifecycle,
  type ServiceDeployment,
  type ServiceDeploymentState,
  serviceDeploymentLifecycle,
} from './deployment-records.js';
export { Deployments } from './deployments.js';
export { type Environment, Environments, type EnvironmentType, environmentTypes } from './environments.js';
export {
  EXPOSURE_OUTPUT_MAX_BYTES,
  type ExposureOutcome,
  type ExposureRunRecord,
  ExposureRuns,
  type ExposureTransition,
  type ExposureTrigger,
  exposureOutcomes,
  exposureTransitions,
  exposureTriggers,
} from './exposure-runs.js';
export {
  type JobOutcome,
  type JobRun,
  JobRuns,
  type JobTrigger,
  jobOutcomes,
  jobTriggers,
} from './job-runs.js';
export { MINUTE_MS } from './metric-rollups.js';
export {
  canonicalLabels,
  HOUR_MS,
  type MetricAgg,
  type MetricSample,
  MetricSamples,
  type MetricSource,
  metricAggs,
  type RangeQuery,
  type SeriesInfo,
  type SeriesPoints,
} from './metric-samples.js';
export {
  type AppliedMigration,
  applyMigrations,
  assertSchemaCurrent,
  listMigrations,
  type MigrationFile,
  type MigrationRef,
  type MigrationStatus,
  migrationStatus,
  rollbackMigrations,
} from './migrate.js';
export { MqttQuarantine, MqttSequences, payloadExcerpt, type QuarantineRecord } from './mqtt-quarantine.js';
export { MqttRetained, type RetainedRecord, type RetainedSighting } from './mqtt-retained.js';
export {
  type ObservedFinding,
  type PolicyFindingRecord,
  type PolicyFindingState,
  PolicyFindings,
  type PolicyRunSummary,
} from './policy-findings.js';
export { type DrillCheckRecord, type RecoveryPoint, RecoveryPoints } from './recovery-points.js';
export {
  type Service,
  type ServiceKind,
  type ServiceSpec,
  type ServiceSyncResult,
  Services,
  serviceKinds,
} from './services.js';
export { type SilenceRecord, Silences, type StoredMatcher } from './silences.js';
export { WebhookDeliveries } from './webhook-deliveries.js';
