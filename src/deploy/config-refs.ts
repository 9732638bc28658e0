/**
 * Checks across sections that one section's schema cannot see: a service's deploy settings
 * against its kind, and names that must exist elsewhere (checks, backup jobs, ports).
 * Structural input types, so the config schema can call this without an import cycle.
 */
interface ServiceLike {
  kind: string;
  compose?: unknown;
  native?: { runner: string; port?: number | undefined } | undefined;
  strategy: string;
  blue_green?: { ports: readonly number[]; listen: string } | undefined;
  checks: readonly string[];
}

interface ConfigLike {
  services: Record<string, ServiceLike>;
  checks: Record<string, unknown>;
  backups: { jobs: Record<string, unknown> };
  deploy: { gate: { backups: readonly string[] } };
}

export interface ReferenceIssue {
  path: (string | number)[];
  message: string;
  params: { hint: string };
}

export function deployReferenceIssues(config: ConfigLike): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  const add = (path: (string | number)[], message: string, hint: string) =>
    issues.push({ path, message, params: { hint } });
  const checkNames = Object.keys(config.checks);
  const listenAddresses = new Map<string, string>();

  for (const [name, service] of Object.entries(config.services)) {
    const at = ['services', name];
    if (service.kind !== 'compose' && service.compose !== undefined)
      add(
        [...at, 'compose'],
        `compose: belongs to a compose service, this one is ${service.kind}`,
        'remove it or set kind: compose',
      );
    if (service.kind !== 'native' && service.native !== undefined)
      add(
        [...at, 'native'],
        `native: belongs to a native service, this one is ${service.kind}`,
        'remove it or set kind: native',
      );
    if (service.strategy === 'blue-green') {
      if (service.kind !== 'native')
        add(
          [...at, 'strategy'],
          'blue-green needs a native service (compose services use recreate)',
          'write strategy: recreate',
        );
      else if (!service.blue_green)
        add(
          [...at, 'strategy'],
          'blue-green needs blue_green: { ports, listen }',
          'add blue_green: { ports: [8081, 8082], listen: "127.0.0.1:8080" }',
        );
      if (service.native?.runner === 'systemd')
        add(
          [...at, 'native', 'runner'],
          'blue-green runs both colours itself: it needs the supervised runner',
          'write runner: supervised',
        );
    } else if (service.blue_green) {
      add(
        [...at, 'blue_green'],
        'blue_green: is only read with strategy: blue-green',
        'add strategy: blue-green or remove it',
      );
    }
    if (service.blue_green) {
      const other = listenAddresses.get(service.blue_green.listen);
      if (other)
        add(
          [...at, 'blue_green', 'listen'],
          `${service.blue_green.listen} is already the proxy of ${other}`,
          'give each service its own address',
        );
      listenAddresses.set(service.blue_green.listen, name);
    }
    service.checks.forEach((check, i) => {
      if (!checkNames.includes(check))
        add(
          [...at, 'checks', i],
          `no check named "${check}"`,
          checkNames.length ? `checks: ${checkNames.join(', ')}` : 'define it under checks:',
        );
    });
  }
  const jobs = Object.keys(config.backups.jobs);
  config.deploy.gate.backups.forEach((job, i) => {
    if (!jobs.includes(job))
      add(
        ['deploy', 'gate', 'backups', i],
        `no backup job named "${job}"`,
        jobs.length ? `backups.jobs: ${jobs.join(', ')}` : 'define it under backups.jobs',
      );
  });
  return issues;
}
