import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StewardError } from '../../core/errors.js';
import {
  formatMatchers,
  type Matcher,
  matchersFromObject,
  matchersSchema,
  matches,
  parseMatcher,
  parseMatchers,
} from './matchers.js';

function usageError(fn: () => unknown): StewardError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StewardError);
    const e = err as StewardError;
    expect(e.code).toBe('E_USAGE');
    expect(e.hint).toBeTruthy();
    return e;
  }
  throw new Error('expected an error');
}

describe('parseMatcher', () => {
  it.each([
    ['severity=critical', { name: 'severity', op: '=', value: 'critical' }],
    ['severity!=info', { name: 'severity', op: '!=', value: 'info' }],
    ['service=~core|db', { name: 'service', op: '=~', value: 'core|db' }],
    ['service!~tmp-.*', { name: 'service', op: '!~', value: 'tmp-.*' }],
    [' _x1 = a b ', { name: '_x1', op: '=', value: 'a b' }],
    ['k=', { name: 'k', op: '=', value: '' }],
    ['k=a=b', { name: 'k', op: '=', value: 'a=b' }],
  ] as const)('%s', (text, expected) => {
    expect(parseMatcher(text)).toEqual(expected);
  });

  it('reads double-quoted values with escapes, keeping unknown escapes for regexes', () => {
    expect(parseMatcher('msg="a, \\"b\\"\\n\\\\"')).toEqual({ name: 'msg', op: '=', value: 'a, "b"\n\\' });
    expect(parseMatcher('host=~"web\\.example"')).toEqual({ name: 'host', op: '=~', value: 'web\\.example' });
    expect(parseMatcher('k!="" ')).toEqual({ name: 'k', op: '!=', value: '' });
  });

  it.each([
    ['', 'empty matcher'],
    ['=x', 'missing label name'],
    ['1abc=x', '"1abc" is not a valid label name'],
    ['sev-erity=x', '"sev-erity" is not a valid label name'],
    ['severity', 'expected an operator'],
    ['severity critical', 'expected an operator'],
    ['severity==critical', 'unexpected "=" after "="'],
    ['k="open', 'missing closing quote'],
    ['k="a"b', 'unexpected text after the closing quote'],
    ['k=a"b', 'a quote inside an unquoted value'],
    ['k=~(', 'invalid regular expression'],
    ['k!~"a)|(b"', 'invalid regular expression'],
  ])('rejects %j', (text, problem) => {
    const err = usageError(() => parseMatcher(text));
    expect(err.message).toContain(`invalid matcher ${JSON.stringify(text)}`);
    expect(err.message).toContain(problem);
  });
});

describe('parseMatchers / formatMatchers', () => {
  const list: Matcher[] = [
    { name: 'severity', op: '=', value: 'critical' },
    { name: 'service', op: '=~', value: 'core|db' },
    { name: 'host', op: '!=', value: 'a, "b" \\ c\nd' },
    { name: 'path', op: '!~', value: '/var/.*\\.log' },
  ];

  it('formats the Alertmanager way', () => {
    expect(formatMatchers(list.slice(0, 2))).toBe('severity="critical", service=~"core|db"');
    expect(formatMatchers([])).toBe('');
  });

  it('round-trips through text, including quotes, commas, backslashes and newlines', () => {
    expect(parseMatchers(formatMatchers(list))).toEqual(list);
    expect(parseMatchers(`{${formatMatchers(list)}}`)).toEqual(list);
    for (const m of list) expect(parseMatcher(formatMatchers([m]))).toEqual(m);
    const text = 'severity="critical", service=~"core|db"';
    expect(formatMatchers(parseMatchers(text))).toBe(text);
  });

  it('accepts unquoted lists, braces, a trailing comma and nothing', () => {
    expect(parseMatchers('{a=1,b!=2,}')).toEqual([
      { name: 'a', op: '=', value: '1' },
      { name: 'b', op: '!=', value: '2' },
    ]);
    expect(parseMatchers('')).toEqual([]);
    expect(parseMatchers('{}')).toEqual([]);
  });

  it('rejects an empty item in the middle', () => {
    expect(usageError(() => parseMatchers('a=1,,b=2')).message).toContain('empty matcher');
  });
});

describe('matches', () => {
  const labels = { severity: 'critical', service: 'core', empty: '' };

  it('checks every op', () => {
    expect(matches([parseMatcher('severity=critical')], labels)).toBe(true);
    expect(matches([parseMatcher('severity=warning')], labels)).toBe(false);
    expect(matches([parseMatcher('severity!=warning')], labels)).toBe(true);
    expect(matches([parseMatcher('severity!=critical')], labels)).toBe(false);
    expect(matches([parseMatcher('service=~core|db')], labels)).toBe(true);
    expect(matches([parseMatcher('service=~db')], labels)).toBe(false);
    expect(matches([parseMatcher('service!~db')], labels)).toBe(true);
    expect(matches([parseMatcher('service!~co.*')], labels)).toBe(false);
  });

  it('needs all matchers to hold; none is everything', () => {
    expect(matches(parseMatchers('severity=critical, service=db'), labels)).toBe(false);
    expect(matches(parseMatchers('severity=critical, service=core'), labels)).toBe(true);
    expect(matches([], labels)).toBe(true);
  });

  it('anchors regexes to the whole value', () => {
    const m = [parseMatcher('service=~"core"')];
    expect(matches(m, { service: 'core2' })).toBe(false);
    expect(matches(m, { service: 'xcore' })).toBe(false);
    expect(matches([parseMatcher('service=~"core|db"')], { service: 'db' })).toBe(true);
    expect(matches([parseMatcher('service=~"core|db"')], { service: 'core-db' })).toBe(false);
    expect(matches([parseMatcher('service!~"core"')], { service: 'core2' })).toBe(true);
  });

  it('treats a missing label as the empty string', () => {
    expect(matches([parseMatcher('team!=ops')], labels)).toBe(true);
    expect(matches([parseMatcher('team=""')], labels)).toBe(true);
    expect(matches([parseMatcher('empty=""')], labels)).toBe(true);
    expect(matches([parseMatcher('team=ops')], labels)).toBe(false);
    expect(matches([parseMatcher('team!=""')], labels)).toBe(false);
    expect(matches([parseMatcher('team=~".*"')], labels)).toBe(true);
    expect(matches([parseMatcher('team=~".+"')], labels)).toBe(false);
    expect(matches([parseMatcher('team!~".+"')], labels)).toBe(true);
  });
});

describe('object form', () => {
  it('chooses the operator by prefix', () => {
    expect(
      matchersFromObject({ a: 'critical', b: '!info', c: '~core|db', d: '!~tmp.*', e: '=!literal', f: '' }),
    ).toEqual([
      { name: 'a', op: '=', value: 'critical' },
      { name: 'b', op: '!=', value: 'info' },
      { name: 'c', op: '=~', value: 'core|db' },
      { name: 'd', op: '!~', value: 'tmp.*' },
      { name: 'e', op: '=', value: '!literal' },
      { name: 'f', op: '=', value: '' },
    ]);
  });

  it('rejects bad names and regexes', () => {
    expect(usageError(() => matchersFromObject({ 'bad-name': 'x' })).message).toContain(
      'not a valid label name',
    );
    expect(usageError(() => matchersFromObject({ service: '~(' })).message).toContain(
      'invalid regular expression',
    );
  });

  it('schema turns the object into matchers, taking YAML numbers and booleans as written', () => {
    expect(matchersSchema.parse({ severity: 'critical', service: '~core|db', code: 500, up: false })).toEqual(
      [
        { name: 'severity', op: '=', value: 'critical' },
        { name: 'service', op: '=~', value: 'core|db' },
        { name: 'code', op: '=', value: '500' },
        { name: 'up', op: '=', value: 'false' },
      ],
    );
    expect(matchersSchema.parse({})).toEqual([]);
  });

  it('schema reports a bad regex at its key, with a hint', () => {
    const result = z
      .strictObject({ match: matchersSchema })
      .safeParse({ match: { ok: '~a|b', service: '~core(' } });
    expect(result.success).toBe(false);
    const issues = result.error?.issues ?? [];
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['match', 'service']);
    expect(issues[0]?.message).toContain('invalid regular expression');
    expect((issues[0] as { params?: { hint?: string } }).params?.hint).toBeTruthy();
  });

  it('schema reports a bad label name as an invalid key', () => {
    const result = matchersSchema.safeParse({ 'bad-name': 'x' });
    expect(result.error?.issues[0]?.code).toBe('invalid_key');
    expect(result.error?.issues[0]?.path).toEqual(['bad-name']);
  });
});
