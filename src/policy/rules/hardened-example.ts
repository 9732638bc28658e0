// The recommended hardened service every rule's `good` example builds on, written once.

/** A value under a key: an inline scalar (`"1000:1000"`) or a block's lines, written relative to the key. */
export type YamlValue = string | readonly string[];

export interface HardenedService {
  /** The service's name; `api` unless told. */
  name?: string;
  /** `ghcr.io/example/api:2.4.1` unless told. */
  image?: string;
  /** uid:gid, `1000:1000` unless told. */
  user?: string;
  /** Published on 127.0.0.1 (host and container alike), 8080 unless told; null publishes nothing. */
  port?: number | null;
  /** `deploy.resources.limits`: 256M, "0.5" and 200 unless told. */
  limits?: { memory?: string; cpus?: string; pids?: number };
  /** Unless `test` is given, the check fetches `path` (`/healthz`) on the published port. */
  healthcheck?: {
    test?: readonly string[];
    path?: string;
    interval?: string;
    retries?: number;
    startPeriod?: string;
  };
  /** Adds or replaces keys of the service (null removes one); each goes where `keyOrder` puts it. */
  set?: Record<string, YamlValue | null>;
  /**
   * `# text` at the end of the line a dotted path names (`user`, `deploy.resources.limits.pids`):
   * the key's own line when it holds a value, else the last line of its block (a one-item list's item).
   */
  comment?: Record<string, string>;
  /** `# text` on a line of its own above the key a dotted path names. */
  note?: Record<string, string>;
}

export interface HardenedOptions extends HardenedService {
  /** More services after the first, hardened the same way. */
  services?: readonly HardenedService[];
  /** Top-level sections after `services:` (named volumes, networks, secrets), in the order given. */
  top?: Record<string, YamlValue>;
}

/** The order a service's keys are written in; a key not listed goes last. */
const keyOrder = [
  'image',
  'user',
  'read_only',
  'tmpfs',
  'volumes',
  'environment',
  'secrets',
  'cap_drop',
  'security_opt',
  'networks',
  'devices',
  'group_add',
  'ports',
  'deploy',
  'healthcheck',
  'restart',
  'logging',
];

/** The unprivileged nginx image several rules show: uid 101, listening on 8080. */
export const unprivilegedWeb: HardenedService = {
  name: 'web',
  image: 'nginxinc/nginx-unprivileged:1.27.2-alpine',
  user: '101:101',
  limits: { memory: '128M' },
  healthcheck: { path: '/' },
};

/** Renders a complete compose file whose services take every recommended hardening. */
export function hardenedExample(options: HardenedOptions = {}): string {
  const { services = [], top = {}, ...first } = options;
  const lines = [
    'services:',
    ...[first, ...services].flatMap((service) => serviceLines(service).map((l) => `  ${l}`)),
    ...Object.entries(top).flatMap(([key, value]) => keyLines(key, value)),
  ];
  return `${lines.join('\n')}\n`;
}

function serviceLines(service: HardenedService): string[] {
  const port = service.port === undefined ? 8080 : service.port;
  const values = new Map<string, YamlValue>([
    ['image', service.image ?? 'ghcr.io/example/api:2.4.1'],
    ['user', `"${service.user ?? '1000:1000'}"`],
    ['read_only', 'true'],
    ['tmpfs', ['- /tmp']],
    ['cap_drop', '[ALL]'],
    ['security_opt', ['- no-new-privileges:true']],
    ...(port === null ? [] : [['ports', [`- "127.0.0.1:${port}:${port}"`]] as const]),
    ['deploy', limitLines(service.limits ?? {})],
    ['healthcheck', healthcheckLines(service.healthcheck ?? {}, port)],
    ['restart', 'unless-stopped'],
    ['logging', ['driver: json-file', 'options:', '  max-size: "10m"', '  max-file: "3"']],
  ]);
  for (const [key, value] of Object.entries(service.set ?? {})) {
    if (value === null) values.delete(key);
    else values.set(key, value);
  }
  const rank = (key: string) => (keyOrder.includes(key) ? keyOrder.indexOf(key) : keyOrder.length);
  const lines = [...values]
    .sort(([a], [b]) => rank(a) - rank(b))
    .flatMap(([key, value]) => keyLines(key, value));
  for (const [path, text] of Object.entries(service.comment ?? {})) {
    const { at, last } = locate(lines, path);
    const target = /:\s*\S/.test(lines[at] ?? '') ? at : last;
    lines[target] = `${lines[target]} # ${text}`;
  }
  for (const [path, text] of Object.entries(service.note ?? {})) {
    const { at } = locate(lines, path);
    const indent = /^\s*/.exec(lines[at] ?? '')?.[0] ?? '';
    lines.splice(at, 0, `${indent}# ${text}`);
  }
  return [`${service.name ?? 'api'}:`, ...lines.map((l) => `  ${l}`)];
}

function limitLines(limits: NonNullable<HardenedService['limits']>): string[] {
  return [
    'resources:',
    '  limits:',
    `    memory: ${limits.memory ?? '256M'}`,
    `    cpus: "${limits.cpus ?? '0.5'}"`,
    `    pids: ${limits.pids ?? 200}`,
  ];
}

function healthcheckLines(check: NonNullable<HardenedService['healthcheck']>, port: number | null): string[] {
  if (check.test === undefined && port === null) {
    throw new Error('hardenedExample: a service that publishes no port needs its own healthcheck test');
  }
  const test = check.test ?? ['CMD', 'wget', '-qO-', `http://127.0.0.1:${port}${check.path ?? '/healthz'}`];
  return [
    `test: [${test.map((word) => JSON.stringify(word)).join(', ')}]`,
    `interval: ${check.interval ?? '30s'}`,
    'timeout: 5s',
    `retries: ${check.retries ?? 3}`,
    ...(check.startPeriod === undefined ? [] : [`start_period: ${check.startPeriod}`]),
  ];
}

function keyLines(key: string, value: YamlValue): string[] {
  return typeof value === 'string' ? [`${key}: ${value}`] : [`${key}:`, ...value.map((l) => `  ${l}`)];
}

/** The line of the key a dotted path names, and the last line of that key's block. */
function locate(lines: readonly string[], path: string): { at: number; last: number } {
  let from = 0;
  let to = lines.length;
  let at = -1;
  path.split('.').forEach((key, depth) => {
    const prefix = `${' '.repeat(depth * 2)}${key}:`;
    at = lines.findIndex((l, i) => i >= from && i < to && l.startsWith(prefix));
    if (at === -1) throw new Error(`hardenedExample: no key ${path} to comment on`);
    const end = lines.findIndex((l, i) => i > at && /^\s*/.exec(l)![0].length <= depth * 2);
    from = at + 1;
    to = end === -1 || end > to ? to : end;
  });
  return { at, last: to - 1 };
}
