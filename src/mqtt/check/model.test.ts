import { describe, expect, it } from 'vitest';
import type { AclEntry } from '../mosquitto/index.js';
import { type AclSubject, applyPattern, expectedAccess, topicMatches } from './model.js';

// Cases from Mosquitto's own test/unit/util_topic_test.c, plus the edges the ACL relies on.
describe('topicMatches (as mosquitto_topic_matches_sub)', () => {
  it.each([
    ['foo/bar', 'foo/bar'],
    ['foo/+', 'foo/bar'],
    ['foo/+/baz', 'foo/bar/baz'],
    ['foo/+/#', 'foo/bar/baz'],
    ['A/B/+/#', 'A/B/B/C'],
    ['#', 'foo/bar/baz'],
    ['#', '/foo/bar'],
    ['/#', '/foo/bar'],
    ['$SYS/bar', '$SYS/bar'],
    ['$SYS/#', '$SYS/broker/uptime'],
    ['foo/#', 'foo/$bar'],
    ['foo/+/baz', 'foo/$bar/baz'],
    ['foo/#', 'foo'],
    ['foo/+/#', 'foo/bar'],
    ['foo//bar', 'foo//bar'],
    ['foo/+/+/baz', 'foo///baz'],
    ['foo/bar/+', 'foo/bar/'],
    ['+/+', '/'],
    ['+', 'foo'],
  ])('%s matches %s', (filter, topic) => {
    expect(topicMatches(filter, topic)).toBe(true);
  });

  it.each([
    ['test/6/#', 'test/3'],
    ['foo/bar', 'foo'],
    ['foo/bar', 'foo/bar/baz'],
    ['foo/+', 'foo'],
    ['foo/+', 'foo/bar/baz'],
    ['foo/+/baz', 'foo/bar/bar'],
    ['foo/+/#', 'fo2/bar/baz'],
    ['/#', 'foo/bar'],
    ['#', '$SYS/bar'],
    ['+/bar', '$SYS/bar'],
    ['$BOB/bar', '$SYS/bar'],
    ['+', 'foo/bar'],
    // Invalid filters and topics match nothing.
    ['foo#', 'foo'],
    ['foo/#/bar', 'foo/x/bar'],
    ['fo+', 'foo'],
    ['foo/+', 'foo/+'],
    ['#', ''],
  ])('%s does not match %s', (filter, topic) => {
    expect(topicMatches(filter, topic)).toBe(false);
  });
});

describe('applyPattern', () => {
  it('substitutes %u and %c left to right, as the broker does', () => {
    expect(applyPattern('nodes/%u/%c/#', 'n1', 'c1')).toBe('nodes/n1/c1/#');
    expect(applyPattern('a/%%u', 'n1', 'c1')).toBe('a/%n1');
    expect(applyPattern('a/%x/%', 'n1', 'c1')).toBe('a/%x/%');
    expect(applyPattern('a/%u%c', 'n1', 'c1')).toBe('a/n1c1');
  });

  it('skips %u patterns for anonymous clients but still applies %c', () => {
    expect(applyPattern('nodes/%u/#', null, 'c1')).toBeNull();
    expect(applyPattern('clients/%c/#', null, 'c1')).toBe('clients/c1/#');
  });
});

const rules = (...lines: [AclEntry['access'], string][]): AclEntry[] =>
  lines.map(([access, topic]) => ({ access, topic }));

function subject(over: Partial<AclSubject>): AclSubject {
  return { user: 'u1', clientId: 'c1', rules: [], patterns: [], ...over };
}

describe('expectedAccess', () => {
  it('grants what read, write and readwrite say, and nothing else', () => {
    const s = subject({ rules: rules(['read', 'r/#'], ['write', 'w/#'], ['readwrite', 'rw/+']) });
    expect(expectedAccess(s, 'r/x', 'read')).toBe('allowed');
    expect(expectedAccess(s, 'r/x', 'write')).toBe('denied');
    expect(expectedAccess(s, 'w/x', 'write')).toBe('allowed');
    expect(expectedAccess(s, 'w/x', 'read')).toBe('denied');
    expect(expectedAccess(s, 'rw/x', 'read')).toBe('allowed');
    expect(expectedAccess(s, 'rw/x', 'write')).toBe('allowed');
    expect(expectedAccess(s, 'rw/x/y', 'write')).toBe('denied');
    expect(expectedAccess(s, 'elsewhere', 'read')).toBe('denied');
  });

  it('lets a deny line win over grants, wherever it stands', () => {
    const s = subject({ rules: rules(['readwrite', 'sensors/#'], ['deny', 'sensors/secret']) });
    expect(expectedAccess(s, 'sensors/secret', 'read')).toBe('denied');
    expect(expectedAccess(s, 'sensors/secret', 'write')).toBe('denied');
    expect(expectedAccess(s, 'sensors/other', 'read')).toBe('allowed');
  });

  it('denies everything to a user with no lines and no patterns', () => {
    expect(expectedAccess(subject({}), 'a', 'read')).toBe('denied');
  });

  it('applies patterns with the username and client id', () => {
    const s = subject({ patterns: rules(['readwrite', 'nodes/%u/#'], ['write', 'clients/%c/status']) });
    expect(expectedAccess(s, 'nodes/u1/state', 'write')).toBe('allowed');
    expect(expectedAccess(s, 'nodes/u2/state', 'write')).toBe('denied');
    expect(expectedAccess(s, 'clients/c1/status', 'write')).toBe('allowed');
    expect(expectedAccess(s, 'clients/c2/status', 'write')).toBe('denied');
    expect(expectedAccess(s, 'clients/c1/status', 'read')).toBe('denied');
  });

  it('decides by the user lines first: a deny pattern does not take back a user grant', () => {
    const s = subject({
      rules: rules(['read', 'nodes/#'], ['deny', 'private/#']),
      patterns: rules(['deny', 'nodes/%u/secret'], ['readwrite', 'private/%u/#']),
    });
    expect(expectedAccess(s, 'nodes/u1/secret', 'read')).toBe('allowed');
    expect(expectedAccess(s, 'nodes/u1/secret', 'write')).toBe('denied');
    expect(expectedAccess(s, 'private/u1/x', 'read')).toBe('denied');
  });

  it('lets a deny pattern win over a granting pattern', () => {
    const s = subject({ patterns: rules(['readwrite', 'nodes/%u/#'], ['deny', 'nodes/%u/secret']) });
    expect(expectedAccess(s, 'nodes/u1/secret', 'read')).toBe('denied');
    expect(expectedAccess(s, 'nodes/u1/open', 'read')).toBe('allowed');
  });

  it('applies no pattern to a username or client id with + or #, but still the user lines', () => {
    const patterns = rules(['readwrite', 'nodes/%u/#']);
    const plus = subject({ user: 'a+b', rules: rules(['read', 'own/#']), patterns });
    expect(expectedAccess(plus, 'nodes/a+b/x', 'read')).toBe('denied');
    expect(expectedAccess(plus, 'own/x', 'read')).toBe('allowed');
    const hash = subject({ clientId: 'c#1', patterns });
    expect(expectedAccess(hash, 'nodes/u1/x', 'read')).toBe('denied');
  });

  it('lets a / in a username add levels (Mosquitto 2.0 does not refuse it)', () => {
    const s = subject({ user: 'site/a', patterns: rules(['readwrite', 'nodes/%u/#']) });
    expect(expectedAccess(s, 'nodes/site/a/x', 'write')).toBe('allowed');
    expect(expectedAccess(s, 'nodes/site/b/x', 'write')).toBe('denied');
  });

  it('gives anonymous clients %c patterns but not %u ones', () => {
    const s = subject({ user: null, patterns: rules(['readwrite', 'nodes/%u/#'], ['read', 'clients/%c/#']) });
    expect(expectedAccess(s, 'clients/c1/x', 'read')).toBe('allowed');
    expect(expectedAccess(s, 'nodes/%u/x', 'read')).toBe('denied');
  });

  it('keeps $ topics apart: # does not reach $SYS, $SYS is read-only, $share is not a topic', () => {
    const all = subject({ rules: rules(['readwrite', '#']) });
    expect(expectedAccess(all, '$SYS/broker/uptime', 'read')).toBe('denied');
    const sys = subject({ rules: rules(['readwrite', '$SYS/#']) });
    expect(expectedAccess(sys, '$SYS/broker/uptime', 'read')).toBe('allowed');
    expect(expectedAccess(sys, '$SYS/broker/uptime', 'write')).toBe('denied');
    expect(expectedAccess(sys, '$SYS/broker/connection/b1/state', 'write')).toBe('allowed');
    const share = subject({ rules: rules(['readwrite', '$share/#']) });
    expect(expectedAccess(share, '$share/g/x', 'read')).toBe('denied');
  });
});
