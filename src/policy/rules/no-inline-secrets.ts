import { type CNode, get, getPath, keyValues } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule, RuleContext } from './types.js';
import { example } from './util.js';

const secretWord =
  /(^|_)(PASS|PASSWORD|PASSWD|PWD|SECRET|TOKEN|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|SECRET_KEY|CLIENT_SECRET|CREDENTIALS?|AUTH_KEY|SIGNING_KEY|ENCRYPTION_KEY|MASTER_KEY|LICENSE_KEY|DSN)(_|$)/;
// Names that mention a secret but hold something else (a path, a length, a switch).
const notASecret =
  /(_FILE|_PATH|_DIR|_LENGTH|_LEN|_MIN|_MAX|_ENABLED|_REQUIRED|_TTL|_EXPIRY|_EXPIRES|_EXPIRATION|_TIMEOUT|_HEADER|_ALGORITHM|_POLICY|_TYPE|_URL|_URI|_HOST|_PORT)$/;
const credentialsInUrl = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:([^@/\s]+)@/i;
const reference = /\$\{|\$[A-Za-z_]/;
const switchValue = /^(true|false|yes|no|on|off|0|1|none|null|)$/i;

function camelToSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function check(ctx: RuleContext, node: CNode | undefined, where: string): void {
  for (const kv of keyValues(node)) {
    const value = kv.value;
    if (value?.kind !== 'scalar') continue;
    const raw = value.raw ?? (value.value === null ? '' : String(value.value));
    if (reference.test(raw.replaceAll('$$', ''))) continue; // `$$` is an escaped literal `$`
    const name = camelToSnake(kv.key.trim());
    if (secretWord.test(name) && !notASecret.test(name) && !switchValue.test(raw.trim())) {
      ctx.report(kv.node, `${where} ${kv.key} holds a literal secret`);
      continue;
    }
    if (credentialsInUrl.test(raw))
      ctx.report(kv.node, `${where} ${kv.key} holds a URL with a literal password`);
  }
}

export const noInlineSecrets: Rule = {
  id: 'no-inline-secrets',
  title: 'No secrets written into the compose file',
  defaultSeverity: 'error',
  security: true,
  rationale:
    'A password in the compose file ends up in git, in backups of the repository and in `docker inspect`; it cannot be rotated without a commit.',
  hint: 'reference it: `DB_PASSWORD: ${DB_PASSWORD}` with the value in an env_file outside git, or use `secrets:`',
  examples: {
    bad: example(`
      services:
        db:
          image: postgres:16.4-bookworm
          environment:
            POSTGRES_USER: app
            POSTGRES_PASSWORD: hunter2
        api:
          image: ghcr.io/example/api:2.4.1
          environment:
            DATABASE_URL: postgres://app:hunter2@db:5432/app
    `),
    good: hardenedExample({
      name: 'db',
      image: 'postgres:16.4-bookworm',
      user: '999:999',
      port: null,
      limits: { memory: '512M', cpus: '1.0' },
      healthcheck: { test: ['CMD', 'pg_isready', '-U', 'app'], interval: '10s', retries: 5 },
      set: {
        tmpfs: ['- /tmp', '- /var/run/postgresql'],
        volumes: ['- pgdata:/var/lib/postgresql/data'],
        environment: [
          'POSTGRES_USER: app',
          'POSTGRES_PASSWORD_FILE: /run/secrets/db_password # the path, not the password',
        ],
        secrets: ['- db_password'],
      },
      top: {
        secrets: ['db_password:', '  file: ./secrets/db_password.txt # kept out of git'],
        volumes: ['pgdata:'],
      },
    }),
  },
  check(ctx) {
    check(ctx, get(ctx.service.node, 'environment'), 'environment variable');
    check(ctx, getPath(ctx.service.node, 'build', 'args'), 'build argument');
  },
};
