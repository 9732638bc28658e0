import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { liveGroupMembers, readProcStat } from '../../core/proc.js';
import { readLogs } from './log-reader.js';
import { startSupervised } from './supervisor.js';
import type { ExitInfo, Supervised, SupervisedSpec, SupervisedState } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'steward-runner-'));
const started: Supervised[] = [];
let seq = 0;

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Starts a supervised command in fresh directories and records every state and exit it reports. */
function run(command: string, extra: Partial<SupervisedSpec> = {}) {
  const dir = join(root, `s${++seq}`);
  const logDir = join(dir, 'logs');
  const states: SupervisedState[] = [];
  const exits: ExitInfo[] = [];
  const sup = startSupervised({ name: `svc${seq}`, command, cwd: root, logDir, stopGraceMs: 2000, ...extra });
  started.push(sup);
  sup.on('state', (s) => states.push(s));
  sup.on('exit', (e) => exits.push(e));
  const log = () => {
    try {
      return readFileSync(join(logDir, 'current.log'), 'utf8');
    } catch {
      return '';
    }
  };
  return { sup, logDir, states, exits, log };
}

/** Polls until `cond` holds; the limit is a hang guard, not a timing assertion. */
async function waitFor(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function gone(pid: number, pgid: number): boolean {
  const st = readProcStat(pid);
  return st === null || st.state === 'Z' || st.state === 'X' || st.pgrp !== pgid;
}

const ts = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

describe('startSupervised', () => {
  it('logs stdout and stderr with timestamps and stream names, and a partial last line on exit', async () => {
    const { sup, logDir, states, exits, log } = run(
      "echo hello; echo oops >&2; printf 'no newline'; exec sleep 1000",
    );
    await waitFor(() => log().includes('stderr oops') && sup.state === 'running', 'output');
    expect(sup.pid).toBeGreaterThan(0);
    const pid = sup.pid;
    await sup.stop();
    expect(sup.state).toBe('stopped');
    expect(sup.pid).toBeNull();
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(exits).toHaveLength(1);
    expect(exits[0]?.signal).toBe('SIGTERM');
    const text = log();
    expect(text).toMatch(new RegExp(`^${ts} steward started pid ${pid}$`, 'm'));
    expect(text).toMatch(new RegExp(`^${ts} stdout hello$`, 'm'));
    expect(text).toMatch(new RegExp(`^${ts} stderr oops$`, 'm'));
    expect(text).toMatch(new RegExp(`^${ts} stdout no newline$`, 'm'));
    expect(text).toMatch(new RegExp(`^${ts} steward exited signal SIGTERM\n$`, 'm'));
    expect(statSync(logDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(logDir, 'current.log')).mode & 0o777).toBe(0o600);
  });

  it('restarts a failing command with exponential backoff and counts the restarts', async () => {
    const { sup, states, exits, log } = run('echo attempt; exit 1', {
      restart: { initialDelayMs: 20, maxDelayMs: 80 },
      crashLoop: { restarts: 100, withinMs: 60_000 },
    });
    await waitFor(() => sup.restarts >= 4, 'four restarts');
    // The exits before stop(): stop() may catch a fifth attempt running and end it with a signal.
    const failed = exits.slice();
    await sup.stop();
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed.every((e) => e.exitCode === 1 && e.signal === null)).toBe(true);
    expect(states.slice(0, 6)).toEqual(['starting', 'running', 'backoff', 'starting', 'running', 'backoff']);
    expect(states).not.toContain('crash-loop');
    const delays = [...log().matchAll(/steward restarting in (\d+)ms/g)].map((m) => Number(m[1]));
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]);
    expect(log()).toContain('steward exited code 1');
    expect(log().match(/stdout attempt/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('restarts a command that exits cleanly too', async () => {
    const { sup, exits } = run('exit 0', { restart: { initialDelayMs: 10 } });
    await waitFor(() => sup.restarts >= 1, 'a restart');
    expect(exits[0]?.exitCode).toBe(0);
  });

  it('reports a crash loop, keeps retrying at the longest delay, and recovers when the command is fixed', async () => {
    const counter = join(root, 'crash-counter');
    // Fails five times, then "the fixed release" stays up.
    const cmd = `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; [ $n -gt 5 ] && exec sleep 1000; exit 2`;
    const crashInfo: { exitCode?: number | null }[] = [];
    const { sup, states, log } = run(cmd, {
      restart: { initialDelayMs: 10, maxDelayMs: 50 },
      crashLoop: { restarts: 3, withinMs: 60_000 },
    });
    sup.on('state', (s, info) => {
      if (s === 'crash-loop') crashInfo.push(info);
    });
    await waitFor(() => states.includes('crash-loop'), 'crash-loop');
    expect(crashInfo[0]?.exitCode).toBe(2);
    await waitFor(() => sup.restarts >= 5 && sup.state === 'running', 'recovery');
    const delays = [...log().matchAll(/steward restarting in (\d+)ms/g)].map((m) => Number(m[1]));
    // Two backoff delays, then the crash loop at maxDelayMs.
    expect(delays).toEqual([10, 20, 50, 50, 50]);
    expect(states.filter((s) => s === 'crash-loop')).toHaveLength(3);
    expect(states.at(-1)).toBe('running');
  });

  it('stop() kills the whole process group, grandchildren included', async () => {
    const { sup } = run('sleep 1000 & sleep 1000');
    await waitFor(() => sup.pid !== null && (liveGroupMembers(sup.pid) ?? []).length >= 2, 'the group');
    const pgid = sup.pid!;
    const members = liveGroupMembers(pgid) ?? [];
    expect(members.length).toBeGreaterThanOrEqual(2);
    await sup.stop();
    for (const pid of members) expect(gone(pid, pgid)).toBe(true);
    expect(liveGroupMembers(pgid)).toEqual([]);
    expect(sup.restarts).toBe(0);
  });

  it('SIGKILLs a group that ignores SIGTERM once stopGraceMs has passed', async () => {
    const { sup, exits, log } = run('trap "" TERM; sleep 1000 & sleep 1000', { stopGraceMs: 300 });
    await waitFor(() => sup.pid !== null && (liveGroupMembers(sup.pid) ?? []).length >= 2, 'the group');
    const pgid = sup.pid!;
    const members = liveGroupMembers(pgid) ?? [];
    await sup.stop();
    for (const pid of members) expect(gone(pid, pgid)).toBe(true);
    expect(exits[0]?.signal).toBe('SIGKILL');
    expect(log()).toContain('steward exited signal SIGKILL');
  });

  it('gives the child a minimal environment plus its own variables, never the daemon’s secrets', async () => {
    process.env.STEWARD_TEST_SECRET = 'hunter2-secret';
    try {
      const { sup, log } = run('env; echo env-done; exec sleep 1000', { env: { APP_MODE: 'blue' } });
      await waitFor(() => log().includes('stdout env-done'), 'env output');
      await sup.stop();
      const text = log();
      expect(text).toContain('stdout APP_MODE=blue');
      expect(text).toMatch(/stdout PATH=/);
      expect(text).not.toContain('hunter2-secret');
      expect(text).not.toContain('STEWARD_TEST_SECRET');
    } finally {
      delete process.env.STEWARD_TEST_SECRET;
    }
  });

  it('rotates current.log at maxLogBytes and keeps only keepLogFiles rotated files', async () => {
    const cmd =
      'i=0; while [ $i -lt 400 ]; do echo "line $i padding-padding"; i=$((i+1)); done; echo finished; exec sleep 1000';
    const { sup, logDir, log } = run(cmd, { maxLogBytes: 2000, keepLogFiles: 2 });
    await waitFor(() => log().includes('stdout finished'), 'all output');
    await sup.stop();
    const files = readdirSync(logDir).sort();
    expect(files).toEqual(['current.log', 'current.log.1', 'current.log.2']);
    for (const f of files) expect(statSync(join(logDir, f)).size).toBeLessThanOrEqual(2000);
    // What is kept is the newest output, in order, with nothing lost across the rotations.
    const lines: string[] = [];
    for await (const line of readLogs(logDir, {})) lines.push(line);
    const numbers = lines
      .map((l) => /stdout line (\d+) /.exec(l)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    expect(numbers.length).toBeGreaterThan(10);
    expect(numbers.at(-1)).toBe(399);
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) + i));
  });

  it('reports a missing working directory as a failed start and keeps retrying', async () => {
    const { sup, log, exits } = run('true', { cwd: join(root, 'nope'), restart: { initialDelayMs: 10 } });
    await waitFor(() => sup.restarts >= 1, 'a retry');
    expect(log()).toContain('failed to start: working directory');
    expect(exits[0]).toMatchObject({ exitCode: null, signal: null });
  });
});
