import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { type Clock, systemClock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { hasProcfs, readProcStat } from '../core/proc.js';

const lockContentSchema = z.object({
  pid: z.number().int().positive(),
  purpose: z.string(),
  acquiredAt: z.string(),
  procStart: z.string().nullable(),
});

export interface LockHolder {
  pid: number;
  purpose: string;
  acquiredAt: string;
  alive: boolean;
}

export interface Lock {
  readonly file: string;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

export interface AcquireLockOptions {
  /** What the lock is for, shown to whoever finds it taken ("daemon", "restore"…). */
  purpose: string;
  clock?: Clock;
}

function readRaw(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parse(raw: string): z.infer<typeof lockContentSchema> | null {
  try {
    const r = lockContentSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number, procStart: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still makes it the holder.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid reused after a reboot or wrap-around is a different process with the same number.
  if (procStart === null) return true;
  const st = readProcStat(pid);
  return st === null ? !hasProcfs() : st.startTime === procStart;
}

/** Who holds the lock in `file`, or null when there is no lock file or it is unreadable garbage. */
export function readLockHolder(file: string): LockHolder | null {
  const raw = readRaw(file);
  const c = raw === null ? null : parse(raw);
  if (c === null) return null;
  return { pid: c.pid, purpose: c.purpose, acquiredAt: c.acquiredAt, alive: isAlive(c.pid, c.procStart) };
}

/** Creates `file` with `content` or fails with EEXIST; never leaves a half-written lock behind. */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function lockedError(purpose: string, file: string, holder: z.infer<typeof lockContentSchema>): StewardError {
  return new StewardError(
    'E_LOCKED',
    `${purpose} is locked by PID ${holder.pid} (${holder.purpose}, since ${holder.acquiredAt})`,
    {
      hint: `stop that process first (or wait for it to finish); a lock whose process has died is taken over automatically. Lock file: ${file}`,
      details: { file, pid: holder.pid, purpose: holder.purpose, acquiredAt: holder.acquiredAt },
    },
  );
}

/** Takes the PID lock in `file`, taking over a stale one; throws E_LOCKED while a live process holds it. */
export function acquireLock(file: string, options: AcquireLockOptions): Lock {
  const { purpose, clock = systemClock } = options;
  const content = JSON.stringify({
    pid: process.pid,
    purpose,
    acquiredAt: clock.now().toISOString(),
    procStart: readProcStat(process.pid)?.startTime ?? null,
  });

  // Two attempts: the first may find a stale lock, which we remove before the second.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createExclusive(file, content)) {
      if (readRaw(file) !== content) {
        throw new StewardError('E_LOCKED', `${purpose}: lost the lock file ${file} right after creating it`, {
          hint: 'another process is fighting over the same lock file; check what else runs with this state directory',
        });
      }
      return {
        file,
        release() {
          // Only ours: after a takeover the file may belong to someone else now.
          if (readRaw(file) === content) unlinkSync(file);
        },
      };
    }
    const raw = readRaw(file);
    if (raw === null) continue; // released between our attempt and the read
    const holder = parse(raw);
    if (holder !== null && isAlive(holder.pid, holder.procStart)) throw lockedError(purpose, file, holder);
    // Stale or garbage. Unlink only if it is still the content we judged: another process may
    // have taken it over in between, and its fresh lock must survive.
    if (readRaw(file) === raw) {
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
  const holder = parse(readRaw(file) ?? '');
  if (holder !== null) throw lockedError(purpose, file, holder);
  throw new StewardError('E_LOCKED', `${purpose}: could not take the lock file ${file}`, {
    hint: 'another process keeps recreating it; check what else runs with this state directory',
  });
}
