// Per-device sequence tracking to drop QoS 1 redeliveries (at-least-once means the same
// message may arrive twice: the device resends after a lost PUBACK, or the broker redelivers
// what Steward had not acknowledged). A device that carries a counter lets us tell.
//
// For a device whose highest sequence so far is `last`:
//   seq > last                          new: accepted, becomes `last`
//   last - seq >= window                the counter restarted (device reboot): accepted, state reset
//   within the window, seen before      duplicate: dropped
//   within the window, not seen         late (out of order after a reconnect): accepted once
// A reboot whose counter lands inside the window looks like a run of duplicates; once
// `restartRun` consecutive ascending "duplicates" arrive it is taken as a restart, so at most
// restartRun - 1 messages are lost there (a broker redelivers far fewer: Mosquitto keeps 20 in flight).
import { StewardError } from '../../core/errors.js';

/** One device's state as persisted (table mqtt_sequences). */
export interface DeviceSequenceState {
  device: string;
  lastSeq: number;
  /** Accepted sequences within the window below `lastSeq` (inclusive), ascending. */
  recent: number[];
}

export interface SequenceTrackerOptions {
  /** How far below the high-water mark a sequence still counts as a possible redelivery. Default 1000. */
  window?: number;
  /** Most sequences remembered per device. Default 4096. */
  maxRecent?: number;
  /** Most devices tracked; the least recently updated is forgotten first. Default 10,000. */
  maxDevices?: number;
  /** Consecutive ascending duplicates taken as a counter restart. Default 32. */
  restartRun?: number;
}

/** #compact drops sequences below the window once this many have gathered. */
const COMPACT_CHUNK = 64;

interface State {
  last: number;
  recent: number[];
  /** The last dropped sequence and how many ascending drops in a row led to it. */
  dupSeq: number;
  dupRun: number;
}

/** Index of the first element >= seq in an ascending array. */
function lowerBound(a: readonly number[], seq: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function positiveInt(v: number | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new StewardError('E_CONFIG', `sequence tracker: ${what} must be a positive integer, got ${v}`);
  }
  return v;
}

export class SequenceTracker {
  readonly #window: number;
  readonly #maxRecent: number;
  readonly #maxDevices: number;
  readonly #restartRun: number;
  /** Map order is recency: a device is re-inserted when it changes, so the first is the stalest. */
  readonly #devices = new Map<string, State>();
  readonly #dirty = new Set<string>();

  constructor(opts: SequenceTrackerOptions = {}) {
    this.#window = positiveInt(opts.window, 1000, 'window');
    this.#maxRecent = positiveInt(opts.maxRecent, 4096, 'maxRecent');
    this.#maxDevices = positiveInt(opts.maxDevices, 10_000, 'maxDevices');
    this.#restartRun = positiveInt(opts.restartRun, 32, 'restartRun');
  }

  get size(): number {
    return this.#devices.size;
  }

  /**
   * True when (device, seq) is a duplicate to drop; otherwise records it. A sequence that is not
   * a non-negative safe integer cannot be tracked and is never a duplicate.
   */
  seen(device: string, seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 0) return false;
    const s = this.#devices.get(device);
    if (!s) {
      this.#put(device, { last: seq, recent: [seq], dupSeq: -1, dupRun: 0 });
      return false;
    }
    if (seq > s.last) {
      s.last = seq;
      s.recent.push(seq);
      this.#accepted(device, s);
      return false;
    }
    if (s.last - seq >= this.#window) {
      this.#put(device, { last: seq, recent: [seq], dupSeq: -1, dupRun: 0 });
      return false;
    }
    const at = lowerBound(s.recent, seq);
    if (s.recent[at] === seq) {
      s.dupRun = seq === s.dupSeq + 1 ? s.dupRun + 1 : 1;
      s.dupSeq = seq;
      if (s.dupRun < this.#restartRun) return true;
      this.#put(device, { last: seq, recent: [seq], dupSeq: -1, dupRun: 0 });
      return false;
    }
    s.recent.splice(at, 0, seq);
    this.#accepted(device, s);
    return false;
  }

  /** Replaces all state with persisted rows (oldest first, so the newest are kept if over the cap). */
  load(rows: readonly DeviceSequenceState[]): void {
    this.#devices.clear();
    this.#dirty.clear();
    for (const row of rows) {
      if (typeof row.device !== 'string' || !Number.isSafeInteger(row.lastSeq) || row.lastSeq < 0) continue;
      const recent = (Array.isArray(row.recent) ? row.recent : [])
        .filter((n) => Number.isSafeInteger(n) && n <= row.lastSeq)
        .sort((a, b) => a - b)
        .filter((n, i, a) => i === 0 || n !== a[i - 1]);
      const s: State = { last: row.lastSeq, recent, dupSeq: -1, dupRun: 0 };
      this.#compact(s, true);
      this.#devices.delete(row.device);
      this.#devices.set(row.device, s);
      this.#evict();
    }
    this.#dirty.clear();
  }

  /** The states changed since the last call (to persist with the samples they admitted), and forgets the marks. */
  dirty(): DeviceSequenceState[] {
    const out: DeviceSequenceState[] = [];
    for (const device of this.#dirty) {
      const s = this.#devices.get(device);
      if (!s) continue;
      this.#compact(s, true);
      out.push({ device, lastSeq: s.last, recent: [...s.recent] });
    }
    this.#dirty.clear();
    return out;
  }

  /** One device's state (tests, diagnostics). */
  get(device: string): DeviceSequenceState | undefined {
    const s = this.#devices.get(device);
    if (!s) return undefined;
    this.#compact(s, true);
    return { device, lastSeq: s.last, recent: [...s.recent] };
  }

  #accepted(device: string, s: State): void {
    s.dupRun = 0;
    s.dupSeq = -1;
    this.#compact(s);
    this.#put(device, s);
  }

  /** Drops sequences that fell out of the window (never consulted again) and the oldest over the cap. */
  #compact(s: State, exact = false): void {
    const floor = s.last - this.#window;
    let drop = 0;
    while (drop < s.recent.length && (s.recent[drop] as number) <= floor) drop++;
    // Shifting a window-long array on every message was 3% of ingest CPU: drop in chunks.
    // Sequences below the window are never consulted (seen() handles them first).
    if (!exact && drop < COMPACT_CHUNK) drop = 0;
    drop = Math.max(drop, s.recent.length - this.#maxRecent);
    if (drop > 0) s.recent.splice(0, drop);
  }

  #put(device: string, s: State): void {
    this.#devices.delete(device);
    this.#devices.set(device, s);
    this.#dirty.add(device);
    this.#evict();
  }

  #evict(): void {
    while (this.#devices.size > this.#maxDevices) {
      const stalest = this.#devices.keys().next().value as string;
      this.#devices.delete(stalest);
      this.#dirty.delete(stalest);
    }
  }
}
