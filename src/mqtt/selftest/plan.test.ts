import { describe, expect, it } from 'vitest';
import type { IngestRule } from '../ingest/index.js';
import { planSelftest } from './plan.js';

const tag = { value: 123456789, nowMs: Date.parse('2026-11-23T10:00:00Z'), seq: 42 };

describe('planSelftest', () => {
  it('fills a number rule’s wildcards and expects the sample the rule makes of it', () => {
    const rules: IngestRule[] = [
      { topic: 'home/temperature', format: 'number', metric: 'home_temp' },
      { topic: 'sensors/+room/+metric', format: 'number', metric: 'sensor_{metric}' },
    ];
    const plan = planSelftest(rules, undefined, tag);
    // The wildcard rule is preferred: its self-test series stays apart from real data.
    expect(plan.topic).toBe('sensors/steward_selftest/steward_selftest');
    expect(plan.payload).toBe('123456789');
    expect(plan.expect).toEqual({
      name: 'sensor_steward_selftest',
      labels: { room: 'steward_selftest', metric: 'steward_selftest' },
      value: 123456789,
    });
  });

  it('builds a JSON payload from the field, timestamp and sequence paths', () => {
    const rules: IngestRule[] = [
      {
        topic: 'nodes/+node/telemetry',
        format: 'json',
        fields: { temperature: '$.env.t', humidity: '$.h[0]' },
        metric: 'node_{field}',
        timestamp: '$.ts',
        sequence: '$.seq',
        device: '{node}',
      },
    ];
    const plan = planSelftest(rules, undefined, tag);
    expect(JSON.parse(plan.payload)).toEqual({
      env: { t: tag.value },
      h: [tag.value],
      ts: tag.nowMs,
      seq: 42,
    });
    expect(plan.expect.name).toBe('node_temperature');
    expect(plan.expect.labels).toEqual({ node: 'steward_selftest' });
  });

  it('takes the configured topic and payload template', () => {
    const rules: IngestRule[] = [{ topic: 'lab/+dev/reading', format: 'json', fields: { v: '$.v' } }];
    const plan = planSelftest(
      rules,
      { topic: 'lab/probe/reading', payload: '{"v": {value}, "at": {ts}}' },
      tag,
    );
    expect(plan.payload).toBe(`{"v": 123456789, "at": ${tag.nowMs / 1000}}`);
    expect(plan.expect.labels).toEqual({ dev: 'probe' });
  });

  it('says why a self-test could never succeed, before publishing anything', () => {
    const rules: IngestRule[] = [{ topic: 'sensors/+room/temp', format: 'number', metric: 't' }];
    expect(() => planSelftest(rules, { topic: 'other/topic' }, tag)).toThrow(/no ingest rule covers/);
    expect(() => planSelftest(rules, { payload: 'v={value} x' }, tag)).toThrow(/would not be stored/);
    expect(() => planSelftest([], undefined, tag)).toThrow(/needs an MQTT ingest rule/);
    // The payload parses but the value is not what a sample carries.
    expect(() => planSelftest(rules, { payload: '7 {value}' }, tag)).toThrow(/./);
  });
});
