import { readFile } from 'node:fs/promises';
import { type PeerCertificate, rootCertificates } from 'node:tls';
import type { ProbeStatus } from '../types.js';

const DAY_MS = 86_400_000;

/** The facts a check keeps about a peer certificate (http's cert_days_left, tls's details). */
export interface CertFacts {
  /** Whole days until notAfter, rounded down; negative once expired. */
  daysLeft: number;
  expired: boolean;
  notAfter: string;
  subjectCn: string;
  issuerCn: string;
}

// A field appears as an array when the certificate repeats it (two CNs); show them all.
function text(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' ? value : '';
}

/** undefined when there is no certificate (plain http, or the socket already closed). */
export function certFacts(cert: PeerCertificate | undefined, now = Date.now()): CertFacts | undefined {
  if (!cert || typeof cert.valid_to !== 'string') return undefined;
  const notAfter = Date.parse(cert.valid_to);
  if (Number.isNaN(notAfter)) return undefined;
  return {
    daysLeft: Math.floor((notAfter - now) / DAY_MS),
    expired: notAfter <= now,
    notAfter: new Date(notAfter).toISOString(),
    subjectCn: text(cert.subject?.CN),
    issuerCn: text(cert.issuer?.CN),
  };
}

/**
 * How worried to be about a certificate's remaining life: expired or under `criticalDays` is
 * down, under `warnDays` degraded. `message` is undefined when there is nothing to say (up).
 */
export function certVerdict(
  facts: CertFacts,
  warnDays: number,
  criticalDays = 0,
): { status: ProbeStatus; message?: string } {
  const day = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  if (facts.expired) {
    return { status: 'down', message: `certificate expired ${day(-facts.daysLeft)} ago (${facts.notAfter})` };
  }
  const expires = `certificate expires in ${day(facts.daysLeft)} (${facts.notAfter})`;
  if (facts.daysLeft < criticalDays) return { status: 'down', message: expires };
  if (facts.daysLeft < warnDays) return { status: 'degraded', message: expires };
  return { status: 'up' };
}

/**
 * The trust store for a check with `ca_file`: the private CA in addition to Node's public roots
 * (passing `ca` alone to tls would replace them). undefined means "Node's default".
 */
export async function trustedCas(caFile: string | undefined): Promise<string[] | undefined> {
  if (caFile === undefined) return undefined;
  return [...rootCertificates, await readFile(caFile, 'utf8')];
}

/** A ca_file that cannot be read is the check's failure, told without a stack. */
export function caFileError(caFile: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return `cannot read ca_file ${caFile}${code ? ` (${code})` : ''}`;
}
