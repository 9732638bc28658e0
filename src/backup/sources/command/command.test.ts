import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcStat } from '../../../core/proc.js';
import { drillContext, materialize, readEntry, sourceContext, tempDir } from '../test-support.js';
import { commandSource } from './index.js';
import { type CommandSourceConfig, commandSourceSchema } from './schema.js';

const dirs: string[] = [];
async function dir(prefix = 'steward-cmd-'): Promise<string> {
  const d = await tempDir(prefix);
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function config(written: Record<string, unknown>): CommandSourceConfig {
  return commandSourceSchema({ baseDir: '/' }).parse({ type: 'command', name: 'export', ...written });
}

/** Zombies do not count: where PID 1 does not reap orphans, they linger but hold nothing. */
function alive(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

describe('command source schema', () => {
  it('defaults output from whether run mentions {dir}', () => {
    expect(config({ run: 'dump > {dir}/x' }).output).toBe('dir');
    expect(config({ run: 'dump' }).output).toBe('stdout');
    expect(config({ run: 'dump > {dir}/x', output: 'stdout' }).output).toBe('stdout');
    expect(() => config({ run: 'dump', output: 'dir' })).toThrow(/needs \{dir\}/);
  });
});

describe('command source', () => {
  it('backs up the files written into {dir}, even when the scratch path needs quoting', async () => {
    const scratch = await dir("steward cmd 'quoted' ");
    const ctx = sourceContext(scratch);
    const cfg = config({
      run: 'mkdir -p {dir}/sub && printf hi > {dir}/sub/a.txt && printf top > "$STEWARD_DIR/top.txt"',
    });
    const snap = await commandSource.snapshot(cfg, ctx);
    const out = await dir();
    const entries = await materialize(snap.entries, out);
    expect(entries.map((e) => e.path)).toEqual(['sub', 'sub/a.txt', 'top.txt']);
    expect(await readFile(path.join(out, 'sub/a.txt'), 'utf8')).toBe('hi');
    await snap.cleanup();
    expect(await readdir(scratch)).toEqual([]);
  });

  it('backs up standard output as "stdout"', async () => {
    const scratch = await dir();
    const snap = await commandSource.snapshot(
      config({ run: "printf 'hello\\nworld' # comment" }),
      sourceContext(scratch),
    );
    const entries = [];
    for await (const e of snap.entries) entries.push({ e, content: (await readEntry(e)).toString() });
    expect(entries.map(({ e, content }) => [e.path, e.size, content])).toEqual([
      ['stdout', 11, 'hello\nworld'],
    ]);
    await snap.cleanup();
    expect(await readdir(scratch)).toEqual([]);
  });

  it('fails on a non-zero exit with the end of stderr, leaving no scratch files', async () => {
    const scratch = await dir();
    const cfg = config({ run: 'echo first >&2; echo second >&2; exit 3' });
    const err = await commandSource.snapshot(cfg, sourceContext(scratch)).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^command source export: run command exited with code 3: second\nfirst\nsecond$/,
    );
    expect(await readdir(scratch)).toEqual([]);
  });

  it('kills the whole process group when aborted', async () => {
    const scratch = await dir();
    const pidFile = path.join(await dir(), 'pid');
    const controller = new AbortController();
    const run = commandSource.snapshot(
      config({ run: `sleep 30 & echo $! > ${pidFile}; wait` }),
      sourceContext(scratch, controller.signal),
    );
    for (let i = 0; i < 100 && !(await readFile(pidFile, 'utf8').catch(() => '')); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    const started = Date.now();
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(alive(pid)).toBe(false);
  });

  it('times out', async () => {
    const cfg = config({ run: 'sleep 5', timeout: '200ms' });
    await expect(commandSource.snapshot(cfg, sourceContext(await dir()))).rejects.toThrow(
      /timed out after 200 ms/,
    );
  });

  it('refuses a stdout-mode command that also writes {dir}/stdout', async () => {
    const cfg = config({ run: 'echo x > {dir}/stdout; echo y', output: 'stdout' });
    await expect(commandSource.snapshot(cfg, sourceContext(await dir()))).rejects.toThrow(
      /wrote \{dir\}\/stdout/,
    );
  });

  it('restores and checks with the configured commands, and says where the files are without one', async () => {
    const extracted = await dir();
    const target = path.join(await dir(), 'restored.txt');
    await writeFile(path.join(extracted, 'stdout'), 'data\n');
    const cfg = config({
      run: 'cat x',
      restore: `cp {dir}/stdout ${target}`,
      check: 'grep -c data {dir}/stdout',
    });
    await commandSource.restoreInPlace(cfg, extracted, drillContext(extracted));
    expect(await readFile(target, 'utf8')).toBe('data\n');
    expect(await commandSource.drillCheck(cfg, extracted, drillContext(extracted))).toEqual({
      ok: true,
      message: 'check command succeeded: 1',
    });
    await writeFile(path.join(extracted, 'stdout'), 'garbage\n');
    expect((await commandSource.drillCheck(cfg, extracted, drillContext(extracted))).ok).toBe(false);

    const bare = config({ run: 'cat x' });
    await expect(commandSource.restoreInPlace(bare, extracted, drillContext(extracted))).rejects.toThrow(
      `source export has no restore command; files are in ${extracted}`,
    );
    expect(await commandSource.drillCheck(bare, extracted, drillContext(extracted))).toMatchObject({
      ok: true,
    });
    await mkdir(path.join(extracted, 'empty'));
    expect(
      (await commandSource.drillCheck(bare, path.join(extracted, 'empty'), drillContext(extracted))).ok,
    ).toBe(false);
  });
});
