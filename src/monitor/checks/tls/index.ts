import net from 'node:net';
import tls from 'node:tls';
import { caFileError, certFacts, certVerdict, trustedCas } from '../net-shared/cert.js';
import { describeNetError } from '../net-shared/errors.js';
import { hostPort } from '../net-shared/fields.js';
import { settleOnce } from '../net-shared/probe.js';
import type { CheckDriver } from '../types.js';
import type { TlsCheckConfig } from './schema.js';

export const tlsCheck: CheckDriver<TlsCheckConfig> = {
  async probe(config, ctx) {
    const target = hostPort(config.host, config.port);
    let ca: string[] | undefined;
    try {
      ca = await trustedCas(config.ca_file);
    } catch (err) {
      return { status: 'down', message: caFileError(config.ca_file ?? '', err) };
    }
    const serverName = config.server_name ?? config.host;
    return settleOnce(ctx, (done) => {
      const started = performance.now();
      const socket = tls.connect({
        host: config.host,
        port: config.port,
        // RFC 6066 forbids an IP address as SNI (Node warns); the identity check still uses it.
        servername: net.isIP(serverName) ? undefined : serverName,
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(serverName, cert),
        rejectUnauthorized: !config.insecure_skip_verify,
        ca,
      });
      socket.on('error', (err) => done({ status: 'down', message: describeNetError(err, target) }));
      socket.once('secureConnect', () => {
        const latencyMs = Math.round(performance.now() - started);
        const facts = certFacts(socket.getPeerCertificate());
        if (!facts) {
          done({ status: 'down', message: `no certificate from ${target}`, latencyMs });
          return;
        }
        const verdict = certVerdict(facts, config.warn_days, config.critical_days);
        const untrusted = socket.authorized ? '' : ` (not verified: ${socket.authorizationError})`;
        done({
          status: verdict.status,
          message:
            (verdict.message ?? `certificate valid for ${facts.daysLeft} days (${facts.notAfter})`) +
            untrusted,
          latencyMs,
          details: {
            days_left: facts.daysLeft,
            not_after: facts.notAfter,
            subject_cn: facts.subjectCn,
            issuer_cn: facts.issuerCn,
          },
        });
      });
      return () => socket.destroy();
    });
  },
};
