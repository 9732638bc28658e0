import { AgeError } from './errors.js';
import { decodeIdentity, decodeRecipient, recipientOf } from './keys.js';

/**
 * The text files keys live in. Identity files use age-keygen's layout so that
 * `age -d -i FILE` reads ours and we read its; recipients files are `age -R`'s.
 */

/** What `age-keygen` writes, with `createdAt` in RFC 3339 UTC. */
export function formatIdentityFile(identity: string, createdAt: Date): string {
  const created = createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `# created: ${created}\n# public key: ${recipientOf(identity)}\n${identity}\n`;
}

function* contentLines(text: string): Generator<{ line: string; n: number }> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // CRLF files happen on Windows-edited keys; age's line scanner drops the CR as well.
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line === '' || line.startsWith('#')) continue;
    yield { line, n: i + 1 };
  }
}

/**
 * The AGE-SECRET-KEY-1… lines of an identity file. Lines are taken verbatim (no trimming),
 * as age does, so a file we accept is one `age -d -i` accepts too.
 */
export function parseIdentityFile(text: string, fileLabel = 'identity file'): string[] {
  const out: string[] = [];
  for (const { line, n } of contentLines(text)) {
    try {
      decodeIdentity(line);
    } catch (err) {
      throw new AgeError('E_AGE_KEY', `${fileLabel}: line ${n}: ${(err as Error).message}`);
    }
    out.push(line);
  }
  if (out.length === 0) {
    throw new AgeError('E_AGE_KEY', `${fileLabel}: no age identity (AGE-SECRET-KEY-1…) found`);
  }
  return out;
}

/**
 * The age1… recipients of a recipients file, one per line. Surrounding whitespace is
 * forgiven (it only matters for encryption, which is ours). An empty file yields [],
 * since callers merge several sources and check the total.
 */
export function parseRecipients(text: string, fileLabel = 'recipients file'): string[] {
  const out: string[] = [];
  for (const { line, n } of contentLines(text)) {
    const r = line.trim();
    if (r === '' || r.startsWith('#')) continue;
    try {
      decodeRecipient(r);
    } catch (err) {
      throw new AgeError('E_AGE_KEY', `${fileLabel}: line ${n}: ${(err as Error).message}`);
    }
    out.push(r);
  }
  return out;
}
