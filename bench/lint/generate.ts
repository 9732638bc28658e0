/**
 * The lint benchmark's input: seeded, varied compose files (5–30 services each; same seed → same
 * bytes) written as compose-NNNN.yaml, plus every KICS docker-compose fixture (*.yaml) copied next
 * to them. Names match dclint's compose*.yaml pattern in case it is ever given the directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { APP_NAMES, APP_OWNERS, APP_ROLES, COMMENTS, DOMAINS, IMAGES, type Image, Rand } from './catalog.js';
import {
  dependsOn,
  environment,
  type FileCtx,
  flow,
  hardening,
  healthcheck,
  imageRef,
  labels,
  limits,
  ports,
  scalar,
  secret,
  trailing,
  volumes,
} from './keys.js';

export interface FileSet {
  dir: string;
  /** Absolute paths: the generated files first, then the KICS ones. */
  files: string[];
  generated: number;
  kics: number;
  bytes: number;
  generatedBytes: number;
  services: number;
  seed: number;
  generateS: number;
}

function service(c: FileCtx, name: string, img: Image | null, appRef: string | null): void {
  const { r, out } = c;
  if (r.chance(0.12)) out.push(`  # ${r.of(COMMENTS)}`);
  out.push(`  ${name}:`);
  const merged = c.common && r.chance(0.85);
  if (merged) out.push('    <<: *common');
  out.push(
    `    image: ${appRef ?? imageRef(c, img?.repo ?? 'busybox', img?.tags ?? ['1.36'])}${trailing(c, 0.08)}`,
  );
  if (r.chance(0.4)) out.push(`    container_name: ${scalar(r, name)}`);
  if (img?.kind === 'cache' && r.chance(0.5))
    out.push('    command: redis-server --appendonly yes --save 60 1');
  if (appRef?.endsWith('worker') && r.chance(0.7))
    out.push(`    command: ${flow(['node', 'dist/worker.js', '--concurrency', '4'])}`);
  if (!merged || r.chance(0.2)) {
    if (r.chance(0.85))
      out.push(
        `    restart: ${r.of(['unless-stopped', 'always', '"on-failure:5"', '"no"'])}${trailing(c, 0.08)}`,
      );
  }
  hardening(c, img, merged);
  const hostNet = img?.name === 'homeassistant' ? r.chance(0.5) : r.chance(0.02);
  if (hostNet) out.push('    network_mode: host');
  const env: [string, string][] = img?.env ? img.env(r, (n) => secret(c, n)) : [];
  if (appRef) {
    env.push(['DATABASE_URL', `postgres://app:${secret(c, 'POSTGRES_PASSWORD')}@postgres:5432/app`]);
    if (r.chance(0.6)) env.push(['REDIS_URL', 'redis://redis:6379/0']);
    if (r.chance(0.5)) env.push(['LOG_LEVEL', r.of(['info', 'debug', 'warn'])]);
    if (r.chance(0.4)) env.push(['SECRET_KEY_BASE', secret(c, 'SECRET_KEY_BASE')]);
  }
  if (r.chance(0.25) && !env.some(([k]) => k === 'TZ'))
    env.push(['TZ', r.of(['Europe/Berlin', 'Etc/UTC', 'America/New_York'])]);
  if (c.secrets && img?.name === 'postgres') env.push(['POSTGRES_PASSWORD_FILE', '/run/secrets/db_password']);
  environment(c, env);
  if (r.chance(0.12)) out.push('    env_file:', `      - ${r.of(['.env', `./env/${name}.env`])}`);
  if (c.secrets && img?.name === 'postgres') out.push('    secrets:', '      - db_password');
  const port = appRef
    ? appRef.includes('worker')
      ? undefined
      : r.of(['3000', '8080', '8000'])
    : img?.ports[0]?.split('/')[0];
  if (!hostNet) ports(c, appRef ? (port ? [port] : []) : (img?.ports ?? []));
  volumes(c, name, img);
  if (img?.name === 'zigbee2mqtt') out.push('    devices:', '      - /dev/ttyUSB0:/dev/ttyACM0');
  const healthy = healthcheck(c, img, port);
  dependsOn(c);
  if (!hostNet && r.chance(0.7)) {
    const nets = r.some(c.networks, r.int(1, c.networks.length));
    if (r.chance(0.85)) out.push('    networks:', ...nets.map((n) => `      - ${n}`));
    else
      out.push(
        '    networks:',
        ...nets.flatMap((n) => [`      ${n}:`, `        aliases: [${name}.internal]`]),
      );
  }
  labels(c, name, port);
  limits(c, merged);
  if (r.chance(0.05)) out.push(`    stop_grace_period: ${r.of(['30s', '1m'])}`);
  if (r.chance(0.04)) out.push('    extra_hosts:', '      - "host.docker.internal:host-gateway"');
  c.services.push({ name, healthy });
}

function header(c: FileCtx, index: number): void {
  const { r, out } = c;
  if (r.chance(0.6))
    out.push(
      `# ${r.of(['Home lab', 'Production', 'Staging', 'Monitoring'])} stack ${index}`,
      '# Usage: docker compose up -d',
    );
  if (r.chance(0.3)) out.push(`version: ${r.of(['"3.8"', "'3.7'", '"3"'])}`);
  if (r.chance(0.3)) out.push(`name: stack-${index}`);
  if (c.common) {
    out.push('', 'x-common: &common', '  restart: unless-stopped');
    if (r.chance(0.7)) out.push('  security_opt:', '    - no-new-privileges:true');
    out.push(
      '  logging:',
      '    driver: json-file',
      '    options:',
      '      max-size: "10m"',
      '      max-file: "3"',
    );
  }
  if (c.loggingAnchor)
    out.push('', 'x-logging: &default-logging', '  driver: local', '  options:', '    max-size: 20m');
  out.push('', 'services:');
}

function composeFile(r: Rand, index: number): { text: string; services: number } {
  const c: FileCtx = {
    r,
    out: [],
    common: r.chance(0.4),
    loggingAnchor: r.chance(0.2),
    secrets: r.chance(0.1),
    traefik: r.chance(0.4),
    domain: r.of(DOMAINS),
    networks: r.some(['frontend', 'backend', 'monitoring', 'proxy', 'iot'], r.int(1, 3)),
    volumes: new Set(),
    hostPorts: new Set(),
    services: [],
  };
  header(c, index);
  // Skewed towards small stacks, as real ones are: 5–30, mean about 11.
  const count = 5 + Math.floor(26 * r.next() ** 3);
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    const app = r.chance(0.3);
    const img = app ? null : r.of(IMAGES);
    const appName = `${r.of(APP_NAMES)}-${r.of(APP_ROLES)}`;
    const base = img?.name ?? appName;
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
    names.add(name);
    const appRef = app
      ? imageRef(c, `${r.of(APP_OWNERS)}/${appName}`, ['1.4.2', '2.0.0-rc.1', 'v3.11.0', '2024.10.1'])
      : null;
    service(c, name, img, appRef);
  }
  const { out } = c;
  out.push('', 'networks:');
  for (const n of c.networks)
    out.push(
      n === 'proxy'
        ? '  proxy:\n    external: true'
        : `  ${n}:${n === 'backend' && r.chance(0.4) ? '\n    internal: true' : ''}`,
    );
  if (c.volumes.size > 0) {
    out.push('', 'volumes:');
    for (const v of c.volumes) out.push(r.chance(0.3) ? `  ${v}:\n    driver: local` : `  ${v}:`);
  }
  if (c.secrets) out.push('', 'secrets:', '  db_password:', '    file: ./secrets/db_password.txt');
  return { text: `${out.join('\n')}\n`, services: count };
}

/** Writes `count` generated files and the KICS *.yaml fixtures into `dir`. */
export function generateSet(dir: string, count: number, seed: number, kicsRoot: string): FileSet {
  const t0 = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  const r = new Rand(seed);
  const files: string[] = [];
  let generatedBytes = 0;
  let services = 0;
  for (let i = 1; i <= count; i++) {
    const f = composeFile(r, i);
    const file = path.join(dir, `compose-${String(i).padStart(4, '0')}.yaml`);
    fs.writeFileSync(file, f.text);
    files.push(file);
    generatedBytes += Buffer.byteLength(f.text);
    services += f.services;
  }
  let bytes = generatedBytes;
  let kics = 0;
  for (const query of fs.readdirSync(kicsRoot).sort()) {
    const testDir = path.join(kicsRoot, query, 'test');
    if (!fs.existsSync(testDir)) continue;
    for (const name of fs.readdirSync(testDir).sort()) {
      if (!name.endsWith('.yaml')) continue;
      const file = path.join(dir, `compose-kics-${query}-${name}`);
      fs.copyFileSync(path.join(testDir, name), file);
      files.push(file);
      bytes += fs.statSync(file).size;
      kics++;
    }
  }
  return {
    dir,
    files,
    generated: count,
    kics,
    bytes,
    generatedBytes,
    services,
    seed,
    generateS: (performance.now() - t0) / 1000,
  };
}
