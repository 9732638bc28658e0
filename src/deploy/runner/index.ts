export type { ReadLogsOptions } from './log-reader.js';
export { followLogs, readLogs } from './log-reader.js';
export { startSupervised } from './supervisor.js';
export type { ExitInfo, StateInfo, Supervised, SupervisedSpec, SupervisedState } from './types.js';
