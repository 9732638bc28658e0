import path from 'node:path';
import { writeFileAtomic } from '../core/fs-atomic.js';
import type { Store } from '../store/db.js';

export const INITIAL_TOKEN_FILE = 'initial-admin-token';

/**
 * On the very first start (no token at all), creates an admin token so the operator can
 * use the API. The secret is returned once for the CLI to show and written to a 0600 file
 * in the data dir, never to the log.
 */
export function ensureInitialAdminToken(
  store: Store,
  dataDir: string,
): { token: string; file: string } | null {
  if (store.tokens.list().length > 0) return null;
  const { token, record } = store.tokens.create({ name: 'admin', role: 'admin' });
  store.audit.append({
    actor: 'system',
    action: 'token.create',
    target: `token:${record.name}`,
    details: { role: record.role, reason: 'first start' },
  });
  const file = path.join(dataDir, INITIAL_TOKEN_FILE);
  // Atomic, so a crash never leaves a truncated token that looks like the real one.
  writeFileAtomic(file, `${token}\n`, 0o600);
  return { token, file };
}
