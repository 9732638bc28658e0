import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { restoreArchive, runBackup, runDrill } from '../../src/backup/index.js';
import { SIDECAR_SUFFIX } from '../../src/backup/naming.js';
import { type BackupBox, recordingBus, startSqliteWriter } from '../support/backup-fixture.js';
import { useBackupSuite } from '../support/backup-suite.js';

/**
 * Backups of live data and degraded targets, in process (split from backup-failures.test.ts): a SQLite
 * database written to throughout the backup, a require_mount target that is not mounted, a drill over its RTO.
 */
const { base, box, encryption } = useBackupSuite('steward-backup-consistency-');

describe('a SQLite database written to throughout the backup', () => {
  it('restores to a consistent prefix of the writes: integrity_check ok, rows 1..k without gaps', async () => {
    const dir = path.join(base, 'sqlite-live');
    fs.mkdirSync(dir, { recursive: true });
    const dbFile = path.join(dir, 'live.db');
    // Prints how many rows `seq` had when it started, after waiting for MORE further commits:
    // run before and after the sqlite source, it proves the writer was busy on both sides of the copy.
    const waitScript = path.join(dir, 'wait-rows.sh');
    fs.writeFileSync(
      waitScript,
      `q() { sqlite3 -cmd '.timeout 5000' "$1" 'SELECT coalesce(max(id), 0) FROM seq' 2>/dev/null; }
start=''
while [ -z "$start" ]; do start=$(q "$1"); done
while :; do
  now=$(q "$1")
  if [ -n "$now" ] && [ "$now" -ge $((start + $2)) ]; then break; fi
  sleep 0.02
done
echo "$start"
`,
    );
    const writer = await startSqliteWriter(dbFile);
    let committed = 0;
    try {
      const wait = (name: string) => ({
        type: 'command',
        name,
        run: `sh ${waitScript} ${dbFile} 50`,
        timeout: '120s',
      });
      const b = box('sqlite-live', {
        encryption: encryption(),
        targets: { local: { type: 'local', path: './backups' } },
        jobs: {
          live: {
            sources: [wait('before'), { type: 'sqlite', name: 'live', path: './live.db' }, wait('after')],
            targets: ['local'],
          },
        },
      });
      const { run } = await runBackup(b.ctx, { job: 'live' });
      expect(run.state, run.error ?? '').toBe('completed');
      const to = path.join(dir, 'restored');
      const restored = await restoreArchive(b.ctx, { ref: run.id, to });
      expect(restored.sources).toEqual(['before', 'live', 'after']);
      committed = await writer.stop();

      const before = Number(fs.readFileSync(path.join(to, 'sources/before/stdout'), 'utf8').trim());
      const after = Number(fs.readFileSync(path.join(to, 'sources/after/stdout'), 'utf8').trim());
      const copy = new Database(path.join(to, 'sources/live/live.db'));
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        const { rows, lo, hi } = copy
          .prepare('SELECT count(*) AS rows, min(id) AS lo, max(id) AS hi FROM seq')
          .get() as {
          rows: number;
          lo: number;
          hi: number;
        };
        expect(rows).toBeGreaterThan(0);
        expect(lo).toBe(1);
        expect(hi, 'ids 1..k with no gap').toBe(rows);
        expect(copy.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 2000 });
        // The copy was taken while the writer was committing: after ≥ 50 rows more than when the
        // run started, and ≥ 50 rows before the run ended.
        expect(rows).toBeGreaterThanOrEqual(before + 50);
        expect(after).toBeGreaterThanOrEqual(rows);
        expect(committed).toBeGreaterThanOrEqual(after + 50);
      } finally {
        copy.close();
      }
    } finally {
      if (committed === 0) await writer.stop().catch(() => {});
    }
  }, 180_000);
});

describe('require_mount target and RTO', () => {
  let b: BackupBox;

  beforeAll(() => {
    const dir = path.join(base, 'mount');
    fs.mkdirSync(path.join(dir, 'usb'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app/main.conf'), 'answer = 42\n');
    const sources = [{ type: 'path', name: 'app', path: './app' }];
    b = box('mount', {
      encryption: encryption(),
      targets: {
        usb: { type: 'local', path: './usb', require_mount: true },
        main: { type: 'local', path: './main' },
      },
      jobs: {
        usb: { sources, targets: ['usb', 'main'] },
        tight: { sources, targets: ['main'], drill: { rto: '1ms' } },
      },
    });
  });

  it('a require_mount target on a plain directory is skipped: degraded, events on the bus, nothing written', async () => {
    const { bus, events } = recordingBus([
      'backup.started',
      'backup.target_skipped',
      'backup.completed',
      'backup.degraded',
      'backup.failed',
    ]);
    const { run, archives } = await runBackup(b.ctx, { job: 'usb' }, { events: bus });
    expect(run.state).toBe('degraded');
    expect(run.targets.usb?.outcome).toBe('skipped');
    expect(run.targets.usb?.reason).toMatch(/not a mount point/);
    expect(run.targets.main?.outcome).toBe('completed');
    expect(archives.map((a) => [a.target, a.state])).toEqual([['main', 'validated']]);

    expect(events.map((e) => e.event)).toEqual([
      'backup.started',
      'backup.target_skipped',
      'backup.degraded',
    ]);
    expect(events[1]?.payload).toMatchObject({ job: 'usb', runId: run.id, target: 'usb' });
    expect(events[1]?.payload.reason).toMatch(/not a mount point/);
    expect(events[2]?.payload).toMatchObject({ job: 'usb', runId: run.id });
    expect(String(events[2]?.payload.problems)).toMatch(/usb: skipped/);

    expect(fs.readdirSync(path.join(b.dir, 'usb'))).toEqual([]);
    const main = fs.readdirSync(path.join(b.dir, 'main')).sort();
    expect(main).toHaveLength(2);
    expect(main[1]).toBe(`${main[0]}${SIDECAR_SUFFIX}`);
  });

  describe('a drill over its RTO (1ms)', () => {
    let drill: Awaited<ReturnType<typeof runDrill>>;
    let events: ReturnType<typeof recordingBus>['events'];

    beforeAll(async () => {
      const { run } = await runBackup(b.ctx, { job: 'tight' });
      expect(run.state, run.error ?? '').toBe('completed');
      const recording = recordingBus(['drill.passed', 'drill.failed', 'drill.rto_exceeded']);
      events = recording.events;
      drill = await runDrill(b.ctx, { job: 'tight' }, { events: recording.bus });
    });

    it('is recorded failed with the RTO-exceeded message and publishes drill.rto_exceeded', () => {
      // The restore itself was fine: only the time failed it.
      expect(drill.checks.every((c) => c.ok)).toBe(true);
      expect(drill.result).toBe('failed');
      expect(drill.rtoExceeded).toBe(true);
      expect(drill.rtoLimitMs).toBe(1);
      expect(drill.rtoMs).toBeGreaterThan(1);
      expect(drill.error).toMatch(/^restore took .*, over the RTO of /);
      const [point] = b.store.recoveryPoints.list({ job: 'tight' });
      expect(point).toMatchObject({ id: drill.id, result: 'failed', error: drill.error, rtoLimitMs: 1 });
      expect(events.map((e) => e.event)).toEqual(['drill.rto_exceeded']);
      expect(events[0]?.payload).toEqual({
        job: 'tight',
        recoveryPointId: drill.id,
        rtoMs: drill.rtoMs,
        limitMs: 1,
      });
    });

    it('states the measured time and the limit truthfully (not rounded to 0s)', () => {
      // A 1ms RTO is reported as "over the RTO of 0s", and a sub-second restore as "took 0s".
      expect(drill.error).not.toMatch(/\b0s\b/);
    });
  });
});
