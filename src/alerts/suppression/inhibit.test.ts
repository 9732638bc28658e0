import { describe, expect, it } from 'vitest';
import { type InhibitRule, inhibitedBy, inhibitingAlert, inhibitSchema } from './inhibit.js';
import { matchersFromObject } from './matchers.js';

const rule = (
  source: Record<string, string>,
  target: Record<string, string>,
  equal: string[] = [],
): InhibitRule => ({
  source: matchersFromObject(source),
  target: matchersFromObject(target),
  equal,
});

const alert = (labels: Record<string, string>) => ({ labels });

describe('inhibitedBy', () => {
  const hostDown = alert({ alertname: 'HostDown', severity: 'critical', host: 'a' });
  const diskA = alert({ alertname: 'DiskFull', severity: 'warning', host: 'a' });
  const diskB = alert({ alertname: 'DiskFull', severity: 'warning', host: 'b' });

  it('without equal: any firing source inhibits every target', () => {
    const rules = [rule({ severity: 'critical' }, { severity: 'warning' })];
    expect(inhibitedBy(rules, diskA, [hostDown, diskA, diskB])).toBe(true);
    expect(inhibitedBy(rules, diskB, [hostDown, diskA, diskB])).toBe(true);
    expect(inhibitedBy(rules, diskB, [diskA, diskB])).toBe(false);
    expect(inhibitedBy(rules, hostDown, [hostDown, diskA])).toBe(false);
    expect(inhibitedBy([], diskA, [hostDown])).toBe(false);
  });

  it('with equal: the two must agree on those labels', () => {
    const rules = [rule({ severity: 'critical' }, { severity: 'warning' }, ['host'])];
    expect(inhibitedBy(rules, diskA, [hostDown])).toBe(true);
    expect(inhibitedBy(rules, diskB, [hostDown])).toBe(false);
  });

  it('with equal: a label absent on both sides counts as equal', () => {
    const rules = [rule({ severity: 'critical' }, { severity: 'warning' }, ['cluster'])];
    expect(inhibitedBy(rules, diskA, [hostDown])).toBe(true);
    const inCluster = alert({ severity: 'critical', cluster: 'x' });
    expect(inhibitedBy(rules, diskA, [inCluster])).toBe(false);
  });

  it('an alert does not inhibit itself', () => {
    const broad = [rule({ alertname: 'DiskFull' }, { severity: 'warning' })];
    expect(inhibitedBy(broad, diskA, [diskA])).toBe(false);
    expect(inhibitedBy(broad, diskA, [alert({ ...diskA.labels })])).toBe(false);
  });

  it('alerts matching both sides do not inhibit each other (Alertmanager)', () => {
    const broad = [rule({ alertname: 'DiskFull' }, { severity: 'warning' })];
    expect(inhibitedBy(broad, diskA, [diskB])).toBe(false);
    // A source that does not match the target side still inhibits.
    const critDisk = alert({ alertname: 'DiskFull', severity: 'critical', host: 'a' });
    expect(inhibitedBy(broad, diskA, [critDisk])).toBe(true);
  });

  it('inhibitingAlert names the source', () => {
    const r = rule({ severity: 'critical' }, { severity: 'warning' }, ['host']);
    expect(inhibitingAlert(r, diskA, [diskB, hostDown])).toBe(hostDown);
    expect(inhibitingAlert(r, diskB, [diskA, hostDown])).toBeUndefined();
  });
});

describe('inhibitSchema', () => {
  it('parses rules, defaulting equal to none', () => {
    expect(
      inhibitSchema.parse([{ source: { severity: 'critical' }, target: { severity: '~warning|info' } }]),
    ).toEqual([
      {
        source: [{ name: 'severity', op: '=', value: 'critical' }],
        target: [{ name: 'severity', op: '=~', value: 'warning|info' }],
        equal: [],
      },
    ]);
    expect(inhibitSchema.parse(undefined)).toEqual([]);
  });

  it.each([
    [{ source: { s: '~(' }, target: {} }, [0, 'source', 's']],
    [{ source: {}, target: { t: '!~[' } }, [0, 'target', 't']],
    [{ source: {}, target: {}, equal: ['host', 'bad-name'] }, [0, 'equal', 1]],
    [{ target: {} }, [0, 'source']],
  ])('reports %j at its path', (entry, path) => {
    const issues = inhibitSchema.safeParse([entry]).error?.issues ?? [];
    expect(issues.map((i) => i.path)).toEqual([path]);
  });
});
