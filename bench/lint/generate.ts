/**
 * The lint benchmark's input: seeded, varied compose files (5–30 services each; same seed → same
 * bytes) written as compose-NNNN.yaml, plus every KICS docker-compose fixture (*.yaml) copied next
 * to them. Names match dclint's compose*.yaml pattern in case it is ever given the directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  APP_NAMES,
  APP_OWNERS,
  APP_ROLES,
  CAPS,
  COMMENTS,
  DOMAINS,
  IMAGES,
  type Image,
  LITERAL_SECRETS,
  Rand,
} from './catalog.js';

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

/** State of the file being written: what later services and the top level refer to. */
interface FileCtx {
  r: Rand;
  out: string[];
  common: boolean;
  loggingAnchor: boolean;
  secrets: boolean;
  traefik: boolean;
  domain: string;
  networks: string[];
  volumes: Set<string>;
  hostPorts: Set<number>;
  /** Earlier services and whether they have a healthcheck (depends_on points back only). */
  services: { name: string; healthy: boolean }[];
}

const flow = (items: readonly string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/** Plain, single- or double-quoted: real files mix all three. */
function scalar(r: Rand, v: string): string {
  const x = r.next();
  return x < 0.55 ? v : x < 0.7 ? `'${v}'` : JSON.stringify(v);
}

function trailing(c: FileCtx, p: number): string {
  return c.r.chance(p) ? `  # ${c.r.of(COMMENTS)}` : '';
}

function secret(c: FileCtx, name: string): string {
  const x = c.r.next();
  if (x < 0.45) return `\${${name}}`;
  if (x < 0.55) return `\${${name}:-${c.r.of(LITERAL_SECRETS)}}`;
  return x < 0.8 ? c.r.of(LITERAL_SECRETS) : c.r.hex(32);
}

function hostPort(c: FileCtx, container: number): number {
  let p = container < 1024 && c.r.chance(0.6) ? container : container < 1024 ? 8000 + container : container;
  while (c.hostPorts.has(p)) p += 1;
  c.hostPorts.add(p);
  return p;
}

function imageRef(c: FileCtx, repo: string, tags: readonly string[]): string {
  const x = c.r.next();
  if (x < 0.5) return `${repo}:${c.r.of(tags)}`;
  if (x < 0.65) return `${repo}:latest`;
  if (x < 0.73) return repo;
  if (x < 0.9) return `${repo}@sha256:${c.r.hex(64)}`;
  return `${repo}:${c.r.of(tags)}@sha256:${c.r.hex(64)}`;
}

function ports(c: FileCtx, list: readonly string[]): void {
  const { r, out } = c;
  if (list.length === 0 || r.chance(0.25)) return;
  out.push('    ports:');
  for (const spec of list) {
    const [num, proto] = spec.split('/') as [string, string | undefined];
    const cp = Number(num);
    const hp = hostPort(c, cp);
    const suffix = proto ? `/${proto}` : '';
    if (r.chance(0.15)) {
      out.push(`      - target: ${cp}`, `        published: "${hp}"`);
      if (r.chance(0.5)) out.push('        host_ip: 127.0.0.1');
      out.push(`        protocol: ${proto ?? 'tcp'}`, '        mode: host');
      continue;
    }
    const x = r.next();
    const text =
      x < 0.45
        ? `${hp}:${cp}${suffix}`
        : x < 0.75
          ? `127.0.0.1:${hp}:${cp}${suffix}`
          : x < 0.9
            ? `0.0.0.0:${hp}:${cp}${suffix}`
            : `${cp}${suffix}`;
    out.push(`      - ${r.chance(0.65) ? `"${text}"` : text}${trailing(c, 0.05)}`);
  }
}

function environment(c: FileCtx, pairs: [string, string][]): void {
  const { r, out } = c;
  if (pairs.length === 0) return;
  out.push('    environment:');
  const asList = r.chance(0.4);
  for (const [k, v] of pairs) {
    const value = v.startsWith('$') || /^[A-Za-z0-9./_@:-]+$/.test(v) ? v : JSON.stringify(v);
    out.push(asList ? `      - ${k}=${v}` : `      ${k}: ${r.chance(0.3) ? JSON.stringify(v) : value}`);
    if (r.chance(0.04)) out[out.length - 1] += trailing(c, 1);
  }
}

function volumes(c: FileCtx, name: string, img: Image | null): void {
  const { r, out } = c;
  const items: string[] = [];
  if (img?.data) {
    const named = r.chance(0.6);
    const source = named ? `${name}-data` : `./${name}/data`;
    if (named) c.volumes.add(source);
    if (r.chance(0.15)) {
      items.push(`      - type: ${named ? 'volume' : 'bind'}`, `        source: ${source}`, `        target: ${img.data}`);
    } else items.push(`      - ${source}:${img.data}`);
  }
  if (r.chance(0.2)) items.push(`      - ./config/${name}:/etc/${name}${r.chance(0.6) ? ':ro' : ''}`);
  if (r.chance(0.25)) items.push('      - /etc/localtime:/etc/localtime:ro');
  if (['traefik', 'portainer', 'watchtower', 'cadvisor'].includes(img?.name ?? '')) {
    items.push(`      - /var/run/docker.sock:/var/run/docker.sock${r.chance(0.5) ? ':ro' : ''}${trailing(c, 0.3)}`);
  }
  if (img?.name === 'node-exporter') items.push("      - '/:/host:ro,rslave'");
  if (img?.name === 'cadvisor') items.push('      - /:/rootfs:ro', '      - /sys:/sys:ro', '      - /var/lib/docker/:/var/lib/docker:ro');
  if (r.chance(0.01)) items.push('      - /etc:/host-etc');
  if (r.chance(0.01)) {
    items.push('      - type: bind', '        source: /mnt/shared', '        target: /shared', '        bind:', '          propagation: rshared');
  }
  if (items.length > 0) out.push('    volumes:', ...items);
}

function healthcheck(c: FileCtx, img: Image | null, port: string | undefined): boolean {
  const { r, out } = c;
  const cmd = img?.health ?? (port && r.chance(0.7) ? ['wget', '-qO-', `http://localhost:${port}/health`] : null);
  if (!cmd || r.chance(0.35)) return false;
  out.push('    healthcheck:');
  const x = r.next();
  if (x < 0.35) out.push(`      test: ${flow(['CMD', ...cmd])}`);
  else if (x < 0.55) out.push(`      test: ${flow(['CMD-SHELL', `${cmd.join(' ')} || exit 1`])}`);
  else if (x < 0.7) out.push('      test:', '        - CMD', ...cmd.map((a) => `        - ${JSON.stringify(a)}`));
  else if (x < 0.85) out.push('      test: >', `        ${cmd.join(' ')}`, '        || exit 1');
  else out.push('      test: |', `        ${cmd.join(' ')} || exit 1`);
  out.push(`      interval: ${r.of(['10s', '30s', '1m'])}`, `      timeout: ${r.of(['5s', '10s'])}`);
  if (r.chance(0.7)) out.push(`      retries: ${r.int(3, 5)}`);
  if (r.chance(0.4)) out.push(`      start_period: ${r.of(['20s', '40s', '1m30s'])}`);
  return true;
}

function dependsOn(c: FileCtx): void {
  const { r, out } = c;
  if (c.services.length === 0 || r.chance(0.6)) return;
  const deps = r.some(c.services, r.int(1, Math.min(2, c.services.length)));
  out.push('    depends_on:');
  if (r.chance(0.4)) {
    for (const d of deps) out.push(`      - ${d.name}`);
    return;
  }
  for (const d of deps) {
    out.push(`      ${d.name}:`, `        condition: ${d.healthy ? 'service_healthy' : 'service_started'}`);
    if (r.chance(0.2)) out.push('        restart: true');
  }
}

function labels(c: FileCtx, name: string, port: string | undefined): void {
  const { r, out } = c;
  if (!port || !c.traefik || r.chance(0.5)) return;
  const pairs: [string, string][] = [
    ['traefik.enable', 'true'],
    [`traefik.http.routers.${name}.rule`, `Host(\`${name}.${c.domain}\`)`],
    [`traefik.http.routers.${name}.entrypoints`, 'websecure'],
  ];
  if (r.chance(0.5)) pairs.push([`traefik.http.routers.${name}.tls.certresolver`, 'letsencrypt']);
  if (r.chance(0.6)) pairs.push([`traefik.http.services.${name}.loadbalancer.server.port`, port]);
  if (r.chance(0.3)) pairs.push(['com.centurylinklabs.watchtower.enable', 'true']);
  out.push('    labels:');
  const asList = r.chance(0.4);
  for (const [k, v] of pairs) out.push(asList ? `      - "${k}=${v}"` : `      ${k}: ${JSON.stringify(v)}`);
}

function hardening(c: FileCtx, img: Image | null, merged: boolean): void {
  const { r, out } = c;
  if (r.chance(0.35)) out.push(`    user: ${r.of(['"1000:1000"', '"${PUID}:${PGID}"', '"999"', 'nobody', 'root'])}`);
  if (r.chance(0.2)) out.push('    read_only: true', '    tmpfs:', '      - /tmp');
  const opts: string[] = [];
  if (!merged && r.chance(0.35)) opts.push('no-new-privileges:true');
  if (r.chance(0.04)) opts.push('seccomp:unconfined');
  if (r.chance(0.03)) opts.push('apparmor:unconfined');
  if (opts.length > 0) out.push('    security_opt:', ...opts.map((o) => `      - ${o}`));
  if (r.chance(0.3)) out.push(r.chance(0.5) ? '    cap_drop: [ALL]' : '    cap_drop:\n      - ALL');
  if (r.chance(0.2)) out.push('    cap_add:', ...r.some(CAPS, r.int(1, 2)).map((cap) => `      - ${cap}`));
  if (img?.name === 'cadvisor' || r.chance(0.02)) out.push('    privileged: true');
  if (img?.name === 'node-exporter') out.push('    pid: host');
}

function limits(c: FileCtx, merged: boolean): void {
  const { r, out } = c;
  const x = r.next();
  if (x < 0.3) {
    out.push('    deploy:', '      resources:', '        limits:');
    out.push(`          cpus: "${r.of(['0.25', '0.50', '1.0', '2'])}"`, `          memory: ${r.of(['128M', '256M', '512M', '1G', '2G'])}`);
    if (r.chance(0.3)) out.push('        reservations:', `          memory: ${r.of(['64M', '128M'])}`);
  } else if (x < 0.45) out.push(`    mem_limit: ${r.of(['256m', '512m', '1g'])}`, `    cpus: ${r.of(['0.5', '1'])}`);
  if (r.chance(0.1)) out.push(`    pids_limit: ${r.of([100, 200, 512])}`);
  if (merged) return;
  if (c.loggingAnchor && r.chance(0.7)) out.push('    logging: *default-logging');
  else if (r.chance(0.2)) {
    out.push('    logging:', '      driver: json-file', '      options:');
    out.push(`        max-size: "${r.of(['10m', '50m'])}"`, `        max-file: "${r.of(['3', '5'])}"`);
  }
}

function service(c: FileCtx, name: string, img: Image | null, appRef: string | null): void {
  const { r, out } = c;
  if (r.chance(0.12)) out.push(`  # ${r.of(COMMENTS)}`);
  out.push(`  ${name}:`);
  const merged = c.common && r.chance(0.85);
  if (merged) out.push('    <<: *common');
  out.push(`    image: ${appRef ?? imageRef(c, img?.repo ?? 'busybox', img?.tags ?? ['1.36'])}${trailing(c, 0.08)}`);
  if (r.chance(0.4)) out.push(`    container_name: ${name}`);
  if (img?.kind === 'cache' && r.chance(0.5)) out.push('    command: redis-server --appendonly yes --save 60 1');
  if (appRef?.endsWith('worker') && r.chance(0.7)) out.push(`    command: ${flow(['node', 'dist/worker.js', '--concurrency', '4'])}`);
  if (!merged || r.chance(0.2)) {
    if (r.chance(0.85)) out.push(`    restart: ${r.of(['unless-stopped', 'always', '"on-failure:5"', '"no"'])}${trailing(c, 0.08)}`);
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
  if (r.chance(0.25)) env.push(['TZ', r.of(['Europe/Berlin', 'Etc/UTC', 'America/New_York'])]);
  if (c.secrets && img?.name === 'postgres') env.push(['POSTGRES_PASSWORD_FILE', '/run/secrets/db_password']);
  environment(c, env);
  if (r.chance(0.12)) out.push('    env_file:', `      - ${r.of(['.env', `./env/${name}.env`])}`);
  if (c.secrets && img?.name === 'postgres') out.push('    secrets:', '      - db_password');
  const port = appRef ? (appRef.includes('worker') ? undefined : r.of(['3000', '8080', '8000'])) : img?.ports[0]?.split('/')[0];
  if (!hostNet) ports(c, appRef ? (port ? [port] : []) : (img?.ports ?? []));
  volumes(c, name, img);
  if (img?.name === 'zigbee2mqtt') out.push('    devices:', '      - /dev/ttyUSB0:/dev/ttyACM0');
  const healthy = healthcheck(c, img, port);
  dependsOn(c);
  if (!hostNet && r.chance(0.7)) {
    const nets = r.some(c.networks, r.int(1, c.networks.length));
    if (r.chance(0.85)) out.push('    networks:', ...nets.map((n) => `      - ${n}`));
    else out.push('    networks:', ...nets.flatMap((n) => [`      ${n}:`, `        aliases: [${name}.internal]`]));
  }
  labels(c, name, port);
  limits(c, merged);
  if (r.chance(0.05)) out.push(`    stop_grace_period: ${r.of(['30s', '1m'])}`);
  if (r.chance(0.04)) out.push('    extra_hosts:', '      - "host.docker.internal:host-gateway"');
  c.services.push({ name, healthy });
}

function header(c: FileCtx, index: number): void {
  const { r, out } = c;
  if (r.chance(0.6)) out.push(`# ${r.of(['Home lab', 'Production', 'Staging', 'Monitoring'])} stack ${index}`, '# Usage: docker compose up -d');
  if (r.chance(0.3)) out.push(`version: ${r.of(['"3.8"', "'3.7'", '"3"'])}`);
  if (r.chance(0.3)) out.push(`name: stack-${index}`);
  if (c.common) {
    out.push('', 'x-common: &common', '  restart: unless-stopped');
    if (r.chance(0.7)) out.push('  security_opt:', '    - no-new-privileges:true');
    out.push('  logging:', '    driver: json-file', '    options:', '      max-size: "10m"', '      max-file: "3"');
  }
  if (c.loggingAnchor) out.push('', 'x-logging: &default-logging', '  driver: local', '  options:', '    max-size: 20m');
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
    const appRef = app ? imageRef(c, `${r.of(APP_OWNERS)}/${appName}`, ['1.4.2', '2.0.0-rc.1', 'v3.11.0', '2024.10.1']) : null;
    service(c, name, img, appRef);
  }
  const { out } = c;
  out.push('', 'networks:');
  for (const n of c.networks) out.push(n === 'proxy' ? '  proxy:\n    external: true' : `  ${n}:${n === 'backend' && r.chance(0.4) ? '\n    internal: true' : ''}`);
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
  return { dir, files, generated: count, kics, bytes, generatedBytes, services, seed, generateS: (performance.now() - t0) / 1000 };
}
