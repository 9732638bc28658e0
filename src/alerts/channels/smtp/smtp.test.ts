import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { closedPort, startSilentServer } from '../test-peers.js';
import { ChannelError } from '../types.js';
import { messageIdFor, smtpChannel } from './index.js';
import { type SmtpChannelConfig, smtpChannelSchema } from './schema.js';

// A real SMTP peer: smtp-server on 127.0.0.1 with STARTTLS (a self-signed certificate made by
// openssl, trusted through tls_ca_file) and AUTH PLAIN required (refused before STARTTLS).
const USER = 'alerts@example.org';
const PASSWORD = 'smtp-Pa55word-7d2e';
const REJECTED = 'nobody@example.org';

interface Mail {
  secure: boolean;
  user: unknown;
  rcpt: string[];
  headers: Record<string, string>;
  body: string;
}

function makeCert(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/** Splits a raw message into unfolded headers and a (quoted-printable decoded) body. */
function parseMail(raw: string, session: SMTPServerSession): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (headers['content-transfer-encoding'] === 'quoted-printable') {
    body = Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
  return {
    secure: session.secure,
    user: session.user,
    rcpt: session.envelope.rcptTo.map((a) => a.address),
    headers,
    body,
  };
}

async function startSmtp(opts: { key: string; cert: string; noStarttls?: boolean }) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    key: opts.key,
    cert: opts.cert,
    // The plain variant offers no STARTTLS and takes AUTH in the clear: only the client can refuse.
    disabledCommands: opts.noStarttls ? ['STARTTLS'] : [],
    allowInsecureAuth: opts.noStarttls ?? false,
    authMethods: ['PLAIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === USER && auth.password === PASSWORD) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address === REJECTED)
        return cb(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session));
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    drain: () => mails.splice(0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'steward-smtp-'));
const tls = makeCert(dir);
const parse = (input: object): SmtpChannelConfig =>
  smtpChannelSchema({ baseDir: dir }).parse({
    type: 'smtp',
    host: '127.0.0.1',
    username: USER,
    password: PASSWORD,
    from: 'Steward <steward@example.org>',
    to: ['ops@example.org', 'oncall@example.org'],
    tls_ca_file: 'cert.pem',
    ...input,
  });

runChannelContract('smtp', smtpChannel, async () => {
  const smtp = await startSmtp(tls);
  const silent = await startSilentServer();
  return {
    config: parse({ port: smtp.port }),
    received: async () => smtp.drain(),
    failingConfig: parse({ port: await closedPort() }),
    hangingConfig: parse({ port: silent.port }),
    stillOpen: () => silent.openConnections(),
    secrets: [PASSWORD],
    stop: async () => {
      await Promise.all([smtp.close(), silent.close()]);
    },
  };
});

describe('smtp channel', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let plain: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp(tls);
    plain = await startSmtp({ ...tls, noStarttls: true });
  });
  afterAll(async () => {
    await Promise.all([smtp?.close(), plain?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const failure = async (config: SmtpChannelConfig) => {
    const err = await smtpChannel
      .send(config, sampleNotification('firing'), channelContext())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as Error).message).not.toContain(PASSWORD);
    return err as ChannelError;
  };

  it('sends a plain-text mail over STARTTLS with auth, a stable Message-ID and the event header', async () => {
    const n = sampleNotification('firing', 'm1');
    const receipt = await smtpChannel.send(parse({ port: smtp.port }), n, channelContext());
    expect(receipt.detail).toMatch(/^250 /);
    const [mail, ...more] = smtp.drain();
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ secure: true, user: USER, rcpt: ['ops@example.org', 'oncall@example.org'] });
    expect(mail?.headers.subject).toBe(`[steward] ${n.title}`);
    expect(mail?.headers['message-id']).toBe(`<${n.id}@example.org>`);
    expect(mail?.headers['x-steward-event']).toBe('firing');
    expect(mail?.headers['content-type']).toMatch(/^text\/plain/);
    expect(mail?.body.trim()).toBe(n.text.replace(/\n/g, '\r\n'));
    expect(messageIdFor('01J/x', 'a@b.c')).toBe('<01J_x@b.c>');
  });

  it('does not retry a recipient rejected with 550', async () => {
    const err = await failure(parse({ port: smtp.port, to: [REJECTED] }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('550');
  });

  it('does not retry a wrong password', async () => {
    expect((await failure(parse({ port: smtp.port, password: 'wrong-password' }))).retryable).toBe(false);
  });

  it('refuses to send in the clear when STARTTLS is required but not offered', async () => {
    const err = await failure(parse({ port: plain.port }));
    expect(err.message).toMatch(/STARTTLS/i);
    expect(plain.drain()).toEqual([]);
    await smtpChannel.send(
      parse({ port: plain.port, starttls: false }),
      sampleNotification('firing'),
      channelContext(),
    );
    expect(plain.drain()).toMatchObject([{ secure: false, user: USER }]);
  });

  it('verifies the certificate unless told not to', async () => {
    const err = await failure(parse({ port: smtp.port, tls_ca_file: undefined }));
    expect(err.message).toMatch(/certificate/i);
    await smtpChannel.send(
      parse({ port: smtp.port, tls_ca_file: undefined, insecure_skip_verify: true, subject_prefix: '' }),
      sampleNotification('test', 'm2', 'Hello'),
      channelContext(),
    );
    expect(smtp.drain()[0]?.headers.subject).toBe('[TEST] Hello');
  });

  it('validates the addresses', () => {
    expect(parse({}).from).toBe('Steward <steward@example.org>');
    expect(() => parse({ to: [] })).toThrow();
    expect(() => parse({ from: 'not an address' })).toThrow(/e-mail address/);
    expect(() => parse({ password: undefined })).toThrow(/go together/);
    expect(parse({}).tls_ca_file).toBe(path.join(dir, 'cert.pem'));
  });
});
