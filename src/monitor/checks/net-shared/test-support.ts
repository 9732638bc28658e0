import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Helpers for the http/tcp/tls check tests (not used at run time): real listeners on 127.0.0.1
 * and certificates made with the openssl CLI (OpenSSL 3.0 has no `x509 -not_after`, so leaves
 * are signed with `openssl ca`, whose -startdate/-enddate can also make an expired one).
 */
const run = promisify(execFile);

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestCerts {
  dir: string;
  /** Path of the test CA's certificate, for `ca_file`. */
  caFile: string;
  /** Leaves for 127.0.0.1/localhost signed by the test CA. */
  valid: KeyPair;
  nearExpiry: KeyPair;
  expired: KeyPair;
  /** Not signed by anyone: untrusted unless insecure_skip_verify. */
  selfSigned: KeyPair;
  cleanup(): Promise<void>;
}

const caConfig = (dir: string) => `
[ req ]
distinguished_name = dn
[ dn ]
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ${dir}/index.txt
new_certs_dir = ${dir}
serial = ${dir}/serial
default_md = sha256
policy = any
unique_subject = no
x509_extensions = leaf_ext
[ any ]
commonName = supplied
[ leaf_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
`;

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-certs-'));
  const file = (name: string) => path.join(dir, name);
  const config = file('openssl.cnf');
  await writeFile(config, caConfig(dir));
  await writeFile(file('index.txt'), '');
  await writeFile(file('serial'), '1000\n');
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });

  const subject = (cn: string) => ['-subj', `/CN=${cn}`];
  const pair = async (name: string): Promise<KeyPair> => ({
    key: await readFile(file(`${name}.key`), 'utf8'),
    cert: await readFile(file(`${name}.pem`), 'utf8'),
  });

  await openssl(
    'req',
    '-x509',
    ...ecKey,
    '-config',
    config,
    '-extensions',
    'ca_ext',
    '-days',
    '30',
    ...subject('Steward Test CA'),
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  const leaf = async (name: string, validity: string[]) => {
    await openssl(
      'req',
      '-new',
      ...ecKey,
      '-config',
      config,
      ...subject('localhost'),
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    await openssl(
      'ca',
      '-batch',
      '-notext',
      '-config',
      config,
      '-cert',
      file('ca.pem'),
      '-keyfile',
      file('ca.key'),
      '-in',
      file(`${name}.csr`),
      '-out',
      file(`${name}.pem`),
      ...validity,
    );
    return pair(name);
  };
  const valid = await leaf('valid', ['-days', '30']);
  const nearExpiry = await leaf('near', ['-days', '5']);
  const expired = await leaf('expired', ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']);
  await openssl(
    'req',
    '-x509',
    ...ecKey,
    '-config',
    config,
    '-days',
    '30',
    ...subject('self-signed.test'),
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    file('self.key'),
    '-out',
    file('self.pem'),
  );
  const selfSigned = await pair('self');

  return {
    dir,
    caFile: file('ca.pem'),
    valid,
    nearExpiry,
    expired,
    selfSigned,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Starts a server on 127.0.0.1 and resolves its port. */
export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

/** A port nothing listens on (just released), for "connection refused". */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts connections and never answers: the target a probe must give up on. */
export async function hangServer(): Promise<{ port: number; openSockets(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // Read (and drop) what arrives, or the client's FIN is never seen and 'close' never comes.
    socket.resume();
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    /** Connections the probe has not closed yet: 0 soon after an aborted probe. */
    openSockets: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Closes a server and every connection it still holds. */
export async function closeServer(server: net.Server & { closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}
