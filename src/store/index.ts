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
export { defaultMigrationsDir, type OpenStoreOptions, openStore, type Store } from './db.js';
export { type Environment, Environments, type EnvironmentType, environmentTypes } from './environments.js';
export {
  type JobOutcome,
  type JobRun,
  JobRuns,
  type JobTrigger,
  jobOutcomes,
  jobTriggers,
} from './job-runs.js';
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
export {
  type Service,
  type ServiceKind,
  type ServiceSpec,
  type ServiceSyncResult,
  Services,
  serviceKinds,
} from './services.js';
