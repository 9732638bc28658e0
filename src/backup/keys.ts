import fs from 'node:fs';
import { StewardError } from '../core/errors.js';
import { parseIdentityFile, parseRecipients } from './age/index.js';

interface EncryptionConfig {
  readonly recipients: readonly string[];
  readonly recipients_file?: string | undefined;
  readonly identity_file?: string | undefined;
}

/** All recipients an archive is encrypted to: the listed ones plus those in recipients_file. */
export function resolveRecipients(enc: EncryptionConfig): string[] {
  const all = [...enc.recipients];
  if (enc.recipients_file) {
    let text: string;
    try {
      text = fs.readFileSync(enc.recipients_file, 'utf8');
    } catch (err) {
      throw new StewardError('E_CONFIG', `cannot read recipients_file ${enc.recipients_file}`, {
        cause: err,
        hint: 'the file lists one age1… recipient per line',
      });
    }
    try {
      all.push(...parseRecipients(text, enc.recipients_file));
    } catch (err) {
      throw new StewardError('E_CONFIG', (err as Error).message, { hint: 'one age1… recipient per line' });
    }
  }
  const unique = [...new Set(all)];
  if (unique.length === 0) {
    throw new StewardError('E_CONFIG', 'no age recipient is configured', {
      hint: 'run `steward keygen --out backup.key` and add the printed age1… to backups.encryption.recipients',
    });
  }
  return unique;
}

/**
 * The private keys, read only when contents must be decrypted. `override` is `--identity`,
 * so the key can live off the box (on a USB stick) and be brought for a restore.
 */
export function loadIdentities(enc: EncryptionConfig | undefined, override?: string): string[] | null {
  const file = override ?? enc?.identity_file;
  if (!file) return null;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new StewardError(
      'E_CONFIG',
      `cannot read the identity file ${file}: ${(err as NodeJS.ErrnoException).code}`,
      {
        cause: err,
        hint: 'pass --identity FILE or set backups.encryption.identity_file (written by `steward keygen`)',
      },
    );
  }
  try {
    return parseIdentityFile(text, file);
  } catch (err) {
    throw new StewardError('E_CONFIG', (err as Error).message, {
      hint: 'the file written by `steward keygen` or `age-keygen`',
    });
  }
}

export function requireIdentities(
  enc: EncryptionConfig | undefined,
  override: string | undefined,
  why: string,
) {
  const ids = loadIdentities(enc, override);
  if (!ids || ids.length === 0) {
    throw new StewardError('E_USAGE', `${why} needs the age identity (private key)`, {
      hint: 'pass --identity FILE or set backups.encryption.identity_file',
    });
  }
  return ids;
}
