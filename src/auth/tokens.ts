import type { CommandContext } from '../core/context.js';
import type { ApiToken, TokenRole } from '../store/api-tokens.js';

/** `steward token create` and `POST`-style callers: the secret is returned once. */
export function createToken(
  ctx: CommandContext,
  input: { name: string; role: TokenRole },
): { token: string; record: ApiToken } {
  const created = ctx.store.tokens.create(input);
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'token.create',
    target: `token:${created.record.name}`,
    details: { id: created.record.id, role: created.record.role },
  });
  return created;
}

export function listTokens(ctx: CommandContext): ApiToken[] {
  return ctx.store.tokens.list();
}

export function revokeToken(ctx: CommandContext, nameOrId: string): ApiToken {
  const record = ctx.store.tokens.revoke(nameOrId);
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'token.revoke',
    target: `token:${record.name}`,
    details: { id: record.id, role: record.role },
  });
  return record;
}
