import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { createNotifier } from './notify.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A stand-in for systemd's notify socket: prints each datagram as one JSON line. systemd-notify
// follows a message with BARRIER=1 carrying a pipe fd and waits until that fd is closed; we close
// every fd we receive (that is the reply) and leave out the barrier datagrams.
const receiver = `
import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("LISTENING"), flush=True)
while True:
    data, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(cdata[: len(cdata) - len(cdata) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    text = data.decode()
    if text.strip() != "BARRIER=1":
        print(json.dumps(text), flush=True)
`;

let proc: ChildProcess | undefined;
afterEach(() => {
  proc?.kill();
  proc = undefined;
});

async function startReceiver(socketPath: string): Promise<{ messages: string[] }> {
  const messages: string[] = [];
  const p = spawn('python3', ['-c', receiver, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  proc = p;
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    p.on('error', reject);
    p.on('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    p.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        const msg = JSON.parse(line) as string;
        if (msg === 'LISTENING') resolve();
        else messages.push(msg);
      }
    });
  });
  return { messages };
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('createNotifier', () => {
  it('sends READY, STATUS, watchdog pings and STOPPING through systemd-notify', async () => {
    const socketPath = join(dir, 'notify.sock');
    const { messages } = await startReceiver(socketPath);
    const n = createNotifier({
      env: { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) },
      logger: silentLogger(),
    });
    expect(n.enabled).toBe(true);
    expect(n.watchdogIntervalMs).toBe(100);
    n.ready();
    n.status('running 3 jobs');
    n.startWatchdog();
    n.startWatchdog(); // idempotent: still one timer
    await waitFor(() => messages.filter((m) => m === 'WATCHDOG=1').length >= 2);
    n.stopWatchdog();
    await n.flush();
    n.stopping();
    await n.flush();
    await waitFor(() => messages.includes('STOPPING=1'));

    expect(messages[0]).toBe(`READY=1\nMAINPID=${process.pid}`);
    expect(messages[1]).toBe('STATUS=running 3 jobs');
    expect(messages.at(-1)).toBe('STOPPING=1');
    const pings = messages.filter((m) => m === 'WATCHDOG=1').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(messages.filter((m) => m === 'WATCHDOG=1').length).toBe(pings); // stopped
  });

  it('is a no-op without NOTIFY_SOCKET', async () => {
    const n = createNotifier({ env: {}, logger: silentLogger() });
    expect(n.enabled).toBe(false);
    n.ready();
    n.startWatchdog();
    n.stopping();
    await n.flush();
  });

  it('ignores a watchdog meant for another process', () => {
    const env = { NOTIFY_SOCKET: join(dir, 'x.sock'), WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' };
    expect(createNotifier({ env, logger: silentLogger() }).watchdogIntervalMs).toBeNull();
  });

  it('warns once and stops trying when the binary is missing', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    const n = createNotifier({
      env: { NOTIFY_SOCKET: join(dir, 'x.sock') },
      logger,
      binary: join(dir, 'no-such-systemd-notify'),
    });
    n.ready();
    n.status('a');
    await n.flush();
    n.stopping();
    await n.flush();
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(/systemd-notify not found/);
  });

  it('logs a failed send at debug and carries on', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    const n = createNotifier({ env: { NOTIFY_SOCKET: join(dir, 'nobody-listens.sock') }, logger });
    n.ready();
    n.stopping();
    await n.flush();
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'systemd-notify failed');
    expect(failures).toHaveLength(2);
    expect(failures[0].level).toBe(20);
  });
});
