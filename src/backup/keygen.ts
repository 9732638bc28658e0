import fs from 'node:fs';
import type { Clock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { formatIdentityFile, generateIdentity } from './age/index.js';

/**
 * `steward keygen`: a new age X25519 identity in age-keygen's file format (0600). Returns
 * the recipient, which is all the backup host needs.
 */
export function keygen(opts: { out?: string; force?: boolean; clock: Clock }): {
  recipient: string;
  file: string | null;
  identityText: string;
} {
  const { identity, recipient } = generateIdentity();
  const text = formatIdentityFile(identity, opts.clock.now());
  if (opts.out) {
    if (fs.existsSync(opts.out) && !opts.force) {
      throw new StewardError('E_USAGE', `${opts.out} exists; refusing to overwrite a key`, {
        hint: 'losing a key loses every archive encrypted to it; choose another file or pass --force',
      });
    }
    writeFileAtomic(opts.out, text, 0o600);
  }
  return { recipient, file: opts.out ?? null, identityText: text };
}
