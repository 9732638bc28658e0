import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDocker, type TestDocker } from '../../../../test/support/docker.js';
import { silentLogger } from '../../../core/logger.js';
import type { ArchiveEntry, SourceContext, SourceSnapshot } from '../../types.js';
import { type DockerVolumeSourceConfig, dockerVolumeSource, dockerVolumeSourceSchema } from './index.js';
import { REFILL_SCRIPT } from './write-volume.js';

const VOLUME = 'appdata';
/** Runs until stopped, and stops promptly on SIGTERM (a PID 1 sleep would ignore it). */
const SLEEP = 'trap "exit 0" TERM; sleep 3600 & wait';
const LONG_DIR = `long/${'a'.repeat(60)}/${'b'.repeat(60)}`;

/** Everything the driver must carry, as the volume holds it: nested dirs, odd modes, owners, links. */
const FILL = `set -e
cd /v
mkdir -p app/config/nested/deeper empty-dir ${LONG_DIR}
echo hello > app/config/settings.ini
echo deep > app/config/nested/deeper/leaf.txt
echo secret > app/secret.key
chmod 600 app/secret.key
chmod 750 app/config
dd if=/dev/urandom of=app/blob.bin bs=1024 count=5120 2>/dev/null
ln -s config/settings.ini app/current.ini
ln -s /nowhere/at/all dangling
ln app/config/settings.ini hardlink.ini
echo owned > owned.txt
chown 1000:1001 owned.txt
: > empty.txt
echo long > ${LONG_DIR}/file-with-a-rather-long-name-to-need-an-extension.txt
mkfifo pipe
`;

interface Seen {
  type: ArchiveEntry['type'];
  mode: number;
  size: number;
  sha256?: string;
  linkname?: string;
  uid?: number;
  gid?: number;
  /** Files only, whole seconds (tar's precision). */
  mtime?: number;
}

let dk: TestDocker;
let scratch: string;

function dockerCli(args: string[]): string {
  return execFileSync('docker', args, { env: { ...process.env, ...dk.env }, encoding: 'utf8' }).trim();
}

function config(overrides: Partial<DockerVolumeSourceConfig> = {}): DockerVolumeSourceConfig {
  return dockerVolumeSourceSchema({ baseDir: '/' }).parse({
    type: 'docker-volume',
    name: 'appdata',
    volume: VOLUME,
    helper_image: dk.image,
    host: dk.host,
    ...overrides,
  });
}

function sourceContext(warnings: string[] = []): SourceContext {
  return {
    scratchDir: scratch,
    signal: new AbortController().signal,
    logger: silentLogger(),
    warn: (message) => warnings.push(message),
  };
}

const isRunning = (container: string) =>
  dockerCli(['container', 'inspect', '--format', '{{.State.Running}}', container]) === 'true';
const helpersLeft = () => dockerCli(['ps', '-aq', '--filter', 'label=steward.helper']);
const mountpoint = (volume: string) =>
  dockerCli(['volume', 'inspect', '--format', '{{.Mountpoint}}', volume]);

/** What the volume holds, read straight from its mountpoint (we run as root, next to the daemon). */
async function walk(root: string): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  const visit = async (rel: string) => {
    for (const name of await fs.promises.readdir(path.join(root, rel))) {
      const relPath = rel ? `${rel}/${name}` : name;
      const full = path.join(root, relPath);
      const st = await fs.promises.lstat(full);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
      if (st.isDirectory()) {
        seen.set(relPath, { ...base, type: 'directory', size: 0 });
        await visit(relPath);
      } else if (st.isSymbolicLink()) {
        seen.set(relPath, { ...base, type: 'symlink', size: 0, linkname: await fs.promises.readlink(full) });
      } else if (st.isFile()) {
        const sha256 = createHash('sha256')
          .update(await fs.promises.readFile(full))
          .digest('hex');
        seen.set(relPath, {
          ...base,
          type: 'file',
          size: st.size,
          sha256,
          mtime: Math.floor(st.mtimeMs / 1000),
        });
      }
    }
  };
  await visit('');
  return seen;
}

/** Reads a snapshot the way the engine does: in order, each opened entry read to its end before the next. */
async function consume(
  snapshot: SourceSnapshot,
  options: { open?: boolean; onEntry?: (entry: ArchiveEntry) => void | Promise<void> } = {},
): Promise<{ seen: Map<string, Seen>; entries: ArchiveEntry[] }> {
  const seen = new Map<string, Seen>();
  const entries: ArchiveEntry[] = [];
  for await (const entry of snapshot.entries) {
    await options.onEntry?.(entry);
    entries.push(entry);
    const item: Seen = {
      type: entry.type,
      mode: entry.mode,
      size: entry.size,
      uid: entry.uid,
      gid: entry.gid,
    };
    if (entry.linkname !== undefined) item.linkname = entry.linkname;
    if (entry.type === 'file') item.mtime = Math.floor(entry.mtime.getTime() / 1000);
    if (entry.open && options.open !== false) {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of entry.open()) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      expect(bytes, entry.path).toBe(entry.size);
      item.sha256 = hash.digest('hex');
    }
    seen.set(entry.path, item);
  }
  return { seen, entries };
}

/** Unpacks entries into dir the way a restore does, to feed restoreInPlace. */
async function unpack(entries: ArchiveEntry[], snapshotContent: Map<string, Buffer>, dir: string) {
  for (const entry of entries) {
    const full = path.join(dir, entry.path);
    if (entry.type === 'directory') fs.mkdirSync(full, { recursive: true });
    else if (entry.type === 'symlink') fs.symlinkSync(entry.linkname ?? '', full);
    else fs.writeFileSync(full, snapshotContent.get(entry.path) ?? Buffer.alloc(0));
    fs.lchownSync(full, entry.uid ?? 0, entry.gid ?? 0);
    if (entry.type !== 'symlink') {
      fs.chmodSync(full, entry.mode);
      fs.utimesSync(full, entry.mtime, entry.mtime);
    }
  }
}

const expected = new Map<string, Seen>();

beforeAll(async () => {
  dk = await startDocker();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-dv-'));
  dockerCli(['volume', 'create', VOLUME]);
  dockerCli(['run', '--rm', '--network', 'none', '-v', `${VOLUME}:/v`, dk.image, 'sh', '-c', FILL]);
  // The app: mounts the volume and keeps running.
  dockerCli([
    'run',
    '-d',
    '--name',
    'app',
    '--network',
    'none',
    '-v',
    `${VOLUME}:/data`,
    dk.image,
    'sh',
    '-c',
    SLEEP,
  ]);
  dockerCli(['create', '--name', 'idle', '--network', 'none', dk.image, 'true']);
  for (const [p, item] of await walk(mountpoint(VOLUME))) expected.set(p, item);
}, 120_000);

afterAll(async () => {
  if (dk) {
    spawnSync('docker', ['rm', '-f', 'app', 'idle', 'holder'], { env: { ...process.env, ...dk.env } });
    await dk.stop();
  }
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('docker-volume source', () => {
  it('copies files, directories and symlinks with content, modes and owners; skips the FIFO', async () => {
    expect(expected.get('app/blob.bin')?.size).toBe(5 * 1024 * 1024);
    const warnings: string[] = [];
    const snapshot = await dockerVolumeSource.snapshot(config(), sourceContext(warnings));
    try {
      const { seen } = await consume(snapshot);
      expect(seen).toEqual(expected);
      expect(seen.get('app/secret.key')?.mode).toBe(0o600);
      expect(seen.get('app/current.ini')).toMatchObject({ type: 'symlink', linkname: 'config/settings.ini' });
      // A hard link comes out as a file of its own, with the content of its target.
      expect(seen.get('hardlink.ini')?.sha256).toBe(seen.get('app/config/settings.ini')?.sha256);
      expect(seen.get('owned.txt')).toMatchObject({ uid: 1000, gid: 1001 });
      expect(warnings).toEqual([expect.stringMatching(/skipped pipe: a fifo/)]);
      expect(snapshot.meta).toMatchObject({ volume: VOLUME, driver: 'local', stopped_containers: [] });
    } finally {
      await snapshot.cleanup();
    }
    expect(helpersLeft()).toBe('');
  });

  it('stops the listed running containers during the copy and starts them again', async () => {
    expect(isRunning('app')).toBe(true);
    const warnings: string[] = [];
    const snapshot = await dockerVolumeSource.snapshot(
      config({ stop_containers: ['app', 'idle', 'ghost'] }),
      sourceContext(warnings),
    );
    const states: boolean[] = [];
    try {
      await consume(snapshot, {
        onEntry: () => {
          if (states.length < 3) states.push(isRunning('app'));
        },
      });
      expect(snapshot.meta?.stopped_containers).toEqual(['app']);
    } finally {
      await snapshot.cleanup();
    }
    expect(states).toEqual([false, false, false]);
    expect(isRunning('app')).toBe(true);
    // Only what was running is started again.
    expect(isRunning('idle')).toBe(false);
    expect(warnings).toEqual([
      expect.stringMatching(/"ghost".*does not exist/),
      expect.stringMatching(/skipped pipe/),
    ]);
  });

  it('drains entries the engine does not open, and stops the helper when the engine stops early', async () => {
    const skipping = await dockerVolumeSource.snapshot(config(), sourceContext());
    const { seen } = await consume(skipping, { open: false });
    await skipping.cleanup();
    expect([...seen.keys()].sort()).toEqual([...expected.keys()].sort());

    // Gives up half-way through the big file: the helper is then blocked writing the rest.
    const early = await dockerVolumeSource.snapshot(config({ stop_containers: ['app'] }), sourceContext());
    for await (const entry of early.entries) {
      if (entry.path !== 'app/blob.bin') continue;
      for await (const _ of entry.open?.() ?? []) break;
      break;
    }
    await early.cleanup();
    expect(helpersLeft()).toBe('');
    expect(isRunning('app')).toBe(true);
  });

  it('stops the helper and fails the entry being read when the run is aborted', async () => {
    const controller = new AbortController();
    const ctx = { ...sourceContext(), signal: controller.signal };
    const snapshot = await dockerVolumeSource.snapshot(config({ stop_containers: ['app'] }), ctx);
    const aborting = consume(snapshot, {
      onEntry: (entry) => {
        if (entry.path === 'app/blob.bin') controller.abort();
      },
    });
    await expect(aborting).rejects.toMatchObject({ name: 'AbortError' });
    await snapshot.cleanup();
    expect(helpersLeft()).toBe('');
    expect(isRunning('app')).toBe(true);
  });

  it('starts the containers again when the copy fails, and says why it failed', async () => {
    const snapshot = await dockerVolumeSource.snapshot(
      config({ stop_containers: ['app'], helper_image: 'local/missing:1' }),
      sourceContext(),
    );
    expect(isRunning('app')).toBe(false);
    await expect(consume(snapshot)).rejects.toThrow(
      /helper container \(local\/missing:1\) reading volume "appdata" exited with code 125: .*(registry|pull|find)/i,
    );
    await snapshot.cleanup();
    expect(isRunning('app')).toBe(true);
  });

  it('fails clearly for a volume that does not exist, without stopping anything', async () => {
    await expect(
      dockerVolumeSource.snapshot(config({ volume: 'nope', stop_containers: ['app'] }), sourceContext()),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: 'docker volume "nope" does not exist' });
    expect(isRunning('app')).toBe(true);
  });

  it('restores the volume in place (and into a volume that is gone), passing the drill', async () => {
    const content = new Map<string, Buffer>();
    const snapshot = await dockerVolumeSource.snapshot(config(), sourceContext());
    const entries: ArchiveEntry[] = [];
    for await (const entry of snapshot.entries) {
      entries.push(entry);
      const open = entry.open;
      if (open) {
        const chunks: Buffer[] = [];
        await pipeline(open(), async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) chunks.push(chunk);
        });
        content.set(entry.path, Buffer.concat(chunks));
      }
    }
    await snapshot.cleanup();
    const extracted = path.join(scratch, 'extracted');
    fs.mkdirSync(extracted);
    await unpack(entries, content, extracted);

    const drill = await dockerVolumeSource.drillCheck(config(), extracted, {
      signal: new AbortController().signal,
      logger: silentLogger(),
      scratchDir: scratch,
    });
    const files = [...expected.values()].filter((item) => item.type === 'file');
    const bytes = files.reduce((sum, item) => sum + item.size, 0);
    expect(drill).toMatchObject({ ok: true, details: { files: files.length, symlinks: 2, bytes } });

    // Emptied, with a stray file the restore must remove.
    dockerCli([
      'run',
      '--rm',
      '-v',
      `${VOLUME}:/v`,
      dk.image,
      'sh',
      '-c',
      'rm -rf /v/* && echo x > /v/.stray',
    ]);
    const restoreCtx = { signal: new AbortController().signal, logger: silentLogger(), scratchDir: scratch };
    await dockerVolumeSource.restoreInPlace(config({ stop_containers: ['app'] }), extracted, restoreCtx);
    expect(await walk(mountpoint(VOLUME))).toEqual(expected);
    expect(isRunning('app')).toBe(true);

    await dockerVolumeSource.restoreInPlace(config({ volume: 'recreated' }), extracted, restoreCtx);
    expect(await walk(mountpoint('recreated'))).toEqual(expected);

    // A failed restore says why, starts the containers again and leaves the volume as it was.
    await expect(
      dockerVolumeSource.restoreInPlace(
        config({ stop_containers: ['app'], helper_image: 'local/missing:1' }),
        extracted,
        restoreCtx,
      ),
    ).rejects.toThrow(
      /helper container \(local\/missing:1\) refilling volume "appdata" exited with code 125/,
    );
    expect(isRunning('app')).toBe(true);
    expect(await walk(mountpoint(VOLUME))).toEqual(expected);

    // Too small for old and new content side by side: the old content stays, no staging left over.
    const small = ['--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=3m'];
    dockerCli(['volume', 'create', ...small, 'small']);
    // A tmpfs volume lives only while mounted: a container holds it for the test.
    dockerCli([
      'run',
      '-d',
      '--name',
      'holder',
      '-v',
      'small:/v',
      dk.image,
      'sh',
      '-c',
      `echo old > /v/marker; ${SLEEP}`,
    ]);
    await expect(
      dockerVolumeSource.restoreInPlace(config({ volume: 'small' }), extracted, restoreCtx),
    ).rejects.toThrow(/refilling volume "small" exited with code 1: .*No space left/);
    expect(
      dockerCli(['run', '--rm', '-v', 'small:/v', dk.image, 'sh', '-c', 'ls -A /v; cat /v/marker']),
    ).toBe('marker\nold');
    expect(helpersLeft()).toBe('');
  });

  it('refuses a restore archive cut off between two entries, leaving the volume as it was', async () => {
    const before = await walk(mountpoint(VOLUME));
    const partial = path.join(scratch, 'partial');
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'only.txt'), 'first entry\n');
    // A well-formed tar without the final marker: what tar sees when the stream stops between entries.
    const archive = execFileSync('tar', ['-C', partial, '-cf', '-', '.']);
    const args = ['run', '--rm', '-i', '--network', 'none', '-v', `${VOLUME}:/volume`, dk.image];
    const result = spawnSync('docker', [...args, 'sh', '-c', REFILL_SCRIPT, 'sh', '.stage'], {
      input: archive,
      env: { ...process.env, ...dk.env },
      encoding: 'utf8',
    });
    expect(result.stderr).toMatch(/arrived incomplete/);
    expect(result.status).toBe(1);
    expect(await walk(mountpoint(VOLUME))).toEqual(before);
  });

  it('has a strict schema with defaults', () => {
    const schema = dockerVolumeSourceSchema({ baseDir: '/' });
    expect(schema.parse({ type: 'docker-volume', name: 'db', volume: 'pgdata' })).toEqual({
      type: 'docker-volume',
      name: 'db',
      volume: 'pgdata',
      stop_containers: [],
      helper_image: 'busybox:stable',
      docker: 'docker',
    });
    expect(schema.safeParse({ type: 'docker-volume', name: 'db', volume: 'v', extra: 1 }).success).toBe(
      false,
    );
    expect(schema.safeParse({ type: 'docker-volume', name: 'Bad Name', volume: 'v' }).success).toBe(false);
  });
});
