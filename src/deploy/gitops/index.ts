export type { ExportedTree, FetchedRevision, GitSourceSpec } from './git-source.js';
export { GitSource } from './git-source.js';
export type { GitPoller, GitPollHandlers } from './poll.js';
export { pollGitSource } from './poll.js';
export { displayUrl, redact } from './redact.js';
