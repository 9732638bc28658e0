/**
 * Which Steward rule covers each KICS docker-compose query, and where Steward deliberately
 * disagrees with KICS's fixtures (each with the reason; docs/rules/kics.md lists them too).
 */
export interface RuleRef {
  rule: string;
  /** For rules that check several things, the part that matches the query. */
  aspect?: string;
}

export const kicsMapping: Record<string, RuleRef[]> = {
  cgroup_not_default: [{ rule: 'cgroup-parent' }],
  container_capabilities_unrestricted: [{ rule: 'cap-drop-all' }, { rule: 'cap-add-dangerous' }],
  container_traffic_not_bound_to_host_interface: [{ rule: 'ports-loopback' }],
  cpus_not_limited: [{ rule: 'resource-limits', aspect: 'cpus' }],
  default_seccomp_profile_disabled: [{ rule: 'seccomp-apparmor-unconfined', aspect: 'seccomp' }],
  docker_socket_mounted_in_container: [{ rule: 'no-docker-socket' }],
  healthcheck_not_set: [{ rule: 'healthcheck-required' }],
  host_namespace_is_shared: [{ rule: 'no-host-namespaces', aspect: 'pid' }],
  memory_not_limited: [{ rule: 'resource-limits', aspect: 'memory' }],
  no_new_privileges_not_set: [{ rule: 'no-new-privileges' }],
  pids_limit_not_set: [{ rule: 'resource-limits', aspect: 'pids' }],
  privileged_containers_enabled: [{ rule: 'no-privileged' }],
  privileged_ports_mapped_in_container: [{ rule: 'privileged-ports' }],
  restart_policy_on_failure_not_set_to_5: [{ rule: 'restart-policy' }],
  security_opt_not_set: [{ rule: 'no-new-privileges' }],
  shared_host_ipc_namespace: [{ rule: 'no-host-namespaces', aspect: 'ipc' }],
  shared_host_network_namespace: [{ rule: 'no-host-namespaces', aspect: 'network' }],
  shared_host_user_namespace: [{ rule: 'no-host-namespaces', aspect: 'userns' }],
  shared_volumes_between_containers: [{ rule: 'shared-volumes' }],
  volume_has_sensitive_host_directory: [{ rule: 'no-sensitive-host-mounts' }],
  volume_mounted_in_multiple_containers: [{ rule: 'shared-volume-propagation' }],
};

export interface Difference {
  query: string;
  file: string;
  /** The KICS-expected line Steward does not report; absent for a negative file Steward flags. */
  line?: number;
  reason: string;
}

const onFailureFive =
  'KICS wants on-failure with exactly 5 retries (its CIS reading); Steward accepts any restart policy but "no" — unless-stopped is the right one for a box';

export const deliberateDifferences: Difference[] = [
  {
    query: 'cpus_not_limited',
    file: 'positive3.yaml',
    line: 3,
    reason: 'an empty `deploy:` is reported once, on `deploy:`; KICS reports it twice (service and deploy)',
  },
  {
    query: 'memory_not_limited',
    file: 'positive3.yaml',
    line: 3,
    reason: 'an empty `deploy:` is reported once, on `deploy:`; KICS reports it twice (service and deploy)',
  },
  { query: 'restart_policy_on_failure_not_set_to_5', file: 'positive1.yaml', line: 6, reason: onFailureFive },
  {
    query: 'restart_policy_on_failure_not_set_to_5',
    file: 'positive1.yaml',
    line: 17,
    reason: onFailureFive,
  },
  {
    query: 'restart_policy_on_failure_not_set_to_5',
    file: 'positive2.yaml',
    line: 15,
    reason: onFailureFive,
  },
  { query: 'restart_policy_on_failure_not_set_to_5', file: 'positive3.yaml', line: 6, reason: onFailureFive },
  {
    query: 'restart_policy_on_failure_not_set_to_5',
    file: 'positive4.yaml',
    line: 17,
    reason: onFailureFive,
  },
  {
    query: 'security_opt_not_set',
    file: 'negative1.yaml',
    reason:
      'any security_opt satisfies KICS; Steward wants no-new-privileges:true in it (a security_opt without it protects nothing)',
  },
  {
    query: 'volume_has_sensitive_host_directory',
    file: 'positive1.yaml',
    line: 11,
    reason: '`- /var/lib/backup/data` is an anonymous volume at that container path, not a host mount',
  },
  {
    query: 'volume_has_sensitive_host_directory',
    file: 'positive2.yaml',
    line: 18,
    reason:
      '/var/lib/backup/data is an application data directory, not a system one; Steward flags /, /etc, /proc, /sys, /boot, /dev, /root, /var/lib/docker…',
  },
  {
    query: 'volume_has_sensitive_host_directory',
    file: 'positive3.yaml',
    line: 12,
    reason:
      'a local-persist mountpoint under ${CONTAINERVOLUME} names no sensitive directory; KICS flags the same line in its negative2',
  },
];
