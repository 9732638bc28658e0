import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProcStat } from '../../../core/proc.js';
import { probeContext, runCheckDriverContract } from '../contract.js';
import { commandCheck, commandCheckSchema } from './index.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'steward-cmd-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const parse = (input: Record<string, unknown>) =>
  commandCheckSchema({ baseDir: tmp }).parse({ type: 'command', ...input });
const probe = (input: Record<string, unknown>) => commandCheck.probe(parse(input), probeContext());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Gone, or a zombie waiting for a reaper (it holds nothing); polled, since SIGKILL lands asynchronously. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const st = readProcStat(pid);
    if (st === null || st.state === 'Z' || st.state === 'X') return true;
    await sleep(20);
  }
  return false;
}

runCheckDriverContract('command', commandCheck, async () => ({
  up: parse({ run: 'echo all good' }),
  down: parse({ run: 'echo broken >&2; exit 1' }),
  hang: parse({ run: 'sleep 3600' }),
}));

describe('command check', () => {
  it('takes the first non-empty stdout line as the message, with exit code and run time', async () => {
    const result = await probe({ run: 'echo; echo "  3 jobs queued  "; echo second; echo err >&2' });
    expect(result).toMatchObject({ status: 'up', message: '3 jobs queued', details: { exit_code: 0 } });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('falls back to stderr, then to the exit code', async () => {
    expect(await probe({ run: 'echo "disk on fire" >&2; exit 1' })).toMatchObject({
      status: 'down',
      message: 'disk on fire',
    });
    expect(await probe({ run: 'exit 3' })).toMatchObject({ status: 'down', message: 'exited with code 3' });
  });

  it('maps degraded_exit_codes to degraded and other failures to down (Nagios style)', async () => {
    const nagios = { degraded_exit_codes: [1] };
    expect((await probe({ run: 'echo WARNING; exit 1', ...nagios })).status).toBe('degraded');
    expect((await probe({ run: 'echo CRITICAL; exit 2', ...nagios })).status).toBe('down');
    expect((await probe({ run: 'exit 1' })).status).toBe('down');
  });

  it('runs in the config directory by default, or in cwd, with env added', async () => {
    await mkdir(path.join(tmp, 'sub'), { recursive: true });
    expect((await probe({ run: 'pwd' })).message).toBe(tmp);
    expect((await probe({ run: 'pwd', cwd: 'sub' })).message).toBe(path.join(tmp, 'sub'));
    expect((await probe({ run: 'echo "$GREETING"', env: { GREETING: 'hi there' } })).message).toBe(
      'hi there',
    );
    expect(await probe({ run: 'true', cwd: 'nope' })).toEqual({
      status: 'down',
      message: `no such working directory: ${path.join(tmp, 'nope')}`,
    });
  });

  it('caps the message and reads a large output without blocking the command', async () => {
    const result = await probe({ run: "head -c 3000000 /dev/zero | tr '\\0' a; echo; echo done" });
    expect(result.status).toBe('up');
    expect(result.message).toHaveLength(200);
    expect(result.message.endsWith('…')).toBe(true);
  });

  it('reports a command killed by a signal as down', async () => {
    expect(await probe({ run: 'kill -9 $$' })).toMatchObject({
      status: 'down',
      message: 'killed by SIGKILL',
      details: { signal: 'SIGKILL' },
    });
  });

  it('kills the whole process group on abort, grandchildren included', async () => {
    const pidFile = path.join(tmp, 'hang.pid');
    const script = path.join(tmp, 'hang.sh');
    await writeFile(script, `#!/bin/sh\nsleep 3600 &\necho $! > ${pidFile}\nwait\n`, { mode: 0o755 });
    const controller = new AbortController();
    const pending = commandCheck.probe(parse({ run: './hang.sh' }), probeContext(300, controller.signal));
    let pid = '';
    for (let i = 0; i < 200 && pid === ''; i++) {
      await sleep(10);
      pid = (await readFile(pidFile, 'utf8').catch(() => '')).trim();
    }
    expect(pid).toMatch(/^\d+$/);
    expect(readProcStat(Number(pid))).not.toBeNull();
    controller.abort();
    expect(await pending).toEqual({ status: 'down', message: 'timed out after 300 ms' });
    expect(await gone(Number(pid))).toBe(true);
  });

  it('does not leave background processes behind when the command exits', async () => {
    const pidFile = path.join(tmp, 'bg.pid');
    const result = await probe({ run: `sleep 3600 & echo $! > ${pidFile}; echo started` });
    expect(result).toMatchObject({ status: 'up', message: 'started' });
    expect(await gone(Number(await readFile(pidFile, 'utf8')))).toBe(true);
  });
});

describe('command check schema', () => {
  it('applies the defaults', () => {
    const config = parse({ run: './check-something.sh', interval: '1m' });
    expect(config).toMatchObject({ cwd: tmp, env: {}, degraded_exit_codes: [], interval: 60_000 });
  });

  it('refuses bad input', () => {
    for (const bad of [
      {},
      { run: '' },
      { run: 'true', degraded_exit_codes: [0] },
      { run: 'true', degraded_exit_codes: [256] },
      { run: 'true', env: { 'BAD-NAME': 'x' } },
      { run: 'true', name: 'script' },
      { run: 'true', command: 'true' },
    ]) {
      const result = commandCheckSchema({ baseDir: tmp }).safeParse({ type: 'command', ...bad });
      expect(result.success, JSON.stringify(bad)).toBe(false);
    }
  });
});
