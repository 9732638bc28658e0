/** The per-service keys of a generated compose file: each helper appends YAML lines to `c.out`. */
import { CAPS, COMMENTS, type Image, LITERAL_SECRETS, type Rand } from './catalog.js';

/** State of the file being written: what later services and the top level refer to. */
export interface FileCtx {
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

export const flow = (items: readonly string[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/** Plain, single- or double-quoted: real files mix all three. */
export function scalar(r: Rand, v: string): string {
  const x = r.next();
  return x < 0.55 ? v : x < 0.7 ? `'${v}'` : JSON.stringify(v);
}

export function trailing(c: FileCtx, p: number): string {
  return c.r.chance(p) ? `  # ${c.r.of(COMMENTS)}` : '';
}

export function secret(c: FileCtx, name: string): string {
  const x = c.r.next();
  if (x < 0.45) return `\${${name}}`;
  if (x < 0.55) return `\${${name}:-${c.r.of(LITERAL_SECRETS)}}`;
  return x < 0.8 ? c.r.of(LITERAL_SECRETS) : c.r.hex(32);
}

export function hostPort(c: FileCtx, container: number): number {
  let p = container < 1024 && c.r.chance(0.6) ? container : container < 1024 ? 8000 + container : container;
  while (c.hostPorts.has(p)) p += 1;
  c.hostPorts.add(p);
  return p;
}

export function imageRef(c: FileCtx, repo: string, tags: readonly string[]): string {
  const x = c.r.next();
  if (x < 0.5) return `${repo}:${c.r.of(tags)}`;
  if (x < 0.65) return `${repo}:latest`;
  if (x < 0.73) return repo;
  if (x < 0.9) return `${repo}@sha256:${c.r.hex(64)}`;
  return `${repo}:${c.r.of(tags)}@sha256:${c.r.hex(64)}`;
}

export function ports(c: FileCtx, list: readonly string[]): void {
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

export function environment(c: FileCtx, pairs: [string, string][]): void {
  const { r, out } = c;
  if (pairs.length === 0) return;
  out.push('    environment:');
  const asList = r.chance(0.4);
  for (const [k, v] of pairs) {
    const safe = v.startsWith('$') || /^[A-Za-z0-9./_@:-]+$/.test(v);
    out.push(asList ? `      - ${k}=${v}` : `      ${k}: ${safe ? scalar(r, v) : JSON.stringify(v)}`);
    if (r.chance(0.04)) out[out.length - 1] += trailing(c, 1);
  }
}

export function volumes(c: FileCtx, name: string, img: Image | null): void {
  const { r, out } = c;
  const items: string[] = [];
  if (img?.data) {
    const named = r.chance(0.6);
    const source = named ? `${name}-data` : `./${name}/data`;
    if (named) c.volumes.add(source);
    if (r.chance(0.15)) {
      items.push(
        `      - type: ${named ? 'volume' : 'bind'}`,
        `        source: ${source}`,
        `        target: ${img.data}`,
      );
    } else items.push(`      - ${source}:${img.data}`);
  }
  if (r.chance(0.2)) items.push(`      - ./config/${name}:/etc/${name}${r.chance(0.6) ? ':ro' : ''}`);
  if (r.chance(0.25)) items.push('      - /etc/localtime:/etc/localtime:ro');
  if (['traefik', 'portainer', 'watchtower', 'cadvisor'].includes(img?.name ?? '')) {
    items.push(
      `      - /var/run/docker.sock:/var/run/docker.sock${r.chance(0.5) ? ':ro' : ''}${trailing(c, 0.3)}`,
    );
  }
  if (img?.name === 'node-exporter') items.push("      - '/:/host:ro,rslave'");
  if (img?.name === 'cadvisor')
    items.push('      - /:/rootfs:ro', '      - /sys:/sys:ro', '      - /var/lib/docker/:/var/lib/docker:ro');
  if (r.chance(0.01)) items.push('      - /etc:/host-etc');
  if (r.chance(0.01)) {
    items.push(
      '      - type: bind',
      '        source: /mnt/shared',
      '        target: /shared',
      '        bind:',
      '          propagation: rshared',
    );
  }
  if (items.length > 0) out.push('    volumes:', ...items);
}

export function healthcheck(c: FileCtx, img: Image | null, port: string | undefined): boolean {
  const { r, out } = c;
  const cmd =
    img?.health ?? (port && r.chance(0.7) ? ['wget', '-qO-', `http://localhost:${port}/health`] : null);
  if (!cmd || r.chance(0.35)) return false;
  out.push('    healthcheck:');
  const x = r.next();
  if (x < 0.35) out.push(`      test: ${flow(['CMD', ...cmd])}`);
  else if (x < 0.55) out.push(`      test: ${flow(['CMD-SHELL', `${cmd.join(' ')} || exit 1`])}`);
  else if (x < 0.7)
    out.push('      test:', '        - CMD', ...cmd.map((a) => `        - ${JSON.stringify(a)}`));
  else if (x < 0.85) out.push('      test: >', `        ${cmd.join(' ')}`, '        || exit 1');
  else out.push('      test: |', `        ${cmd.join(' ')} || exit 1`);
  out.push(`      interval: ${r.of(['10s', '30s', '1m'])}`, `      timeout: ${r.of(['5s', '10s'])}`);
  if (r.chance(0.7)) out.push(`      retries: ${r.int(3, 5)}`);
  if (r.chance(0.4)) out.push(`      start_period: ${r.of(['20s', '40s', '1m30s'])}`);
  return true;
}

export function dependsOn(c: FileCtx): void {
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

export function labels(c: FileCtx, name: string, port: string | undefined): void {
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

export function hardening(c: FileCtx, img: Image | null, merged: boolean): void {
  const { r, out } = c;
  if (r.chance(0.35))
    out.push(`    user: ${r.of(['"1000:1000"', '"${PUID}:${PGID}"', '"999"', 'nobody', 'root'])}`);
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

export function limits(c: FileCtx, merged: boolean): void {
  const { r, out } = c;
  const x = r.next();
  if (x < 0.3) {
    out.push('    deploy:', '      resources:', '        limits:');
    out.push(
      `          cpus: "${r.of(['0.25', '0.50', '1.0', '2'])}"`,
      `          memory: ${r.of(['128M', '256M', '512M', '1G', '2G'])}`,
    );
    if (r.chance(0.3)) out.push('        reservations:', `          memory: ${r.of(['64M', '128M'])}`);
  } else if (x < 0.45)
    out.push(`    mem_limit: ${r.of(['256m', '512m', '1g'])}`, `    cpus: ${r.of(['0.5', '1'])}`);
  if (r.chance(0.1)) out.push(`    pids_limit: ${r.of([100, 200, 512])}`);
  if (merged) return;
  if (c.loggingAnchor && r.chance(0.7)) out.push('    logging: *default-logging');
  else if (r.chance(0.2)) {
    out.push('    logging:', '      driver: json-file', '      options:');
    out.push(`        max-size: "${r.of(['10m', '50m'])}"`, `        max-file: "${r.of(['3', '5'])}"`);
  }
}
