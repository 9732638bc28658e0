import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from '../../../test/support/mosquitto.js';
import { StewardError } from '../../core/errors.js';
import { type ApplyMosquittoResult, type ApplyMosquittoSpec, applyMosquitto } from './apply.js';
import { parsePasswdFile } from './files.js';

// One broker for the file, started after the first apply (which thus finds it not running);
// the steps build on each other in order.

const passwords = ['pw-alice-17f3', 'pw-alice-28e4', 'pw-bob-39d5', 'pw-carol-4ac6'];
const aliceAcl = [{ topic: 'alice/#', access: 'readwrite' as const }];

let dir: string;
let broker: TestMosquitto | undefined;
let sleeper: ChildProcess | undefined;
const clients: MqttClient[] = [];
const results: ApplyMosquittoResult[] = [];

function spec(
  users: ApplyMosquittoSpec['users'],
  extra: Partial<ApplyMosquittoSpec> = {},
): ApplyMosquittoSpec {
  return {
    dir,
    users,
    patterns: [{ topic: 'nodes/%u/#', access: 'readwrite' }],
    listeners: [{ port: 18830, bind: '127.0.0.1' }],
    ...extra,
  };
}

async function apply(s: ApplyMosquittoSpec): Promise<ApplyMosquittoResult> {
  const r = await applyMosquitto(s);
  results.push(r);
  return r;
}

const fileOf = (r: ApplyMosquittoResult, name: string) => r.files.find((f) => f.path === join(dir, name))!;
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const snapshot = () =>
  ['steward.conf', 'passwd', 'acl'].map((n) => {
    const st = statSync(join(dir, n));
    return { n, ino: st.ino, mtime: st.mtimeMs, text: read(n) };
  });

async function tryConnect(username: string, password: string): Promise<MqttClient | Error> {
  try {
    const c = await connectAsync(broker!.url, {
      username,
      password,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    clients.push(c);
    return c;
  } catch (err) {
    return err as Error;
  }
}

/** SIGHUP is handled on the broker's next loop turn: poll until the user gets in (hang guard only). */
async function eventuallyConnects(username: string, password: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last: MqttClient | Error = new Error('never tried');
  while (Date.now() < deadline) {
    last = await tryConnect(username, password);
    if (!(last instanceof Error)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${username} could not connect: ${(last as Error).message}`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stw-mqapply-'));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  sleeper?.kill('SIGKILL');
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (broker) rmSync(broker.dir, { recursive: true, force: true });
});

describe('applyMosquitto', () => {
  it('writes the three files (0640) when the broker is not running, and says so', async () => {
    const r = await apply(
      spec([{ name: 'alice', password: passwords[0]!, acl: aliceAcl }], {
        reload: { pidFile: join(dir, 'none.pid') },
      }),
    );
    expect(r.reloaded).toBe('not-running');
    expect(r.usersChanged).toEqual(['alice']);
    expect(r.files.map((f) => [f.path.slice(dir.length + 1), f.changed])).toEqual([
      ['steward.conf', true],
      ['passwd', true],
      ['acl', true],
    ]);
    for (const n of ['steward.conf', 'passwd', 'acl'])
      expect(statSync(join(dir, n)).mode & 0o777).toBe(0o640);
    expect(fileOf(r, 'passwd').diff).toMatch(/^--- \/dev\/null\n\+\+\+ b\/passwd\n/);
    expect(fileOf(r, 'passwd').diff).toContain('+alice:$7$…');
    expect(read('acl')).toContain('user alice\ntopic readwrite alice/#\n');
    expect(read('steward.conf')).toContain(`password_file ${join(dir, 'passwd')}\n`);

    broker = await startMosquitto(
      `allow_anonymous false\npassword_file ${dir}/passwd\nacl_file ${dir}/acl\n`,
    );
    expect(await tryConnect('alice', passwords[0]!)).not.toBeInstanceOf(Error);
  });

  it('rewrites nothing and reloads nothing on a second run with the same config', async () => {
    const before = snapshot();
    const r = await apply(
      spec([{ name: 'alice', password: passwords[0]!, acl: aliceAcl }], {
        reload: { pidFile: broker!.pidFile },
      }),
    );
    expect(r.files.every((f) => !f.changed && f.diff === '')).toBe(true);
    expect(r.usersChanged).toEqual([]);
    expect(r.reloaded).toBe('none');
    expect(snapshot()).toEqual(before);
  });

  it('dry run reports the change but writes and reloads nothing', async () => {
    const before = snapshot();
    const r = await apply(
      spec([{ name: 'alice', password: passwords[1]!, acl: aliceAcl }], {
        reload: { pidFile: broker!.pidFile },
        dryRun: true,
      }),
    );
    expect(r.reloaded).toBe('dry-run');
    expect(r.usersChanged).toEqual(['alice']);
    expect(fileOf(r, 'passwd').changed).toBe(true);
    expect(snapshot()).toEqual(before);
    expect(await tryConnect('alice', passwords[0]!)).not.toBeInstanceOf(Error);
  });

  it('changes only the changed user, adds a new one and SIGHUPs the live broker into using them', async () => {
    const oldHashes = parsePasswdFile(read('passwd'));
    // carol first, unchanged afterwards, so "only alice's line" has a neighbour to keep.
    await apply(
      spec(
        [
          { name: 'carol', password: passwords[3]!, acl: [] },
          { name: 'alice', password: passwords[0]!, acl: aliceAcl },
        ],
        { reload: { pidFile: broker!.pidFile } },
      ),
    );
    await eventuallyConnects('carol', passwords[3]!);
    const mid = parsePasswdFile(read('passwd'));
    expect(mid.get('alice')).toBe(oldHashes.get('alice'));

    const r = await apply(
      spec(
        [
          { name: 'carol', password: passwords[3]!, acl: [] },
          { name: 'alice', password: passwords[1]!, acl: aliceAcl },
          { name: 'bob', password: passwords[2]!, acl: [{ topic: 'bob/#', access: 'read' }] },
        ],
        { reload: { pidFile: broker!.pidFile } },
      ),
    );
    expect(r.reloaded).toBe('signal');
    expect(r.usersChanged).toEqual(['alice', 'bob']);
    expect(fileOf(r, 'steward.conf').changed).toBe(false);
    const after = parsePasswdFile(read('passwd'));
    expect(after.get('carol')).toBe(mid.get('carol'));
    expect(after.get('alice')).not.toBe(mid.get('alice'));
    const changedLines = fileOf(r, 'passwd')
      .diff.split('\n')
      .filter((l) => /^[-+][^-+]/.test(l));
    expect(changedLines).toEqual(['-alice:$7$…', '+alice:$7$…', '+bob:$7$…']);

    await eventuallyConnects('bob', passwords[2]!); // no restart: the broker re-read its files
    expect(await tryConnect('alice', passwords[0]!)).toBeInstanceOf(Error);
    expect(await tryConnect('alice', passwords[1]!)).not.toBeInstanceOf(Error);
  });

  it('removes users, reloads through a command, and says so when the command fails', async () => {
    const users = [{ name: 'alice', password: passwords[1]!, acl: aliceAcl }];
    const r = await apply(spec(users, { reload: { command: `kill -HUP "$(cat '${broker!.pidFile}')"` } }));
    expect(r.reloaded).toBe('command');
    expect(r.usersRemoved).toEqual(['carol', 'bob']);
    const deadline = Date.now() + 10_000;
    while (!((await tryConnect('bob', passwords[2]!)) instanceof Error) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(await tryConnect('bob', passwords[2]!)).toBeInstanceOf(Error);

    const failing = applyMosquitto(
      spec([...users, { name: 'dave', password: 'pw-dave-5b', acl: [] }], {
        reload: { command: 'echo nope >&2; exit 3' },
      }),
    );
    await expect(failing).rejects.toThrow(
      /files written, but the broker reload failed: command exited with code 3: nope/,
    );
    await expect(failing).rejects.toBeInstanceOf(StewardError);
    expect(parsePasswdFile(read('passwd')).has('dave')).toBe(true);
  });

  it('treats a pid file naming some other process as not running, and leaves that process alone', async () => {
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pidFile = join(dir, 'stale.pid');
    writeFileSync(pidFile, `${sleeper.pid}\n`);
    const r = await apply(spec([{ name: 'erin', password: 'pw-erin-6c', acl: [] }], { reload: { pidFile } }));
    expect(r.reloaded).toBe('not-running');
    expect(parsePasswdFile(read('passwd')).has('erin')).toBe(true);
    await new Promise((res) => setTimeout(res, 200));
    expect(sleeper.exitCode).toBeNull();
    expect(sleeper.signalCode).toBeNull();
  });

  it('refuses bad input before touching any file', async () => {
    const before = snapshot();
    const bad = applyMosquitto(
      spec([{ name: 'x', password: 'p', acl: [{ topic: 'a/#/b', access: 'read' }] }]),
    );
    await expect(bad).rejects.toMatchObject({ code: 'E_CONFIG' });
    const both = applyMosquitto(spec([], { reload: { pidFile: '/x', command: 'true' } }));
    await expect(both).rejects.toMatchObject({ code: 'E_CONFIG' });
    expect(snapshot()).toEqual(before);
  });

  it('never puts a password or a hash in what it returns', () => {
    const out = JSON.stringify(results);
    for (const pw of [...passwords, 'pw-dave-5b', 'pw-erin-6c']) expect(out).not.toContain(pw);
    for (const hash of parsePasswdFile(read('passwd')).values()) {
      const [, , , salt, key] = hash.split('$');
      expect(out).not.toContain(salt);
      expect(out).not.toContain(key!.slice(0, 16));
    }
    expect(out).not.toMatch(/\$7\$\d/);
  });
});
