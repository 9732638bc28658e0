export { currentVersion, switchCurrent } from './current.js';
export { installRelease, removeStaleTmp } from './install.js';
export type { ReleaseLayout } from './layout.js';
export { listReleases, pruneReleases, type ReleaseInfo } from './list.js';
export { assertValidVersion, isValidVersion } from './version.js';
