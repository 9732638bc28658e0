import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './cli.js';

/**
 * A real Mosquitto 2 broker for tests, on a free loopback port, with a config the test writes
 * (the listener line is added here). As root, Mosquitto drops to the `mosquitto` user unless
 * `user root` is set, so it is. `restart()` reloads nothing: it starts a fresh process on the
 * same port with the same config (for reconnect tests); `reload()` sends SIGHUP.
 */
export interface TestMosquitto {
  port: number;
  url: string;
  dir: string;
  /** The config file the broker reads (the test may rewrite it, then reload()). */
  configFile: string;
  pidFile: string;
  log(): string;
  reload(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const BINARY = '/usr/sbin/mosquitto';

/** Whether something accepts TCP connections on 127.0.0.1:port (also used by bench/mqtt). */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `body` is the rest of mosquitto.conf (auth settings, persistence…); the listener is added. */
export async function startMosquitto(
  body = 'allow_anonymous true\n',
  opts: { dir?: string } = {},
): Promise<TestMosquitto> {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing (Debian package mosquitto)`);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stw-mq-'));
  const port = await freePort();
  const configFile = path.join(dir, 'mosquitto.conf');
  const pidFile = path.join(dir, 'mosquitto.pid');
  const logFile = path.join(dir, 'mosquitto.log');
  const asRoot = process.getuid?.() === 0;
  fs.writeFileSync(
    configFile,
    `${asRoot ? 'user root\n' : ''}pid_file ${pidFile}\nlog_dest file ${logFile}\nlog_type all\npersistence_location ${dir}/\nper_listener_settings false\nlistener ${port} 127.0.0.1\n${body}`,
  );
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(BINARY, ['-c', configFile], { stdio: 'ignore' });
    const proc = child;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    let exitedEarly = false;
    void exited.then(() => {
      exitedEarly = true;
    });
    while (!(await listening(port))) {
      if (exitedEarly || Date.now() > deadline) {
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
        throw new Error(`mosquitto did not start:\n${log.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
  };
  process.once('exit', () => child?.kill('SIGKILL'));
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    configFile,
    pidFile,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    reload: () => child?.kill('SIGHUP'),
    stop,
    start,
  };
}
