import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { type MqttRetained, payloadExcerpt } from '../../store/index.js';
import type { BrokerLogin } from '../connect.js';
import { topicMatches } from '../topic-filter.js';
import { type RetainedMessage, type ScanOptions, scanRetained } from './scan.js';

export interface RetainedEntry {
  topic: string;
  bytes: number;
  /** When Steward first saw this payload on the topic; null when this scan is the first sighting. */
  firstSeen: string | null;
  /** A lower bound: the message may be older than Steward's first sighting. Null when unknown. */
  ageMs: number | null;
  /** Older than mqtt.retained.max_age; null when the age is unknown or no max_age is set. */
  stale: boolean | null;
  /** Under a mqtt.retained.protect filter: never cleared. */
  protected: boolean;
  payloadExcerpt: string;
}

export interface Inventory {
  entries: RetainedEntry[];
  /** The scan stopped at its message or time limit: the list is incomplete. */
  truncated: boolean;
}

export interface InventoryOptions {
  login: BrokerLogin;
  sightings: MqttRetained;
  clock: Clock;
  protect: readonly string[];
  maxAgeMs?: number | undefined;
  scan?: ScanOptions;
}

/** Scans the broker and records what it saw, so the next scan knows how old each message is. */
export async function takeInventory(o: InventoryOptions): Promise<Inventory> {
  const filter = o.scan?.filter ?? '#';
  const { messages, truncated } = await scanRetained(o.login, o.scan);
  const records = o.sightings.recordScan(
    messages.map(sighting),
    // A truncated scan did not see everything: nothing may be taken as gone.
    (topic) => !truncated && topicMatches(filter, topic),
  );
  const now = o.clock.now().getTime();
  const entries = messages.map((m): RetainedEntry => {
    const r = records.get(m.topic);
    const firstSeen = r && r.firstSeen !== r.lastSeen ? r.firstSeen : null;
    const ageMs = firstSeen ? Math.max(0, now - Date.parse(firstSeen)) : null;
    return {
      topic: m.topic,
      bytes: m.payload.length,
      firstSeen,
      ageMs,
      stale: ageMs === null || o.maxAgeMs === undefined ? null : ageMs >= o.maxAgeMs,
      protected: o.protect.some((p) => topicMatches(p, m.topic)),
      payloadExcerpt: payloadExcerpt(m.payload.subarray(0, 80)),
    };
  });
  return { entries, truncated };
}

function sighting(m: RetainedMessage) {
  return {
    topic: m.topic,
    payloadSha256: createHash('sha256').update(m.payload).digest('hex'),
    payloadBytes: m.payload.length,
  };
}

export interface ClearSelection {
  clear: RetainedEntry[];
  /** Matched, but protected. */
  protected: RetainedEntry[];
  /** Matched, but --older-than cannot judge them: Steward has not seen them before. */
  ageUnknown: RetainedEntry[];
  /** Matched, but younger than --older-than. */
  younger: RetainedEntry[];
}

/** Which of the scanned entries (already under --match) a clear takes; protected ones never. */
export function selectForClear(entries: readonly RetainedEntry[], olderThanMs?: number): ClearSelection {
  const s: ClearSelection = { clear: [], protected: [], ageUnknown: [], younger: [] };
  for (const e of entries) {
    if (e.protected) s.protected.push(e);
    else if (olderThanMs === undefined) s.clear.push(e);
    else if (e.ageMs === null) s.ageUnknown.push(e);
    else if (e.ageMs >= olderThanMs) s.clear.push(e);
    else s.younger.push(e);
  }
  return s;
}
