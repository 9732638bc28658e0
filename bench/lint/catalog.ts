import { mulberry32 } from '../../src/core/seeded-random.js';

/** What the generator draws from: real images with their ports, data paths, health commands and env. */

/** A small deterministic PRNG (mulberry32) with the helpers the generator needs. */
export class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  of<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** `n` distinct items, in the order drawn. */
  some<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0)
      out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return out;
  }
  hex(n: number): string {
    let s = '';
    while (s.length < n)
      s += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, n);
  }
}

export type Kind = 'db' | 'cache' | 'proxy' | 'web' | 'mqtt' | 'monitor' | 'app' | 'host-agent';

export interface Image {
  /** Service name the stacks usually give it. */
  name: string;
  repo: string;
  tags: readonly string[];
  kind: Kind;
  /** Container port, with `/udp` when it is one. */
  ports: readonly string[];
  /** Where its state lives in the container (a named volume or a bind mount goes there). */
  data?: string;
  /** Exec-form health command (without the CMD / CMD-SHELL word). */
  health?: readonly string[];
  env?: (r: Rand, secret: (name: string) => string) => [string, string][];
}

const db = (user: string, pass: string, name: string) => (r: Rand, secret: (n: string) => string) =>
  [
    [user, r.of(['app', 'steward', 'nextcloud', 'gitea'])],
    [pass, secret(pass)],
    [name, r.of(['app', 'main', 'prod'])],
  ] as [string, string][];

// biome-ignore format: one image a line reads as a table
export const IMAGES: readonly Image[] = [
  { name: 'postgres', repo: 'postgres', tags: ['16.4', '16.4-alpine', '15.8', '14-alpine', '16'], kind: 'db', ports: ['5432'], data: '/var/lib/postgresql/data', health: ['pg_isready', '-U', 'app'], env: db('POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB') },
  { name: 'mariadb', repo: 'mariadb', tags: ['11.4.3', '10.11', '11.4'], kind: 'db', ports: ['3306'], data: '/var/lib/mysql', health: ['healthcheck.sh', '--connect', '--innodb_initialized'], env: db('MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_DATABASE') },
  { name: 'mongo', repo: 'mongo', tags: ['7.0.14', '6.0', '7.0'], kind: 'db', ports: ['27017'], data: '/data/db', health: ['mongosh', '--quiet', '--eval', 'db.adminCommand("ping")'], env: db('MONGO_INITDB_ROOT_USERNAME', 'MONGO_INITDB_ROOT_PASSWORD', 'MONGO_INITDB_DATABASE') },
  { name: 'redis', repo: 'redis', tags: ['7.4.0-alpine', '7.2', '7-alpine', '6.2.14'], kind: 'cache', ports: ['6379'], data: '/data', health: ['redis-cli', 'ping'] },
  { name: 'valkey', repo: 'valkey/valkey', tags: ['8.0.1-alpine', '7.2'], kind: 'cache', ports: ['6379'], data: '/data', health: ['valkey-cli', 'ping'] },
  { name: 'nginx', repo: 'nginx', tags: ['1.27.1-alpine', '1.26', 'stable-alpine', 'mainline'], kind: 'proxy', ports: ['80', '443'], health: ['curl', '-fsS', 'http://localhost/'] },
  { name: 'traefik', repo: 'traefik', tags: ['v3.1.4', 'v3.1', 'v2.11'], kind: 'proxy', ports: ['80', '443', '8080'], health: ['traefik', 'healthcheck', '--ping'] },
  { name: 'caddy', repo: 'caddy', tags: ['2.8.4-alpine', '2.8'], kind: 'proxy', ports: ['80', '443', '443/udp'], data: '/data' },
  { name: 'grafana', repo: 'grafana/grafana', tags: ['11.2.0', '10.4.8', '11.2.0-ubuntu'], kind: 'monitor', ports: ['3000'], data: '/var/lib/grafana', health: ['wget', '-qO-', 'http://localhost:3000/api/health'], env: (r, s) => [['GF_SECURITY_ADMIN_USER', 'admin'], ['GF_SECURITY_ADMIN_PASSWORD', s('GF_SECURITY_ADMIN_PASSWORD')], ['GF_SERVER_ROOT_URL', `https://grafana.${r.of(['example.com', 'home.lan', 'lab.internal'])}`]] },
  { name: 'prometheus', repo: 'prom/prometheus', tags: ['v2.54.1', 'v2.53.2'], kind: 'monitor', ports: ['9090'], data: '/prometheus', health: ['wget', '-qO-', 'http://localhost:9090/-/healthy'] },
  { name: 'alertmanager', repo: 'prom/alertmanager', tags: ['v0.27.0'], kind: 'monitor', ports: ['9093'], data: '/alertmanager' },
  { name: 'loki', repo: 'grafana/loki', tags: ['3.2.0', '2.9.10'], kind: 'monitor', ports: ['3100'], data: '/loki' },
  { name: 'node-exporter', repo: 'prom/node-exporter', tags: ['v1.8.2'], kind: 'host-agent', ports: ['9100'] },
  { name: 'cadvisor', repo: 'gcr.io/cadvisor/cadvisor', tags: ['v0.49.1', 'v0.47.2'], kind: 'host-agent', ports: ['8080'] },
  { name: 'mosquitto', repo: 'eclipse-mosquitto', tags: ['2.0.18', '2.0', '2'], kind: 'mqtt', ports: ['1883', '9001'], data: '/mosquitto/data', health: ['mosquitto_sub', '-t', '$$SYS/#', '-C', '1'] },
  { name: 'node-red', repo: 'nodered/node-red', tags: ['4.0.2', '3.1.11-18', '4.0'], kind: 'web', ports: ['1880'], data: '/data', env: () => [['TZ', 'Europe/Berlin']] },
  { name: 'homeassistant', repo: 'ghcr.io/home-assistant/home-assistant', tags: ['2024.9.3', '2024.8', 'stable'], kind: 'web', ports: ['8123'], data: '/config' },
  { name: 'zigbee2mqtt', repo: 'koenkk/zigbee2mqtt', tags: ['1.40.1', '1.39.1'], kind: 'web', ports: ['8080'], data: '/app/data' },
  { name: 'influxdb', repo: 'influxdb', tags: ['2.7.10', '2.7-alpine', '1.8'], kind: 'db', ports: ['8086'], data: '/var/lib/influxdb2', health: ['influx', 'ping'], env: (r, s) => [['DOCKER_INFLUXDB_INIT_MODE', 'setup'], ['DOCKER_INFLUXDB_INIT_USERNAME', 'admin'], ['DOCKER_INFLUXDB_INIT_PASSWORD', s('DOCKER_INFLUXDB_INIT_PASSWORD')], ['DOCKER_INFLUXDB_INIT_ORG', 'home'], ['DOCKER_INFLUXDB_INIT_BUCKET', r.of(['sensors', 'telegraf'])], ['DOCKER_INFLUXDB_INIT_ADMIN_TOKEN', s('DOCKER_INFLUXDB_INIT_ADMIN_TOKEN')]] },
  { name: 'pihole', repo: 'pihole/pihole', tags: ['2024.07.0', '2024.06.0'], kind: 'web', ports: ['53/udp', '53', '80'], data: '/etc/pihole', env: (_r, s) => [['TZ', 'Europe/Amsterdam'], ['WEBPASSWORD', s('WEBPASSWORD')]] },
  { name: 'adguard', repo: 'adguard/adguardhome', tags: ['v0.107.52'], kind: 'web', ports: ['53/udp', '3000'], data: '/opt/adguardhome/work' },
  { name: 'vaultwarden', repo: 'vaultwarden/server', tags: ['1.32.0-alpine', '1.32.0'], kind: 'web', ports: ['80'], data: '/data', env: (_r, s) => [['ADMIN_TOKEN', s('ADMIN_TOKEN')], ['SIGNUPS_ALLOWED', 'false']] },
  { name: 'jellyfin', repo: 'ghcr.io/linuxserver/jellyfin', tags: ['10.9.11', '10.9.10-ls43'], kind: 'web', ports: ['8096'], data: '/config', env: () => [['PUID', '1000'], ['PGID', '1000'], ['TZ', 'Etc/UTC']] },
  { name: 'nextcloud', repo: 'nextcloud', tags: ['29.0.7-apache', '30-fpm-alpine'], kind: 'web', ports: ['80'], data: '/var/www/html', env: (_r, s) => [['POSTGRES_HOST', 'postgres'], ['NEXTCLOUD_ADMIN_USER', 'admin'], ['NEXTCLOUD_ADMIN_PASSWORD', s('NEXTCLOUD_ADMIN_PASSWORD')]] },
  { name: 'gitea', repo: 'gitea/gitea', tags: ['1.22.2', '1.22.2-rootless'], kind: 'web', ports: ['3000', '22'], data: '/data', env: () => [['USER_UID', '1000'], ['USER_GID', '1000'], ['GITEA__database__DB_TYPE', 'postgres']] },
  { name: 'minio', repo: 'minio/minio', tags: ['RELEASE.2024-09-13T20-26-02Z'], kind: 'db', ports: ['9000', '9001'], data: '/data', health: ['mc', 'ready', 'local'], env: (_r, s) => [['MINIO_ROOT_USER', 'minio'], ['MINIO_ROOT_PASSWORD', s('MINIO_ROOT_PASSWORD')]] },
  { name: 'uptime-kuma', repo: 'louislam/uptime-kuma', tags: ['1.23.14-alpine', '1'], kind: 'web', ports: ['3001'], data: '/app/data' },
  { name: 'portainer', repo: 'portainer/portainer-ce', tags: ['2.21.2', '2.21.2-alpine'], kind: 'host-agent', ports: ['9443'], data: '/data' },
  { name: 'watchtower', repo: 'containrrr/watchtower', tags: ['1.7.1'], kind: 'host-agent', ports: [] },
  { name: 'paperless', repo: 'ghcr.io/paperless-ngx/paperless-ngx', tags: ['2.12.1', '2.11'], kind: 'web', ports: ['8000'], data: '/usr/src/paperless/data', env: (_r, s) => [['PAPERLESS_REDIS', 'redis://redis:6379'], ['PAPERLESS_SECRET_KEY', s('PAPERLESS_SECRET_KEY')]] },
  { name: 'immich-server', repo: 'ghcr.io/immich-app/immich-server', tags: ['v1.115.0', 'release'], kind: 'web', ports: ['2283'], data: '/usr/src/app/upload', env: (_r, s) => [['DB_PASSWORD', s('DB_PASSWORD')], ['REDIS_HOSTNAME', 'redis']] },
];

export const APP_OWNERS = [
  'ghcr.io/acme',
  'ghcr.io/example-org',
  'registry.gitlab.com/platform/services',
  'quay.io/team',
];
export const APP_NAMES = [
  'billing',
  'orders',
  'auth',
  'search',
  'notifier',
  'inventory',
  'reports',
  'gateway',
  'catalog',
  'payments',
  'ingest',
  'export',
];
export const APP_ROLES = ['api', 'worker', 'web', 'scheduler'] as const;
export const DOMAINS = ['example.com', 'home.lan', 'lab.internal', 'corp.example.net'];
export const LITERAL_SECRETS = [
  'changeme',
  's3cr3t-P@ssw0rd',
  'hunter2',
  'admin123',
  'Sup3rS3cret!',
  'password',
];
export const CAPS = [
  'NET_BIND_SERVICE',
  'CHOWN',
  'SETUID',
  'SETGID',
  'DAC_OVERRIDE',
  'NET_ADMIN',
  'SYS_ADMIN',
  'NET_RAW',
];
export const COMMENTS = [
  'keep in sync with the .env file',
  'TODO: move to a secret',
  'pinned after the 2024-06 upgrade broke migrations',
  'behind traefik, never expose directly',
  'see docs/ops.md',
  'needed for the UI',
  'persists across upgrades',
  'matches the host user',
];
