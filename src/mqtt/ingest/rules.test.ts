import { afterAll, describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { openStore } from '../../store/db.js';
import { compileRules, type IngestRule, type RouteResult } from './index.js';

const ARRIVAL = new Date('2026-03-01T10:00:00.000Z');
const T = ARRIVAL.getTime();

function route(rules: IngestRule[], topic: string, payload: string | Buffer): RouteResult {
  return compileRules(rules).route(
    topic,
    typeof payload === 'string' ? Buffer.from(payload) : payload,
    ARRIVAL,
  );
}

function samplesOf(r: RouteResult) {
  if (r.kind !== 'samples') throw new Error(`expected samples, got ${JSON.stringify(r)}`);
  return r.samples;
}

function reasonOf(r: RouteResult): string {
  if (r.kind !== 'malformed') throw new Error(`expected malformed, got ${JSON.stringify(r)}`);
  return r.reason;
}

function configError(rules: IngestRule[]): StewardError {
  try {
    compileRules(rules);
  } catch (err) {
    expect(err).toBeInstanceOf(StewardError);
    expect((err as StewardError).code).toBe('E_CONFIG');
    return err as StewardError;
  }
  throw new Error('expected a config error');
}

const sensors: IngestRule = { topic: 'sensors/+room/+metric', format: 'number', metric: 'sensor_{metric}' };
const node: IngestRule = {
  topic: 'nodes/+node/telemetry',
  format: 'json',
  metric: 'node_{field}',
  fields: { temp: '$.t', hum: '$.env.h', first: '$.arr[0]', on: '$.relay' },
  timestamp: '$.ts',
  sequence: '$.seq',
};

describe('format number', () => {
  it('turns a bare decimal into one sample with the topic labels and arrival time', () => {
    expect(samplesOf(route([sensors], 'sensors/kitchen/temperature', ' 21.5\n'))).toEqual([
      { name: 'sensor_temperature', labels: { room: 'kitchen', metric: 'temperature' }, value: 21.5, ts: T },
    ]);
  });

  it.each([
    ['-3', -3],
    ['+4', 4],
    ['1e3', 1000],
    ['.5', 0.5],
    ['7.', 7],
    ['0', 0],
  ])('accepts %j', (payload, value) => {
    expect(samplesOf(route([sensors], 'sensors/a/b', payload))[0]?.value).toBe(value);
  });

  it.each([
    ['', /empty payload/],
    ['   ', /empty payload/],
    ['NaN', /not a decimal number/],
    ['Infinity', /not a decimal number/],
    ['-Infinity', /not a decimal number/],
    ['0x1A', /not a decimal number/],
    ['1,5', /not a decimal number/],
    ['12abc', /not a decimal number/],
    ['1 2', /not a decimal number/],
    ['true', /not a decimal number/],
    ['1e999', /out of range/],
    ['9'.repeat(100), /longer than 64 characters/],
  ])('rejects %j', (payload, reason) => {
    expect(reasonOf(route([sensors], 'sensors/a/b', payload))).toMatch(reason);
  });

  it('is malformed when a label value makes the metric name invalid', () => {
    expect(reasonOf(route([sensors], 'sensors/kitchen/temp-c', '1'))).toMatch(
      /metric name "sensor_temp-c" is not valid \(from template "sensor_\{metric\}"\)/,
    );
  });

  it('drops labels bound to an empty level and adds the rule labels', () => {
    const rule: IngestRule = { ...sensors, labels: { site: 'cabin' } };
    expect(samplesOf(route([rule], 'sensors//power', '5'))[0]).toEqual({
      name: 'sensor_power',
      labels: { site: 'cabin', metric: 'power' },
      value: 5,
      ts: T,
    });
  });
});

describe('format json', () => {
  it('picks fields by path: nested, array index, boolean as 1/0; templates {field}', () => {
    const r = route(
      [node],
      'nodes/esp1/telemetry',
      JSON.stringify({ t: 21.5, env: { h: 40 }, arr: [7, 8], relay: true, ts: 1_767_225_600, seq: 12 }),
    );
    expect(r).toMatchObject({ kind: 'samples', device: 'nodes/esp1/telemetry', sequence: 12, rule: 0 });
    const ts = 1_767_225_600_000;
    expect(samplesOf(r)).toEqual([
      { name: 'node_temp', labels: { node: 'esp1' }, value: 21.5, ts },
      { name: 'node_hum', labels: { node: 'esp1' }, value: 40, ts },
      { name: 'node_first', labels: { node: 'esp1' }, value: 7, ts },
      { name: 'node_on', labels: { node: 'esp1' }, value: 1, ts },
    ]);
    expect(samplesOf(route([node], 'nodes/esp1/telemetry', '{"relay":false}'))[0]?.value).toBe(0);
  });

  it('names samples by field key when there is no metric template', () => {
    const rule: IngestRule = { topic: 'x/+dev', format: 'json', fields: { temperature: '$["the temp"]' } };
    expect(samplesOf(route([rule], 'x/d1', '{"the temp": 3}'))).toEqual([
      { name: 'temperature', labels: { dev: 'd1' }, value: 3, ts: T },
    ]);
  });

  it('reads a value at the root with $', () => {
    const rule: IngestRule = { topic: 'x', format: 'json', fields: { level: '$' } };
    expect(samplesOf(route([rule], 'x', '42'))[0]?.value).toBe(42);
  });

  it('skips missing and null fields; malformed when none is present', () => {
    const s = samplesOf(route([node], 'nodes/n/telemetry', '{"t": 1, "env": {"h": null}, "arr": []}'));
    expect(s.map((x) => x.name)).toEqual(['node_temp']);
    expect(reasonOf(route([node], 'nodes/n/telemetry', '{"other": 1}'))).toMatch(
      /none of the fields is present \(temp at \$\.t, hum at \$\.env\.h, first at \$\.arr\[0\], on at \$\.relay\)/,
    );
    expect(reasonOf(route([node], 'nodes/n/telemetry', '[1,2]'))).toMatch(/none of the fields/);
  });

  it('does not follow a path into the prototype', () => {
    const rule: IngestRule = { topic: 'x', format: 'json', fields: { a: '$.constructor', b: '$.__proto__' } };
    expect(reasonOf(route([rule], 'x', '{}'))).toMatch(/none of the fields/);
    expect(samplesOf(route([rule], 'x', '{"__proto__": 5}'))).toEqual([
      { name: 'b', labels: {}, value: 5, ts: T },
    ]);
  });

  it.each([
    ['{"t": "21.5"}', /field "temp" \(\$\.t\): expected a number or a boolean, got the string "21\.5"/],
    ['{"t": {"v": 1}}', /got an object/],
    ['{"t": [1]}', /got an array/],
  ])('rejects a field of the wrong type: %s', (payload, reason) => {
    expect(reasonOf(route([node], 'nodes/n/telemetry', payload))).toMatch(reason);
  });

  it.each([
    ['seconds', 1_767_225_600, 1_767_225_600_000],
    ['fractional seconds', 1_767_225_600.25, 1_767_225_600_250],
    ['milliseconds', 1_767_225_600_123, 1_767_225_600_123],
    ['ISO with Z', '2026-01-01T00:00:00.5Z', 1_767_225_600_500],
    ['ISO with offset', '2026-01-01T02:00:00+02:00', 1_767_225_600_000],
    ['1e11 - 1 (still seconds)', 99_999_999_999, 99_999_999_999_000],
    ['1e11 (milliseconds)', 100_000_000_000, 100_000_000_000],
  ])('timestamp as %s', (_what, ts, ms) => {
    expect(samplesOf(route([node], 'nodes/n/telemetry', JSON.stringify({ t: 1, ts })))[0]?.ts).toBe(ms);
  });

  it('falls back to arrival when the timestamp is absent or null', () => {
    expect(samplesOf(route([node], 'nodes/n/telemetry', '{"t":1}'))[0]?.ts).toBe(T);
    expect(samplesOf(route([node], 'nodes/n/telemetry', '{"t":1,"ts":null}'))[0]?.ts).toBe(T);
  });

  it.each([
    ['"2026-01-01T00:00:00"', /not ISO 8601 with a zone/],
    ['"yesterday"', /not ISO 8601 with a zone/],
    ['-5', /out of range/],
    ['1e300', /out of range/],
    ['true', /must be a number or an ISO 8601 string, got a boolean/],
  ])('rejects timestamp %s', (ts, reason) => {
    expect(reasonOf(route([node], 'nodes/n/telemetry', `{"t":1,"ts":${ts}}`))).toMatch(reason);
  });

  it('reads the sequence: absent → null, invalid → malformed', () => {
    expect(route([node], 'nodes/n/telemetry', '{"t":1}')).toMatchObject({ sequence: null });
    expect(route([node], 'nodes/n/telemetry', '{"t":1,"seq":0}')).toMatchObject({ sequence: 0 });
    for (const seq of ['-1', '1.5', '"7"', '1e300']) {
      expect(reasonOf(route([node], 'nodes/n/telemetry', `{"t":1,"seq":${seq}}`))).toMatch(
        /\$\.seq: sequence must be a non-negative integer/,
      );
    }
  });

  it.each([
    ['{"t": 1', /not valid JSON/],
    ['', /not valid JSON/],
    ['{t: 1}', /not valid JSON/],
    [`${'['.repeat(40)}1${']'.repeat(40)}`, /nested deeper than 32 levels/],
    [`{"t": 1, "deep": ${'{"a":'.repeat(33)}1${'}'.repeat(33)}}`, /nested deeper than 32 levels/],
  ])('rejects payload %#', (payload, reason) => {
    expect(reasonOf(route([node], 'nodes/n/telemetry', payload))).toMatch(reason);
  });

  it('does not count brackets inside strings as nesting', () => {
    const payload = JSON.stringify({ t: 2, note: '['.repeat(100) });
    expect(samplesOf(route([node], 'nodes/n/telemetry', payload))[0]?.value).toBe(2);
  });
});

describe('format influx', () => {
  const rule: IngestRule = { topic: 'influx/+host', format: 'influx', labels: { via: 'mqtt' } };

  it('parses every line and adds the topic and rule labels (winning over tags)', () => {
    const payload =
      'cpu,host=spoofed,core=0 usage=0.5,idle=99i 1767225600000000000\nmem free=1024i\n# note\n';
    expect(samplesOf(route([rule], 'influx/pi', payload))).toEqual([
      {
        name: 'cpu_usage',
        labels: { host: 'pi', core: '0', via: 'mqtt' },
        value: 0.5,
        ts: 1_767_225_600_000,
      },
      { name: 'cpu_idle', labels: { host: 'pi', core: '0', via: 'mqtt' }, value: 99, ts: 1_767_225_600_000 },
      { name: 'mem_free', labels: { host: 'pi', via: 'mqtt' }, value: 1024, ts: T },
    ]);
  });

  it('applies the precision and a {field} template', () => {
    const r: IngestRule = { topic: 'influx/+host', format: 'influx', precision: 's', metric: 'edge_{field}' };
    expect(samplesOf(route([r], 'influx/pi', 'temp value=3 1767225600'))).toEqual([
      { name: 'edge_temp', labels: { host: 'pi' }, value: 3, ts: 1_767_225_600_000 },
    ]);
  });

  it('quarantines the whole message when any line is bad, and empty messages', () => {
    expect(reasonOf(route([rule], 'influx/pi', 'ok value=1\nbad value=x\nworse'))).toMatch(
      /line protocol: line 2: invalid number "x" for field "value" \(and 1 more\)/,
    );
    expect(reasonOf(route([rule], 'influx/pi', '# only a comment\n'))).toMatch(/no samples/);
    expect(reasonOf(route([rule], 'influx/pi', 'm value=1 -1000000000'))).toMatch(/before 1970/);
  });
});

describe('routing', () => {
  it('lists distinct subscriptions and lets the first matching rule win', () => {
    const specific: IngestRule = {
      topic: 'sensors/attic/+metric',
      format: 'number',
      metric: 'attic_{metric}',
    };
    const router = compileRules([specific, sensors, { ...sensors, metric: 'other_{metric}' }]);
    expect(router.subscriptions).toEqual(['sensors/attic/+', 'sensors/+/+']);
    const a = router.route('sensors/attic/temp', Buffer.from('1'), ARRIVAL);
    expect(a).toMatchObject({ kind: 'samples', rule: 0, samples: [{ name: 'attic_temp' }] });
    const b = router.route('sensors/cellar/temp', Buffer.from('x'), ARRIVAL);
    expect(b).toMatchObject({ kind: 'malformed', rule: 1 });
    expect(router.route('elsewhere/x', Buffer.from('1'), ARRIVAL)).toEqual({ kind: 'unmatched' });
  });

  it('names the device by the topic, or by the device template', () => {
    const r = route([{ ...node, device: 'node:{node}' }], 'nodes/esp9/telemetry', '{"t":1}');
    expect(r).toMatchObject({ device: 'node:esp9' });
  });

  it('rejects oversized, non-UTF-8 and non-binary payloads', () => {
    const router = compileRules([node], { maxPayloadBytes: 1024 });
    const big = Buffer.from(JSON.stringify({ t: 1, pad: 'x'.repeat(2000) }));
    expect(reasonOf(router.route('nodes/n/telemetry', big, ARRIVAL))).toMatch(
      /payload of 2\d{3} bytes exceeds the limit of 1024 bytes/,
    );
    expect(reasonOf(route([node], 'nodes/n/telemetry', Buffer.alloc(64 * 1024 + 1, 0x20)))).toMatch(
      /65536 bytes/,
    );
    expect(reasonOf(route([node], 'nodes/n/telemetry', Buffer.from([0x7b, 0xff, 0x7d])))).toMatch(
      /not valid UTF-8/,
    );
    const asString = router.route('nodes/n/telemetry', '{"t":1}' as unknown as Buffer, ARRIVAL);
    expect(reasonOf(asString)).toMatch(/not binary data/);
  });

  it('uses the current time when arrival is not a valid date', () => {
    const before = Date.now();
    const s = samplesOf(compileRules([sensors]).route('sensors/a/b', Buffer.from('1'), new Date('nope')));
    expect(s[0]?.ts).toBeGreaterThanOrEqual(before);
  });
});

describe('compileRules', () => {
  it.each<[string, IngestRule, RegExp, RegExp?]>([
    [
      'bad topic',
      { ...sensors, topic: 'a/#/b' },
      /rule 2 \(a\/#\/b\): invalid MQTT topic pattern/,
      /matches one level/,
    ],
    ['unknown format', { ...sensors, format: 'xml' as 'json' }, /format/],
    ['unknown key', { ...sensors, extra: 1 } as IngestRule, /extra/],
    ['number without metric', { topic: 'a', format: 'number' }, /format number needs "metric"/],
    ['json without fields', { topic: 'a', format: 'json' }, /format json needs "fields"/],
    ['fields on number', { ...sensors, fields: { a: '$.a' } }, /"fields" does not apply to format number/],
    ['timestamp on influx', { topic: 'a', format: 'influx', timestamp: '$.t' }, /"timestamp" does not apply/],
    ['precision on json', { ...node, precision: 's' }, /"precision" does not apply/],
    [
      'unknown placeholder',
      { ...sensors, metric: 'x_{room2}' },
      /unknown placeholder \{room2\}/,
      /\{room\}, \{metric\}/,
    ],
    ['{field} on number', { ...sensors, metric: 'x_{field}' }, /unknown placeholder \{field\}/],
    ['unclosed brace', { ...sensors, metric: 'x_{room' }, /unclosed "\{"/],
    ['stray brace', { ...sensors, metric: 'x}' }, /unmatched "\}"/],
    ['invalid static name', { ...sensors, metric: '1x_{metric}' }, /"1x_x" is not a valid metric name/],
    [
      'invalid field key',
      { topic: 'a', format: 'json', fields: { 'temp-c': '$.t' } },
      /"temp-c".*not a valid metric name/,
    ],
    [
      'shared name',
      { ...node, metric: 'node_x' },
      /must contain \{field\} when the rule has more than one field/,
    ],
    [
      'influx template without field',
      { topic: 'a', format: 'influx', metric: 'x' },
      /must contain \{field\}/,
    ],
    ['bad path', { topic: 'a', format: 'json', fields: { a: 't' } }, /path "t" must start with "\$"/],
    ['bad index', { topic: 'a', format: 'json', fields: { a: '$.a[-1]' } }, /not an array index/],
    ['bad timestamp path', { ...node, timestamp: '$..x' }, /timestamp path "\$\.\.x" empty key/],
    [
      'label clash with topic',
      { ...sensors, labels: { room: 'x' } },
      /label "room" is also bound by the topic/,
    ],
    ['reserved label', { ...sensors, labels: { __name__: 'x' } }, /reserved/],
    ['invalid label', { ...sensors, labels: { 'a-b': 'x' } }, /label name "a-b" is invalid/],
    ['empty label', { ...sensors, labels: { a: '' } }, /empty value/],
    [
      'topic binds "field"',
      { topic: 'a/+field', format: 'json', fields: { a: '$' } },
      /clashes with the \{field\}/,
    ],
    ['device placeholder', { ...sensors, device: '{nope}' }, /device "\{nope\}": unknown placeholder/],
  ])('rejects %s', (_what, rule, message, hint) => {
    const err = configError([sensors, rule]);
    expect(err.message).toMatch(/^mqtt ingest rule 2/);
    expect(err.message).toMatch(message);
    if (hint) expect(err.hint).toMatch(hint);
  });

  it('rejects a non-list and a bad payload limit', () => {
    expect(() => compileRules({} as IngestRule[])).toThrow(/must be a list/);
    expect(() => compileRules([], { maxPayloadBytes: 0 })).toThrow(/maxPayloadBytes/);
  });
});

describe('samples go through the metrics store as POST /api/v1/metrics does', () => {
  const store = openStore({ file: ':memory:' });
  afterAll(() => store.close());

  it('writes routed samples and reads them back', () => {
    const router = compileRules([sensors, node]);
    const a = samplesOf(router.route('sensors/kitchen/temperature', Buffer.from('21.5'), ARRIVAL));
    const b = samplesOf(
      router.route('nodes/esp1/telemetry', Buffer.from('{"t": 3, "relay": true}'), ARRIVAL),
    );
    expect(store.metrics.write([...a, ...b])).toEqual({ written: 3, duplicates: 0 });
    expect(store.metrics.listSeries('node_on').map((s) => s.labels)).toEqual([{ node: 'esp1' }]);
  });
});
