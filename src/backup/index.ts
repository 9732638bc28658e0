import './events.js';

export { type BackupJobConfig, type BackupsConfig, backupsSchema } from './config-schema.js';
export { type DrillResult, runDrill } from './drill.js';
export { keygen } from './keygen.js';
export { type BackupListing, listBackups } from './list.js';
export { type PruneTargetResult, pruneBackups } from './prune.js';
export { recoverStaleRuns } from './recover.js';
export { type RestoreResult, restoreArchive } from './restore.js';
export { type BackupRunResult, runBackup } from './run.js';
export { backupScheduledJobs } from './scheduled.js';
export { type VerifyResult, verifyArchives } from './verify.js';
