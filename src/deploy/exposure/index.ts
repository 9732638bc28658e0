export { startExposure } from './gate.js';
export { commandFor, serviceHealth } from './health.js';
export { EXPOSURE_COMMAND_TIMEOUT_MS, exitCodeOf } from './run-command.js';
export { exposureStatus } from './status.js';
export type {
  Exposure,
  ExposureAuditEntry,
  ExposureDeps,
  ExposureSpec,
  ExposureStatus,
  ServiceHealth,
} from './types.js';
