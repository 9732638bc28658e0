import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/**
 * A throwaway PostgreSQL 15 cluster for tests: initdb in a temp dir, TCP on 127.0.0.1 with
 * password auth for a `steward` superuser, unix sockets in the temp dir, fsync off. As root it
 * runs as the `postgres` user (the server refuses root). It is stopped by `stop()`, on process
 * exit, and — should the test process be killed outright — by a watchdog that outlives it.
 */
export interface TestPostgres {
  /** postgres://steward:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  password: string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs a SQL script (psql -X -At, stops on the first error) and returns its output, trimmed. */
  psql(url: string, sql: string): Promise<string>;
  stop(): Promise<void>;
}

const binDir = '/usr/lib/postgresql/15/bin';
const user = 'steward';
const password = 'steward-test-pw';
const asRoot = process.getuid?.() === 0;

/** argv that runs `command` as the postgres user when we are root. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function runSync(command: string, args: string[]): void {
  const [cmd, argv] = asPostgres(command, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(
      `${command} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export async function startPostgres(): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
    fs.chownSync(pwfile, uid, gid);
  }

  const [stopCmd, stopArgs] = asPostgres(path.join(binDir, 'pg_ctl'), [
    '-D',
    data,
    'stop',
    '-m',
    'immediate',
    '-w',
  ]);
  let stopped = false;
  let watchdog: ChildProcess | undefined;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    if (fs.existsSync(path.join(data, 'postmaster.pid'))) spawnSync(stopCmd, stopArgs, { stdio: 'ignore' });
    if (watchdog?.pid !== undefined) {
      try {
        process.kill(watchdog.pid);
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  try {
    runSync(path.join(binDir, 'initdb'), [
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = [
        'listen_addresses=127.0.0.1',
        `port=${port}`,
        `unix_socket_directories=${dir}`,
        'fsync=off',
        'synchronous_commit=off',
        'full_page_writes=off',
        'max_connections=30',
        'shared_buffers=16MB',
      ];
      try {
        const log = path.join(dir, 'server.log');
        runSync(path.join(binDir, 'pg_ctl'), [
          '-D',
          data,
          '-l',
          log,
          '-w',
          '-t',
          '60',
          '-o',
          settings.map((s) => `-c ${s}`).join(' '),
          'start',
        ]);
        break;
      } catch (err) {
        // Another process may have taken the port between freePort() and the server's bind.
        if (attempt >= 3) throw err;
      }
    }

    // If this process dies without running exit handlers (SIGKILL), the server must not outlive it.
    watchdog = spawn(
      '/bin/sh',
      [
        '-c',
        `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${[stopCmd, ...stopArgs].map(q).join(' ')}; rm -rf ${q(dir)}`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    watchdog.unref();

    const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
    const psql = async (target: string, sql: string) => {
      const result = await execa(
        'psql',
        ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', `--dbname=${target}`, '-f', '-'],
        {
          input: sql,
        },
      );
      return result.stdout.trim();
    };
    return {
      url,
      port,
      password,
      psql,
      async createDatabase(name) {
        await psql(url, `CREATE DATABASE "${name.replaceAll('"', '""')}"`);
        return `postgres://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(name)}`;
      },
      async stop() {
        process.removeListener('exit', stopSync);
        stopSync();
      },
    };
  } catch (err) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw err;
  }
}
