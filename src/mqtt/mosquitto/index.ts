export {
  type AppliedFile,
  type ApplyMosquittoResult,
  type ApplyMosquittoSpec,
  applyMosquitto,
  type MosquittoUserSpec,
} from './apply.js';
export {
  type AclAccess,
  type AclEntry,
  type AclFileSpec,
  type ConfSnippetSpec,
  parsePasswdFile,
  renderAclFile,
  renderConfSnippet,
  renderPasswdFile,
} from './files.js';
export { defaultIterations, hashPassword, verifyPassword } from './password.js';
export type { ReloadSpec } from './reload.js';
