export {
  type Access,
  type AclAction,
  type AclSubject,
  applyPattern,
  expectedAccess,
  topicMatches,
} from './model.js';
export {
  OUTSIDE_EVERY_RULE,
  type PlannedProbe,
  type PlanOptions,
  type PlanUser,
  type ProbeAction,
  type ProbePlan,
  planProbes,
} from './probes.js';
export {
  type AclReport,
  type Observed,
  type ProbeResult,
  type ProveAclOptions,
  type ProveUser,
  proveAcl,
} from './prove.js';
export { concretize, intersect } from './topics.js';
