// Retained MQTT messages as Steward saw them: the broker keeps no age for a retained message,
// so its age is the time since Steward first saw that exact payload on the topic.
import type { Clock } from '../core/clock.js';
import { isoNow } from '../core/clock.js';
import { type Db, statementCache } from './statements.js';

export interface RetainedSighting {
  topic: string;
  payloadSha256: string;
  payloadBytes: number;
}

export interface RetainedRecord extends RetainedSighting {
  firstSeen: string;
  lastSeen: string;
}

interface Row {
  topic: string;
  payload_sha256: string;
  payload_bytes: number;
  first_seen: string;
  last_seen: string;
}

const toRecord = (r: Row): RetainedRecord => ({
  topic: r.topic,
  payloadSha256: r.payload_sha256,
  payloadBytes: r.payload_bytes,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
});

export class MqttRetained {
  readonly #db: Db;
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  /**
   * Records one scan: each sighting keeps its first-seen time while its payload is unchanged
   * (a new payload starts again), and topics `inScope` of the scan that it did not see are gone
   * from the broker, so they are forgotten. Returns the records of this scan, by topic.
   */
  recordScan(
    sightings: readonly RetainedSighting[],
    inScope: (topic: string) => boolean,
  ): Map<string, RetainedRecord> {
    const now = isoNow(this.#clock);
    const upsert = this.#q(
      `INSERT INTO mqtt_retained (topic, payload_sha256, payload_bytes, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (topic) DO UPDATE SET
         first_seen = CASE WHEN payload_sha256 = excluded.payload_sha256 THEN first_seen ELSE excluded.first_seen END,
         payload_sha256 = excluded.payload_sha256, payload_bytes = excluded.payload_bytes, last_seen = excluded.last_seen`,
    );
    const select = this.#q('SELECT * FROM mqtt_retained WHERE topic = ?');
    const remove = this.#q('DELETE FROM mqtt_retained WHERE topic = ?');
    const out = new Map<string, RetainedRecord>();
    this.#db.transaction(() => {
      const seen = new Set<string>();
      for (const s of sightings) {
        upsert.run(s.topic, s.payloadSha256, s.payloadBytes, now, now);
        seen.add(s.topic);
        out.set(s.topic, toRecord(select.get(s.topic) as Row));
      }
      for (const r of this.all()) if (!seen.has(r.topic) && inScope(r.topic)) remove.run(r.topic);
    })();
    return out;
  }

  /** Topics cleared on the broker: no longer retained. */
  forget(topics: readonly string[]): void {
    const remove = this.#q('DELETE FROM mqtt_retained WHERE topic = ?');
    this.#db.transaction(() => {
      for (const t of topics) remove.run(t);
    })();
  }

  all(): RetainedRecord[] {
    return (this.#q('SELECT * FROM mqtt_retained ORDER BY topic').all() as Row[]).map(toRecord);
  }
}
