import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, parseLineProtocol } from './line-protocol.js';

/** The single sample of a one-field line, failing loudly on anything else. */
function one(line: string, opts?: Parameters<typeof parseLineProtocol>[1]) {
  const res = parseLineProtocol(line, opts);
  expect(res.errors).toEqual([]);
  expect(res.samples).toHaveLength(1);
  return res.samples[0]!;
}

describe('field types', () => {
  it.each([
    ['1.5', 1.5],
    ['-3e2', -300],
    ['2E-1', 0.2],
    ['.5', 0.5],
    ['1.', 1],
    ['42', 42],
    ['12i', 12],
    ['-12i', -12],
    ['12u', 12],
    ['9223372036854775807i', 2 ** 63],
    ['18446744073709551615u', 2 ** 64],
  ])('number %s → %d', (raw, value) => {
    expect(one(`m x=${raw}`).value).toBe(value);
  });

  it.each(['t', 'T', 'true', 'True', 'TRUE'])('boolean %s → 1', (raw) => {
    expect(one(`m x=${raw}`).value).toBe(1);
  });

  it.each(['f', 'F', 'false', 'False', 'FALSE'])('boolean %s → 0', (raw) => {
    expect(one(`m x=${raw}`).value).toBe(0);
  });

  it.each([
    ['12x', 'invalid number "12x" for field "x"'],
    ['-12u', 'invalid number "-12u"'],
    ['1.5i', 'invalid number "1.5i"'],
    ['9223372036854775808i', 'integer out of range'],
    ['18446744073709551616u', 'unsigned integer out of range'],
    ['1e999', 'non-finite number "1e999"'],
    ['NaN', 'invalid number "NaN"'],
    ['Infinity', 'invalid number "Infinity"'],
    ['tru', 'invalid number "tru"'],
    ['1e', 'invalid number "1e"'],
    ['-', 'invalid number "-"'],
  ])('rejects %s', (raw, message) => {
    const res = parseLineProtocol(`m x=${raw}`);
    expect(res.samples).toEqual([]);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]!.message).toContain(message);
    expect(res.errors[0]!.message).toMatch(/^line 1: /);
  });

  it('skips string fields but keeps numeric ones on the same line', () => {
    const res = parseLineProtocol('m msg="hello, world x=1",temp=20.5,ok=true');
    expect(res.errors).toEqual([]);
    expect(res.samples.map((s) => [s.name, s.value])).toEqual([
      ['m_temp', 20.5],
      ['m_ok', 1],
    ]);
  });

  it('reports a line with only string fields', () => {
    const res = parseLineProtocol('m a="x",b="y"');
    expect(res.errors).toEqual([{ at: 1, message: 'line 1: no numeric field' }]);
  });

  it('names field "value" after the measurement alone', () => {
    const res = parseLineProtocol('cpu value=1,user=2');
    expect(res.samples.map((s) => s.name)).toEqual(['cpu', 'cpu_user']);
  });
});

describe('escaping', () => {
  it('handles commas, spaces and equals in tags and field keys', () => {
    const s = one('my\\ meas\\,x,ho\\ st=a\\,b\\ c\\=d,k\\=1=v f\\ k\\,\\==3');
    expect(s.name).toBe('my_meas_x_f_k__');
    expect(s.labels).toEqual({ ho_st: 'a,b c=d', k_1: 'v' });
  });

  it('handles quotes and backslashes in string values', () => {
    const res = parseLineProtocol('m s="say \\"hi\\", x=1 \\\\",n=2 1000');
    expect(res.errors).toEqual([]);
    expect(res.samples).toEqual([{ name: 'm_n', labels: {}, value: 2, ts: 0 }]);
  });

  it('keeps unknown backslash sequences literal and unescapes \\\\', () => {
    expect(one('m,p=C:\\temp\\\\x v=1').labels).toEqual({ p: 'C:\\temp\\x' });
  });

  it('rejects an unterminated string', () => {
    expect(parseLineProtocol('m s="abc\\" 1').errors[0]!.message).toBe(
      'line 1: unterminated string for field "s"',
    );
  });
});

describe('timestamps', () => {
  it('defaults to ns and keeps 19-digit values exact', () => {
    expect(one('m v=1 1700000000123456789').ts).toBe(1_700_000_000_123);
    expect(one('m v=1 9223372036854775807').ts).toBe(9_223_372_036_854);
  });

  it.each([
    ['ns', '1700000000123456789'],
    ['us', '1700000000123456'],
    ['ms', '1700000000123'],
    ['s', '1700000000'],
  ] as const)('precision %s', (precision, raw) => {
    const expected = precision === 's' ? 1_700_000_000_000 : 1_700_000_000_123;
    expect(one(`m v=1 ${raw}`, { precision }).ts).toBe(expected);
  });

  it('floors pre-epoch timestamps', () => {
    expect(one('m v=1 -1500000', { precision: 'ns' }).ts).toBe(-2);
  });

  it('leaves ts undefined when absent', () => {
    expect(one('m v=1').ts).toBeUndefined();
    expect('ts' in one('m v=1 ')).toBe(false);
  });

  it.each([
    ['1.5e9', 'invalid timestamp "1.5e9"'],
    ['123abc', 'invalid timestamp'],
    ['99999999999999999999', 'timestamp out of range'],
    ['1 2', 'unexpected content after timestamp: "2"'],
  ])('rejects %s', (raw, message) => {
    expect(parseLineProtocol(`m v=1 ${raw}`, { precision: 's' }).errors[0]!.message).toContain(message);
  });

  it('reports an invalid precision instead of throwing', () => {
    const res = parseLineProtocol('m v=1', { precision: 'h' as 's' });
    expect(res.errors).toEqual([{ at: 0, message: 'invalid precision "h"' }]);
  });
});

describe('batches', () => {
  it('keeps valid lines and reports each bad one with its number', () => {
    const text = [
      '# comment',
      'cpu,host=a usage=0.5 1000000000',
      'garbage',
      '',
      'cpu,host=b',
      'mem free=12i,total=20u',
      'disk used=12x',
      '   ',
      '\u0000\u0001\u00ff',
      'net,=x rx=1',
      'net,__name__=x rx=1',
      'net,a=1,a=2 rx=1',
      'temp value=21.5',
    ].join('\r\n');
    const res = parseLineProtocol(text);
    expect(res.samples).toEqual([
      { name: 'cpu_usage', labels: { host: 'a' }, value: 0.5, ts: 1000 },
      { name: 'mem_free', labels: {}, value: 12 },
      { name: 'mem_total', labels: {}, value: 20 },
      { name: 'temp', labels: {}, value: 21.5 },
    ]);
    expect(res.errors).toEqual([
      { at: 3, message: 'line 3: missing field set' },
      { at: 5, message: 'line 5: missing field set' },
      { at: 7, message: 'line 7: invalid number "12x" for field "used"' },
      { at: 9, message: 'line 9: missing field set' },
      { at: 10, message: 'line 10: empty tag key' },
      { at: 11, message: 'line 11: reserved label name "__name__" (starts with "__")' },
      { at: 12, message: 'line 12: duplicate label "a"' },
    ]);
  });

  it('reports structural errors', () => {
    const cases: Array<[string, string]> = [
      [',t=1 v=1', 'missing measurement'],
      ['m,t v=1', 'missing "=" in tag "t"'],
      ['m,t= v=1', 'empty value for tag "t"'],
      ['m v', 'missing "=" in field "v"'],
      ['m =1', 'empty field key'],
      ['m v=', 'missing value for field "v"'],
      ['m v=1,v=2', 'duplicate field "v" (metric "m_v")'],
      ['m s="x"y', 'unexpected character "y" after field "s"'],
    ];
    for (const [line, message] of cases) {
      expect(parseLineProtocol(line).errors).toEqual([{ at: 1, message: `line 1: ${message}` }]);
    }
  });

  it('gives each sample its own labels object', () => {
    const [a, b] = parseLineProtocol('m,h=x a=1,b=2').samples;
    a!.labels.h = 'changed';
    expect(b!.labels).toEqual({ h: 'x' });
  });
});

describe('limits', () => {
  it('rejects an over-long line but keeps its neighbours', () => {
    const long = `m,t=${'x'.repeat(MAX_LINE_BYTES)} v=1`;
    const res = parseLineProtocol(`a v=1\n${long}\nb v=2`);
    expect(res.samples.map((s) => s.name)).toEqual(['a_v', 'b_v']);
    expect(res.errors).toEqual([{ at: 2, message: `line 2: line longer than ${MAX_LINE_BYTES} bytes` }]);
  });

  it('measures the limit in UTF-8 bytes', () => {
    const multiByte = `m,t=${'é'.repeat(MAX_LINE_BYTES / 2)} v=1`;
    expect(parseLineProtocol(multiByte).errors).toHaveLength(1);
  });

  it('stops after maxLines non-blank lines with one error', () => {
    const text = ['a v=1', '', 'b v=2', 'c v=3', 'd v=4', 'e v=5'].join('\n');
    const res = parseLineProtocol(text, { maxLines: 2 });
    expect(res.samples.map((s) => s.name)).toEqual(['a_v', 'b_v']);
    expect(res.errors).toEqual([
      { at: 4, message: 'line 4: too many lines (limit 2); this and all following lines were ignored' },
    ]);
  });

  it('handles the default limit on a large batch', () => {
    const res = parseLineProtocol('m v=1\n'.repeat(100_001));
    expect(res.samples).toHaveLength(100_000);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]!.at).toBe(100_001);
  });
});

describe('robustness', () => {
  // Deterministic PRNG so a failure is reproducible.
  function rng(seed: number): () => number {
    let x = seed;
    return () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
  }
  const alphabet = [
    'm',
    'v',
    '=',
    ',',
    ' ',
    '"',
    '\\',
    '\n',
    '\r',
    '#',
    '1',
    '.',
    'e',
    '-',
    'i',
    'u',
    't',
    '\u0000',
  ];

  it('never throws on 2000 random strings', () => {
    const next = rng(42);
    for (let n = 0; n < 2000; n++) {
      const len = Math.floor(next() * 200);
      let s = '';
      for (let i = 0; i < len; i++) {
        s +=
          next() < 0.7
            ? alphabet[Math.floor(next() * alphabet.length)]
            : String.fromCharCode(Math.floor(next() * 0xffff));
      }
      const res = parseLineProtocol(s);
      for (const sample of res.samples) {
        expect(Number.isFinite(sample.value)).toBe(true);
        expect(sample.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      }
    }
  });

  it('stays fast on pathological input', () => {
    const started = Date.now();
    parseLineProtocol(`m x=${'1'.repeat(60_000)}x\n`.repeat(10));
    parseLineProtocol(`m,${'\\'.repeat(60_000)} v=1`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not throw on non-string input', () => {
    expect(parseLineProtocol(undefined as unknown as string).errors).toHaveLength(1);
  });
});

describe('name sanitizing', () => {
  it('applies sanitizing to parsed lines', () => {
    const s = one('1st.meas,data-center=eu load.avg=1');
    expect(s).toEqual({ name: '_1st_meas_load_avg', labels: { data_center: 'eu' }, value: 1 });
  });

  it('rejects tags that sanitize into a reserved or clashing name', () => {
    expect(parseLineProtocol('m,-_x=1 v=1').errors[0]!.message).toContain('reserved label name "__x"');
    expect(parseLineProtocol('m,a.b=1,a-b=2 v=1').errors[0]!.message).toContain('duplicate label "a_b"');
  });
});

describe('fast paths agree with the exact ones', () => {
  it('short ms and s timestamps equal what the BigInt path gives, at the edges too', () => {
    const ts = (raw: string, precision: 'ms' | 's' | 'us') =>
      parseLineProtocol(`m v=1 ${raw}`, { precision }).samples[0]?.ts;
    expect(ts('1700000000123', 'ms')).toBe(1700000000123);
    expect(ts('1700000000', 's')).toBe(1700000000000);
    expect(Object.is(ts('-0', 'ms'), 0)).toBe(true);
    expect(ts('-1500', 'ms')).toBe(-1500);
    // 15 digits (fast) and 16 (BigInt) on either side of the switch.
    expect(ts('100000000000000', 'ms')).toBe(100000000000000);
    expect(ts('1000000000000000', 'us')).toBe(1000000000000);
    expect(parseLineProtocol('m v=1 999999999999999', { precision: 's' }).errors[0]?.message).toContain(
      'out of range',
    );
  });

  it('names seen before are sanitized the same way, and escaped tokens still unescape', () => {
    const first = parseLineProtocol('cpu-load,host.name=a value=1 1\ncpu-load,host.name=b value=2 2', {
      precision: 'ms',
    }).samples;
    expect(first.map((x) => [x.name, x.labels])).toEqual([
      ['cpu_load', { host_name: 'a' }],
      ['cpu_load', { host_name: 'b' }],
    ]);
    const escaped = parseLineProtocol('my\\ metric,tag\\=key=va\\,lue value=3').samples[0];
    expect(escaped).toMatchObject({ name: 'my_metric', labels: { tag_key: 'va,lue' }, value: 3 });
  });
});
