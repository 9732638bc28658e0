import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { restoreArchive, runBackup, verifyArchives } from '../../src/backup/index.js';
import { SIDECAR_SUFFIX } from '../../src/backup/naming.js';
import { mulberry32 } from '../../src/core/seeded-random.js';
import { type BackupBox, listTree, type RawEntry, writeCraftedArchive } from '../support/backup-fixture.js';
import { onlyArchive, sha, useBackupSuite, writeMixedFiles } from '../support/backup-suite.js';

/**
 * Failure and interop tests of the backup capability, in process: the command functions
 * (runBackup, verifyArchives, restoreArchive, runDrill) with a real config file, store and
 * targets. The CLI-level happy paths are in backup.test.ts.
 */

const { base, box, encryption, key } = useBackupSuite('steward-backup-failures-');

/** mulberry32: a seeded PRNG, so a failing damage pattern can be replayed with BACKUP_DAMAGE_SEED. */
function prng(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => Math.floor(next() * n);
}

describe('damaged archives', () => {
  it('verify detects every one of 200 byte flips and 20 truncations: with the identity, and by checksum', async () => {
    const app = path.join(base, 'damage/app');
    writeMixedFiles(app);
    const dbFile = path.join(base, 'damage/app.db');
    const db = new Database(dbFile);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 300; i++) insert.run(`row ${i}`);
    db.close();
    const backups = {
      encryption: encryption(),
      targets: { local: { type: 'local', path: './backups' } },
      jobs: {
        mixed: {
          sources: [
            { type: 'path', name: 'files', path: './app' },
            { type: 'sqlite', name: 'db', path: './app.db' },
          ],
          targets: ['local'],
        },
      },
    };
    const b = box('damage', backups);
    const { run } = await runBackup(b.ctx, { job: 'mixed' });
    expect(run.state, run.error ?? '').toBe('completed');
    const archive = onlyArchive(path.join(b.dir, 'backups'));
    const original = fs.readFileSync(archive);

    // age layout: header ending in "--- <mac>\n", a 16-byte nonce, then 64 KiB + 16-byte sealed chunks.
    const macLine = original.indexOf('\n---');
    expect(macLine).toBeGreaterThan(0);
    const headerEnd = original.indexOf('\n', macLine + 1) + 1;
    const payloadStart = headerEnd + 16;
    const sealed = 64 * 1024 + 16;
    // A few hundred KB: several chunks, so chunk-boundary truncations mean something.
    expect(original.length).toBeGreaterThan(payloadStart + 2 * sealed);
    expect(original.length).toBeLessThan(1024 * 1024);

    // Full checks decrypt and compare with the manifest, with no sidecar to lean on; checksum
    // checks have only the sidecar (copied beside the damaged copy) and no identity.
    const fullDir = path.join(b.dir, 'damaged-full');
    const sumDir = path.join(b.dir, 'damaged-sum');
    fs.mkdirSync(fullDir);
    fs.mkdirSync(sumDir);
    const fullCopy = path.join(fullDir, path.basename(archive));
    const sumCopy = path.join(sumDir, path.basename(archive));
    fs.copyFileSync(`${archive}${SIDECAR_SUFFIX}`, `${sumCopy}${SIDECAR_SUFFIX}`);
    const noKey = b.withBackups({ ...backups, encryption: { recipients: [key().recipient] } }, 'no-key');

    const check = async (data: Buffer) => {
      fs.writeFileSync(fullCopy, data);
      fs.writeFileSync(sumCopy, data);
      const [full] = await verifyArchives(b.ctx, { ref: fullCopy });
      const [sum] = await verifyArchives(noKey, { ref: sumCopy });
      return { full, sum };
    };

    // Controls: the intact archive passes both ways, so a failure below is the damage's doing.
    const intact = await check(original);
    expect(intact.full).toMatchObject({ ok: true, mode: 'full', error: null });
    expect(intact.full?.files).toBeGreaterThanOrEqual(5);
    expect(intact.sum).toMatchObject({ ok: true, mode: 'checksum', error: null });

    const seed = Number(process.env.BACKUP_DAMAGE_SEED ?? Date.now() % 2 ** 32);
    const rand = prng(seed);
    const missed: string[] = [];
    const expectDetected = (what: string, r: Awaited<ReturnType<typeof check>>) => {
      if (r.full?.ok !== false || r.full.mode !== 'full' || !r.full.error)
        missed.push(`${what}: full verify said ${JSON.stringify(r.full)}`);
      if (r.sum?.ok !== false || r.sum.mode !== 'checksum' || !r.sum.error)
        missed.push(`${what}: checksum verify said ${JSON.stringify(r.sum)}`);
    };

    for (let i = 0; i < 200; i++) {
      // One in ten lands in the header or nonce, which uniform offsets would hardly ever hit.
      const offset = i % 10 === 0 ? rand(payloadStart) : rand(original.length);
      const xor = 1 + rand(255);
      const damaged = Buffer.from(original);
      damaged.writeUInt8(damaged.readUInt8(offset) ^ xor, offset);
      expectDetected(`flip at ${offset} ^ 0x${xor.toString(16)} (seed ${seed})`, await check(damaged));
    }

    const lengths = new Set<number>([
      0,
      1,
      headerEnd - 1,
      headerEnd, // header without the nonce
      payloadStart, // no chunk at all
      payloadStart + sealed, // exactly one whole chunk: no final chunk
      payloadStart + 2 * sealed,
      payloadStart + sealed - 1,
      payloadStart + sealed + 1,
      original.length - 16, // the last tag gone
      original.length - 1,
    ]);
    while (lengths.size < 20) lengths.add(rand(original.length));
    for (const length of lengths) {
      expectDetected(
        `truncated to ${length} of ${original.length} bytes`,
        await check(original.subarray(0, length)),
      );
    }
    expect(missed).toEqual([]);
  }, 180_000);
});

describe('hostile archives', () => {
  interface CaseDirs {
    root: string;
    to: string;
    outside: string;
    unique: string;
  }
  interface HostileCase {
    name: string;
    entries: (c: CaseDirs) => RawEntry[];
    message: RegExp;
    /** Extra checks that the attack's aim was not reached. */
    after?: (c: CaseDirs) => void;
  }

  const file = (name: string, content = 'pwned\n'): RawEntry => ({
    name,
    type: 'file',
    mode: 0o644,
    content,
  });
  const dir = (name: string): RawEntry => ({ name, type: 'directory', mode: 0o755 });
  const symlink = (name: string, linkname: string): RawEntry => ({ name, type: 'symlink', linkname });
  const harmless = [dir('sources/'), dir('sources/app/'), file('sources/app/ok.txt', 'fine\n')];
  const passwd = fs.statSync('/etc/passwd');
  const passwdSha = sha(fs.readFileSync('/etc/passwd'));

  const cases: HostileCase[] = [
    {
      name: 'an entry ../evil',
      entries: () => [...harmless, file('../evil')],
      message: /'\.\.' path segment: \.\.\/evil/,
      after: (c) => expect(fs.existsSync(path.join(c.root, 'evil'))).toBe(false),
    },
    {
      name: 'a deep ../ path into the sibling dir',
      entries: () => [...harmless, file('sources/app/../../../outside/evil')],
      message: /'\.\.' path segment/,
    },
    {
      name: 'a long (pax) path with ..',
      entries: () => [...harmless, file(`sources/${'d'.repeat(120)}/../../../evil-long`)],
      message: /'\.\.' path segment/,
      after: (c) => expect(fs.existsSync(path.join(c.root, 'evil-long'))).toBe(false),
    },
    {
      name: 'an absolute path',
      entries: (c) => [...harmless, file(path.join(c.outside, 'evil'))],
      message: /absolute path/,
    },
    {
      name: 'a symlink etc -> /etc, then etc/evil-<unique>',
      entries: (c) => [...harmless, symlink('etc', '/etc'), file(`etc/evil-${c.unique}`)],
      message: /symlink with an absolute target: etc -> \/etc/,
      after: (c) => expect(fs.existsSync(`/etc/evil-${c.unique}`)).toBe(false),
    },
    {
      name: 'a symlink to the sibling dir, then a file through it',
      entries: (c) => [...harmless, symlink('out', c.outside), file('out/evil')],
      message: /symlink with an absolute target/,
    },
    {
      name: 'a symlink up -> ../.., then up/x',
      entries: () => [...harmless, symlink('up', '../..'), file('up/x')],
      message: /symlink pointing outside the destination: up -> \.\.\/\.\./,
      after: (c) => {
        expect(fs.existsSync(path.join(c.root, 'x'))).toBe(false);
        expect(fs.existsSync(path.join(base, 'x'))).toBe(false);
      },
    },
    {
      name: 'a symlink inside the tree, then a file written through it',
      entries: () => [
        ...harmless,
        dir('sources/app/real/'),
        symlink('sources/app/alias', 'real'),
        file('sources/app/alias/x'),
      ],
      message: /through the symlink sources\/app\/alias/,
    },
    {
      name: 'links that each look inside but chain outside (l -> ., m -> l/..)',
      entries: () => [...harmless, symlink('l', '.'), symlink('m', 'l/..')],
      message: /symlink pointing outside the destination: m -> l\/\.\./,
    },
    {
      name: 'a hard link to /etc/passwd',
      entries: () => [...harmless, { name: 'sources/app/passwd', type: 'link', linkname: '/etc/passwd' }],
      message: /hard links are not supported: sources\/app\/passwd/,
      after: () => {
        const now = fs.statSync('/etc/passwd');
        expect(now.nlink).toBe(passwd.nlink);
        expect(now.mode).toBe(passwd.mode);
        expect(sha(fs.readFileSync('/etc/passwd'))).toBe(passwdSha);
      },
    },
    {
      name: 'a character device',
      entries: () => [
        ...harmless,
        { name: 'sources/app/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
      ],
      message: /character-device entry: sources\/app\/null/,
    },
    {
      name: 'a FIFO',
      entries: () => [...harmless, { name: 'sources/app/pipe', type: 'fifo', mode: 0o644 }],
      message: /fifo entry: sources\/app\/pipe/,
    },
  ];

  let hostile: BackupBox;
  let n = 0;
  const archives = path.join(base, 'hostile-archives');

  beforeAll(() => {
    hostile = box('hostile', { encryption: encryption() });
    fs.mkdirSync(archives);
  });

  function caseDirs(): CaseDirs {
    n += 1;
    const root = path.join(base, `hostile-${n}`);
    const outside = path.join(root, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    return {
      root,
      to: path.join(root, 'to'),
      outside,
      unique: `${process.pid}-${n}-${randomBytes(4).toString('hex')}`,
    };
  }

  it('a crafted archive without tricks restores (control for the cases below)', async () => {
    const c = caseDirs();
    const archive = path.join(archives, 'benign.tar.gz.age');
    await writeCraftedArchive(
      archive,
      [
        ...harmless,
        dir('sources/app/sub/'),
        file('sources/app/sub/b.txt', 'bee\n'),
        symlink('sources/app/link', 'sub/b.txt'),
      ],
      [key().recipient],
    );
    const r = await restoreArchive(hostile.ctx, { ref: archive, to: c.to });
    expect(r.files).toBe(3); // ok.txt, b.txt and the manifest
    expect(fs.readFileSync(path.join(c.to, 'sources/app/link'), 'utf8')).toBe('bee\n');
  });

  it.each(cases)('refuses $name, naming it, and writes nothing outside --to', async (hc) => {
    const c = caseDirs();
    const baseBefore = fs.readdirSync(base).sort();
    const archive = path.join(archives, `case-${n}.tar.gz.age`);
    await writeCraftedArchive(archive, hc.entries(c), [key().recipient]);

    const error = await restoreArchive(hostile.ctx, { ref: archive, to: c.to }).then(
      () => null,
      (err: unknown) => err as Error & { code?: string },
    );
    expect(error, 'the restore must be refused').not.toBeNull();
    expect(error?.message).toMatch(hc.message);
    expect(error?.code).toBe('E_INTEGRITY');

    expect(fs.readdirSync(c.outside)).toEqual([]);
    for (const name of fs.readdirSync(c.root)) expect(['outside', 'to']).toContain(name);
    expect(fs.readdirSync(base).sort()).toEqual(baseBefore);
    expect(fs.existsSync(`/etc/evil-${c.unique}`)).toBe(false);
    // Whatever was left in --to is plain: no device, FIFO or hard link, no symlink leading out.
    const realTo = fs.existsSync(c.to) ? fs.realpathSync(c.to) : c.to;
    for (const e of listTree(c.to)) {
      expect(e.kind, e.path).not.toBe('other');
      if (e.kind === 'file') expect(e.nlink, e.path).toBe(1);
      if (e.kind === 'symlink') {
        const resolved = path.resolve(path.dirname(path.join(realTo, e.path)), e.link ?? '');
        expect(
          resolved.startsWith(`${realTo}${path.sep}`) || resolved === realTo,
          `${e.path} -> ${e.link}`,
        ).toBe(true);
      }
    }
    hc.after?.(c);
  });
});
