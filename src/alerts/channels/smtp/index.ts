import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { displayTitle } from '../format.js';
import { channelError } from '../http.js';
import type { ChannelDriver } from '../types.js';
import { ChannelError } from '../types.js';
import type { SmtpChannelConfig } from './schema.js';

export { type SmtpChannelConfig, smtpChannelSchema } from './schema.js';

/**
 * E-mail through nodemailer, one connection per notification (no pool): a plain-text message
 * with the subject "<subject_prefix> <title>", a Message-ID derived from the notification id
 * (a retry carries the same one, so mail systems can drop duplicates), and the headers
 * X-Steward-Event / X-Steward-Delivery / Auto-Submitted. SMTP 5xx replies (but 503) are
 * permanent; 4xx replies, connection and timeout errors are retried.
 */

/** The Message-ID of a notification: `<id@domain of the sender>`. */
export function messageIdFor(notificationId: string, from: string): string {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  const domain = address.split('@').pop() || 'steward.invalid';
  return `<${notificationId.replace(/[^A-Za-z0-9._-]/g, '_')}@${domain}>`;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  message?: string;
}

/** Maps a nodemailer error: permanent SMTP replies, auth and TLS setup errors are not retried. */
export function smtpError(err: unknown, secrets: string[]): ChannelError {
  if (err instanceof ChannelError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SmtpFailure;
  const message = `smtp: ${e.message ?? 'failed'}`;
  if (e.code === 'EABORT') return channelError(`smtp: delivery aborted`, true, secrets);
  if (e.responseCode !== undefined) {
    const permanent = e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503;
    return channelError(message, !permanent, secrets);
  }
  const configError = ['EAUTH', 'ENOAUTH', 'ETLS', 'ECONFIG', 'EENVELOPE'].includes(e.code ?? '');
  return channelError(message, !configError, secrets);
}

export const smtpChannel: ChannelDriver<SmtpChannelConfig> = {
  async send(config, n, ctx) {
    const secrets = smtpSecrets(config);
    const { signal } = ctx;
    if (signal.aborted) throw channelError('smtp: delivery aborted before start', true, secrets);
    let ca: Buffer | undefined;
    if (config.tls_ca_file) {
      try {
        ca = await readFile(config.tls_ca_file);
      } catch (err) {
        throw channelError(`smtp: cannot read tls_ca_file: ${(err as Error).message}`, false, secrets);
      }
    }
    // Loaded on first use: nodemailer is the largest module a daemon without mail would load.
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({
      pool: false,
      host: config.host,
      port: config.port ?? (config.secure ? 465 : 587),
      secure: config.secure,
      requireTLS: !config.secure && config.starttls,
      auth: config.username ? { user: config.username, pass: config.password } : undefined,
      tls: {
        ca,
        rejectUnauthorized: !config.insecure_skip_verify,
        ...(isIP(config.host) ? {} : { servername: config.host }),
      },
      logger: false,
    });
    const onAbort = () => transport.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const title = displayTitle(n);
      const info = await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: config.subject_prefix ? `${config.subject_prefix} ${title}` : title,
        text: n.text || title,
        messageId: messageIdFor(n.id, config.from),
        headers: {
          'X-Steward-Event': n.kind,
          'X-Steward-Delivery': n.id,
          'Auto-Submitted': 'auto-generated',
        },
        signal,
      });
      const rejected = info.rejected.length ? ` (rejected: ${info.rejected.join(', ')})` : '';
      return { detail: `${info.response}${rejected}` };
    } catch (err) {
      throw smtpError(err, secrets);
    } finally {
      signal.removeEventListener('abort', onAbort);
      transport.close();
    }
  },
  secrets: smtpSecrets,
};

function smtpSecrets(config: SmtpChannelConfig): string[] {
  if (!config.password) return [];
  const plain = Buffer.from(`\0${config.username ?? ''}\0${config.password}`).toString('base64');
  return [config.password, plain];
}
