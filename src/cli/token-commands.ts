import { type Command, Option } from 'commander';
import { createToken, listTokens, revokeToken } from '../auth/tokens.js';
import { type TokenRole, tokenRoles } from '../store/api-tokens.js';
import { withContext } from './context.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';

export function registerTokenCommands(program: Command, env: CliEnv): void {
  const token = command(program, 'token', 'Manage API tokens (only their SHA-256 is stored)', [
    'steward token create --name grafana --role viewer',
  ]);

  command(token, 'create', 'Create a token and print it once', [
    'steward token create --name ci --role operator',
    'steward token create --name backup-script --role operator --json',
  ])
    .requiredOption('--name <name>', 'a name for the token (shown in the audit log as token:<name>)')
    .addOption(new Option('--role <role>', 'what it may do').choices(tokenRoles).default('viewer'))
    .addOption(jsonOption())
    .action(async (opts: { name: string; role: TokenRole; json?: boolean }) => {
      const created = await withContext(env.globals(), (ctx) =>
        createToken(ctx, { name: opts.name, role: opts.role }),
      );
      if (opts.json) return env.printer.json({ token: created.token, ...created.record });
      env.printer.line(created.token);
      env.printer.error(
        `token "${created.record.name}" (${created.record.role}) created; it is shown only this once`,
      );
    });

  command(token, 'list', 'List tokens (never their secrets)', [
    'steward token list',
    'steward token list --json',
  ])
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const tokens = await withContext(env.globals(), (ctx) => listTokens(ctx));
      if (opts.json) return env.printer.json({ tokens });
      if (!tokens.length) return env.printer.line('no tokens');
      env.printer.table(
        tokens.map((t) => ({
          name: t.name,
          role: t.role,
          created: localTime(t.createdAt),
          'last used': localTime(t.lastUsedAt),
          revoked: t.revokedAt ? localTime(t.revokedAt) : '',
          id: t.id,
        })),
        ['name', 'role', 'created', 'last used', 'revoked', 'id'],
      );
    });

  command(token, 'revoke <name-or-id>', 'Revoke a token; it stops working at once', [
    'steward token revoke ci',
  ])
    .addOption(jsonOption())
    .action(async (nameOrId: string, opts: { json?: boolean }) => {
      const record = await withContext(env.globals(), (ctx) => revokeToken(ctx, nameOrId));
      if (opts.json) return env.printer.json(record);
      env.printer.line(`revoked token "${record.name}"`);
    });
}
