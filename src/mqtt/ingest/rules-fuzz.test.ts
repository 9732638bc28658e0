// Routing must never throw and must only ever yield storable samples, whatever arrives.
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/seeded-random.js';
import { isValidLabelName, isValidMetricName } from '../../monitor/ingest/index.js';
import { openStore } from '../../store/db.js';
import { compileRules, type IngestRule, type Sample } from './index.js';

const rules: IngestRule[] = [
  { topic: 'sensors/+room/+metric', format: 'number', metric: 'sensor_{metric}' },
  {
    topic: 'nodes/+node/telemetry',
    format: 'json',
    metric: 'node_{field}',
    fields: { temp: '$.t', hum: '$.env.h', first: '$.arr[0]', on: '$.relay', root: '$' },
    timestamp: '$.ts',
    sequence: '$.seq',
  },
  { topic: 'influx/+host', format: 'influx', labels: { via: 'mqtt' } },
  { topic: 'any/#rest', format: 'json', fields: { v: '$.v', w: '$["w"][1]' }, timestamp: '$.time' },
];

const topics = [
  'sensors/kitchen/temperature',
  'sensors/a b/temp',
  'sensors//x',
  'nodes/esp1/telemetry',
  'influx/pi',
  'any/thing/deep',
  'any',
  '$SYS/broker/load',
  'sensors/+/x',
  'unknown/topic',
  'nodes/é/telemetry',
];

const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ':',
  ',',
  '.',
  '-',
  '+',
  'e',
  'E',
  '0',
  '1',
  '9',
  ' ',
  '\n',
  '\\',
  '=',
  '#',
  'true',
  'false',
  'null',
  'NaN',
  'Infinity',
  '"t"',
  '"ts"',
  '"seq"',
  '"env"',
  '"h"',
  '"arr"',
  '"v"',
  '1767225600',
  '1767225600123',
  '"2026-01-01T00:00:00Z"',
  '1e308',
  '1e309',
  '-0',
  'i',
  'u',
  'm,',
  'x=',
  'value=',
  'cpu',
  '\u0000',
  'é',
  '\ud83d\ude00',
  '"__proto__"',
];

function payload(rand: () => number): Buffer {
  const r = rand();
  const int = (n: number) => Math.floor(rand() * n);
  if (r < 0.25) {
    const bytes = Buffer.alloc(int(300));
    for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
    return bytes;
  }
  if (r < 0.5) {
    let s = '';
    for (let n = int(40); n > 0; n--) s += TOKENS[int(TOKENS.length)];
    return Buffer.from(s);
  }
  if (r < 0.8) {
    // A valid message, then damaged: truncated, a byte changed, or left alone.
    const obj = {
      t: rand() * 100,
      env: { h: int(100) },
      arr: [int(5)],
      relay: rand() < 0.5,
      seq: int(1e6),
      ts: 1767225600 + int(1000),
      v: int(9),
    };
    const text =
      rand() < 0.5
        ? JSON.stringify(obj)
        : `cpu,core=${int(4)} usage=${rand()},n=${int(10)}i ${1767225600 + int(100)}000000000`;
    const buf = Buffer.from(text);
    const cut = rand();
    if (cut < 0.33) return buf.subarray(0, int(buf.length + 1));
    if (cut < 0.66 && buf.length > 0) buf[int(buf.length)] = int(256);
    return buf;
  }
  if (r < 0.95) {
    return Buffer.from(
      `${'  '.repeat(int(3))}${(rand() * 1e6 - 5e5).toPrecision(1 + int(15))}${rand() < 0.2 ? 'x' : ''}`,
    );
  }
  // Deep or large.
  return rand() < 0.5
    ? Buffer.from(`${'['.repeat(int(5000))}1${']'.repeat(int(5000))}`)
    : Buffer.alloc(60 * 1024 + int(10 * 1024), 0x31);
}

/** Why a sample could not be stored, or null; plain checks (not expect) keep 10,000 rounds quick. */
function problemOf(s: Sample): string | null {
  if (!isValidMetricName(s.name)) return `bad name ${s.name}`;
  for (const [k, v] of Object.entries(s.labels)) {
    if (!isValidLabelName(k) || k.startsWith('__')) return `bad label ${k}`;
    if (typeof v !== 'string' || v === '') return `bad label value for ${k}`;
  }
  if (!Number.isFinite(s.value)) return `bad value ${s.value}`;
  if (!Number.isSafeInteger(s.ts) || s.ts < 0) return `bad ts ${s.ts}`;
  return null;
}

describe('route on 10,000 random payloads', () => {
  const store = openStore({ file: ':memory:' });
  afterAll(() => store.close());

  it('never throws, gives a reason for every malformed message and only storable samples', () => {
    const router = compileRules(rules);
    const rand = mulberry32(0x5eed);
    const kinds = { samples: 0, malformed: 0, unmatched: 0 };
    const all: Sample[] = [];
    const problems: string[] = [];
    const arrival = new Date('2026-03-01T00:00:00Z');
    for (let i = 0; i < 10_000; i++) {
      const topic = topics[Math.floor(rand() * topics.length)] as string;
      const result = router.route(topic, payload(rand), arrival);
      kinds[result.kind]++;
      if (result.kind === 'malformed') {
        if (result.reason === '' || result.reason.startsWith('internal error')) problems.push(result.reason);
      } else if (result.kind === 'samples') {
        if (result.samples.length === 0) problems.push(`no samples for ${topic}`);
        if (result.sequence !== null && !Number.isSafeInteger(result.sequence)) problems.push('bad sequence');
        for (const s of result.samples) {
          const problem = problemOf(s);
          if (problem) problems.push(problem);
        }
        all.push(...result.samples);
      }
    }
    expect(problems).toEqual([]);
    // The generator must reach every outcome, or the loop proves little.
    expect(kinds.samples).toBeGreaterThan(500);
    expect(kinds.malformed).toBeGreaterThan(500);
    expect(kinds.unmatched).toBeGreaterThan(500);
    expect(() => store.metrics.write(all)).not.toThrow();
  });
});
