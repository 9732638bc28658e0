import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db.js';
import { MqttQuarantine, payloadExcerpt, type QuarantineInput } from './mqtt-quarantine.js';

let store: Store;
let quarantine: MqttQuarantine;

beforeEach(() => {
  store = openStore({ file: ':memory:' });
  quarantine = new MqttQuarantine(store.db);
});
afterEach(() => store.close());

function input(i: number, over: Partial<QuarantineInput> = {}): QuarantineInput {
  return {
    receivedAt: new Date(Date.UTC(2026, 2, 1, 0, 0, i)),
    topic: `nodes/n${i % 2}/telemetry`,
    reason: `bad ${i}`,
    payload: Buffer.from(`{"t": ${i}`),
    ...over,
  };
}

describe('payloadExcerpt', () => {
  it('shows printable text as is', () => {
    expect(payloadExcerpt(Buffer.from('{"t": "21.5 °C"}'))).toBe('{"t": "21.5 °C"}');
  });

  it('escapes control and invisible characters and backslashes', () => {
    expect(payloadExcerpt(Buffer.from('a\nb\tc\\d\u001b[31m\u202eevil\u200b'))).toBe(
      'a\\nb\\tc\\\\d\\u001b[31m\\u202eevil\\u200b',
    );
  });

  it('shows binary as hex: invalid UTF-8, NUL, mostly control bytes', () => {
    expect(payloadExcerpt(Buffer.from([0xff, 0xfe, 0x41]))).toBe('hex:fffe41');
    expect(payloadExcerpt(Buffer.from('ab\u0000cd'))).toBe('hex:6162006364');
    expect(payloadExcerpt(Buffer.from([1, 2, 3, 0x41]))).toBe('hex:01020341');
  });

  it('keeps hex and text apart when text starts with "hex:"', () => {
    expect(payloadExcerpt(Buffer.from('hex:00'))).toBe('\\u0068ex:00');
  });

  it('takes the first 256 bytes, not splitting a UTF-8 character at the cut', () => {
    expect(payloadExcerpt(Buffer.from('x'.repeat(1000)))).toBe('x'.repeat(256));
    // 255 ASCII bytes then a 2-byte "é": the cut falls inside it, so it is left out, not turned to hex.
    expect(payloadExcerpt(Buffer.from(`${'x'.repeat(255)}é and more`))).toBe('x'.repeat(255));
    const binary = Buffer.alloc(1000, 0xff);
    expect(payloadExcerpt(binary)).toBe(`hex:${'ff'.repeat(256)}`);
    expect(payloadExcerpt(Buffer.alloc(0))).toBe('');
  });
});

describe('MqttQuarantine', () => {
  it('adds rows and lists them newest first with excerpt and size', () => {
    quarantine.add([input(1), input(2, { payload: Buffer.from([0, 1, 2]) })]);
    expect(quarantine.count()).toBe(2);
    expect(quarantine.list()).toEqual([
      {
        id: 2,
        receivedAt: '2026-03-01T00:00:02.000Z',
        topic: 'nodes/n0/telemetry',
        reason: 'bad 2',
        payloadExcerpt: 'hex:000102',
        payloadBytes: 3,
      },
      {
        id: 1,
        receivedAt: '2026-03-01T00:00:01.000Z',
        topic: 'nodes/n1/telemetry',
        reason: 'bad 1',
        payloadExcerpt: '{"t": 1',
        payloadBytes: 7,
      },
    ]);
  });

  it('filters by since (inclusive) and topic, and limits', () => {
    quarantine.add(Array.from({ length: 10 }, (_, i) => input(i)));
    expect(quarantine.list({ since: '2026-03-01T00:00:07Z' }).map((r) => r.reason)).toEqual([
      'bad 9',
      'bad 8',
      'bad 7',
    ]);
    expect(quarantine.list({ topic: 'nodes/n1/telemetry', limit: 2 }).map((r) => r.reason)).toEqual([
      'bad 9',
      'bad 7',
    ]);
    expect(() => quarantine.list({ limit: 0 })).toThrow(/limit/);
    expect(() => quarantine.list({ since: 'yesterday' })).toThrow(/since/);
  });

  it('keeps the newest rows: prune({keep}) and the bound applied on add', () => {
    quarantine.add(Array.from({ length: 10 }, (_, i) => input(i)));
    expect(quarantine.prune({ keep: 4 })).toBe(6);
    expect(quarantine.list().map((r) => r.reason)).toEqual(['bad 9', 'bad 8', 'bad 7', 'bad 6']);
    expect(quarantine.prune({ keep: 4 })).toBe(0);
    expect(quarantine.prune({ keep: 0 })).toBe(4);
    expect(quarantine.count()).toBe(0);
    expect(() => quarantine.prune({ keep: -1 })).toThrow(/keep/);

    const small = new MqttQuarantine(store.db, { keep: 3 });
    small.add(Array.from({ length: 5 }, (_, i) => input(i)));
    small.add([input(5)]);
    expect(small.list().map((r) => r.reason)).toEqual(['bad 5', 'bad 4', 'bad 3']);
  });

  it('writes in the caller transaction', () => {
    expect(() =>
      store.db.transaction(() => {
        quarantine.add([input(1)]);
        throw new Error('rolled back');
      })(),
    ).toThrow(/rolled back/);
    expect(quarantine.count()).toBe(0);
  });

  it('clips very long topics and reasons', () => {
    quarantine.add([input(1, { topic: `t/${'x'.repeat(5000)}`, reason: 'r'.repeat(5000) })]);
    const [row] = quarantine.list();
    expect(row?.topic.length).toBe(1025);
    expect(row?.reason.endsWith('…')).toBe(true);
  });
});
