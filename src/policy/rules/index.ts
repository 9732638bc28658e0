import { capAddDangerous } from './cap-add-dangerous.js';
import { capDropAll } from './cap-drop-all.js';
import { cgroupParent } from './cgroup-parent.js';
import { healthcheckRequired } from './healthcheck-required.js';
import { imagePinned } from './image-pinned.js';
import { loggingLimits } from './logging-limits.js';
import { noDockerSocket } from './no-docker-socket.js';
import { noHostNamespaces } from './no-host-namespaces.js';
import { noInlineSecrets } from './no-inline-secrets.js';
import { noNewPrivileges } from './no-new-privileges.js';
import { noPrivileged } from './no-privileged.js';
import { noSensitiveHostMounts } from './no-sensitive-host-mounts.js';
import { portsLoopback } from './ports-loopback.js';
import { privilegedPorts } from './privileged-ports.js';
import { readOnlyRootfs } from './read-only-rootfs.js';
import { resourceLimits } from './resource-limits.js';
import { restartPolicy } from './restart-policy.js';
import { seccompApparmorUnconfined } from './seccomp-apparmor-unconfined.js';
import { sharedVolumePropagation } from './shared-volume-propagation.js';
import { sharedVolumes } from './shared-volumes.js';
import type { Rule } from './types.js';
import { userNonRoot } from './user-non-root.js';

/** The rule registry: adding a rule is adding its file, a line here and docs/rules/<id>.md. */
export const rules: readonly Rule[] = [
  healthcheckRequired,
  userNonRoot,
  capDropAll,
  capAddDangerous,
  readOnlyRootfs,
  noNewPrivileges,
  imagePinned,
  resourceLimits,
  noInlineSecrets,
  noPrivileged,
  noHostNamespaces,
  noDockerSocket,
  noSensitiveHostMounts,
  restartPolicy,
  portsLoopback,
  loggingLimits,
  seccompApparmorUnconfined,
  privilegedPorts,
  sharedVolumePropagation,
  sharedVolumes,
  cgroupParent,
];

export const rulesById = new Map(rules.map((r) => [r.id, r]));

/** Findings about the files and the ignores themselves, not about a service. */
export const metaRules = {
  'invalid-compose': {
    title: 'The file is a valid compose file',
    rationale:
      'A file Steward cannot read as compose cannot be checked, and docker compose will refuse it too.',
    hint: 'fix the error shown; `docker compose config` gives the same verdict',
  },
  'invalid-ignore': {
    title: 'Every ignore names a rule and gives a reason',
    rationale:
      'An ignore without a reason hides a finding nobody can judge later; an unknown rule id ignores nothing.',
    hint: 'write `# steward-ignore <rule-id> -- <why this service needs it>`',
  },
  'expired-exception': {
    title: 'Exceptions are renewed or removed when they expire',
    rationale:
      'An exception is a decision with a date; once the date passes the finding is back until someone decides again.',
    hint: 'fix the finding, or extend `expires` in policy.exceptions with a fresh reason',
  },
} as const;

export type MetaRuleId = keyof typeof metaRules;
