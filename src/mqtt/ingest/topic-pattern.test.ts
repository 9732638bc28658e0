import { describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { compileTopic } from './topic-pattern.js';

function configError(pattern: string): StewardError {
  try {
    compileTopic(pattern);
  } catch (err) {
    expect(err).toBeInstanceOf(StewardError);
    return err as StewardError;
  }
  throw new Error(`expected ${JSON.stringify(pattern)} to be rejected`);
}

describe('compileTopic', () => {
  it('binds named single-level wildcards and strips names from the subscription', () => {
    const t = compileTopic('sensors/+room/+metric');
    expect(t.subscription).toBe('sensors/+/+');
    expect(t.labels).toEqual(['room', 'metric']);
    expect(t.match('sensors/kitchen/temperature')).toEqual({ room: 'kitchen', metric: 'temperature' });
    expect(t.match('sensors/kitchen')).toBeNull();
    expect(t.match('sensors/kitchen/temperature/raw')).toBeNull();
    expect(t.match('actuators/kitchen/temperature')).toBeNull();
  });

  it('matches a named wildcard in the middle', () => {
    const t = compileTopic('nodes/+node/telemetry');
    expect(t.subscription).toBe('nodes/+/telemetry');
    expect(t.match('nodes/esp32-01/telemetry')).toEqual({ node: 'esp32-01' });
    expect(t.match('nodes/esp32-01/status')).toBeNull();
  });

  it('allows unnamed + and #, binding nothing', () => {
    const t = compileTopic('+/x/#');
    expect(t.subscription).toBe('+/x/#');
    expect(t.labels).toEqual([]);
    expect(t.match('a/x/b/c')).toEqual({});
    expect(t.match('a/y/b')).toBeNull();
  });

  it('binds the rest of the topic with #name, including zero levels (MQTT: a/# matches a)', () => {
    const t = compileTopic('home/+site/#path');
    expect(t.subscription).toBe('home/+/#');
    expect(t.match('home/cabin/floor1/kitchen/temp')).toEqual({ site: 'cabin', path: 'floor1/kitchen/temp' });
    expect(t.match('home/cabin')).toEqual({ site: 'cabin', path: '' });
    expect(t.match('home')).toBeNull();
  });

  it('matches empty levels like any other level', () => {
    const t = compileTopic('a/+mid/b');
    expect(t.match('a//b')).toEqual({ mid: '' });
    expect(compileTopic('/lead/+x').match('/lead/1')).toEqual({ x: '1' });
  });

  it('does not match $-topics with a leading wildcard, but does with a literal first level', () => {
    expect(compileTopic('#').match('$SYS/broker/uptime')).toBeNull();
    expect(compileTopic('#all').match('$SYS/broker/uptime')).toBeNull();
    expect(compileTopic('+x/broker/uptime').match('$SYS/broker/uptime')).toBeNull();
    expect(compileTopic('$SYS/#rest').match('$SYS/broker/uptime')).toEqual({ rest: 'broker/uptime' });
    expect(compileTopic('#').match('plain/topic')).toEqual({});
  });

  it('never matches topics that hold wildcards or are empty', () => {
    const t = compileTopic('#');
    expect(t.match('a/+/b')).toBeNull();
    expect(t.match('a/#')).toBeNull();
    expect(t.match('')).toBeNull();
    expect(t.match(42 as unknown as string)).toBeNull();
  });

  it('matches literal levels exactly (case-sensitive)', () => {
    expect(compileTopic('Sensors/+r').match('sensors/x')).toBeNull();
  });

  it.each([
    ['', /empty pattern/],
    ['a/#/b', /"#" must be the last level/],
    ['a/#rest/b', /"#rest" must be the last level/],
    ['a/b+/c', /a wildcard must start its level/],
    ['a/+x+y', /not a valid label name/],
    ['a/b#', /a wildcard must start its level/],
    ['a/+1room', /"1room" is not a valid label name/],
    ['a/+room-name', /not a valid label name/],
    ['a/+__name', /reserved/],
    ['+room/+room', /bound twice/],
    ['+room/#room', /bound twice/],
    ['a\u0000b', /NUL/],
  ])('rejects %j', (pattern, message) => {
    const err = configError(pattern);
    expect(err.code).toBe('E_CONFIG');
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(/"\+name" matches one level/);
  });

  it('rejects an over-long pattern', () => {
    expect(configError(`a/${'x'.repeat(70_000)}`).message).toMatch(/longer than 65535 bytes/);
  });
});
