import { describe, expect, it } from 'vitest';
import type { AclEntry } from '../mosquitto/index.js';
import { applyPattern, expectedAccess, topicMatches } from './model.js';
import { type PlannedProbe, type PlanUser, planProbes } from './probes.js';

const users: PlanUser[] = [
  { name: 'node-kitchen', acl: [{ topic: 'sensors/kitchen/#', access: 'write' }] },
  {
    name: 'steward',
    acl: [
      { topic: '#', access: 'read' },
      { topic: 'steward/#', access: 'readwrite' },
    ],
  },
  {
    name: 'reader',
    acl: [
      { topic: 'sensors/#', access: 'read' },
      { topic: 'sensors/kitchen/secret', access: 'deny' },
    ],
  },
];
const patterns: AclEntry[] = [{ topic: 'nodes/%u/#', access: 'readwrite' }];

const plan = planProbes({ users, patterns, nonce: 'n1' });
const find = (user: string, rule: string, action: string): PlannedProbe[] =>
  plan.probes.filter((p) => p.user === user && p.rule === rule && p.action === action);
const one = (user: string, rule: string, action: string): PlannedProbe => {
  const found = find(user, rule, action);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('planProbes', () => {
  it('probes the access a write rule grants, and the read it does not', () => {
    const pub = one('node-kitchen', 'topic write sensors/kitchen/#', 'publish');
    expect(pub).toMatchObject({
      topic: 'sensors/kitchen/steward-check/n1',
      expected: 'allowed',
      writer: null,
    });
    const rec = one('node-kitchen', 'topic write sensors/kitchen/#', 'receive');
    expect(rec).toMatchObject({ expected: 'denied', writer: { user: 'node-kitchen' } });
    expect(topicMatches('sensors/kitchen/#', rec.topic)).toBe(true);
  });

  it('chooses a read topic some user can publish to (intersecting the filters)', () => {
    const rec = one('reader', 'topic read sensors/#', 'receive');
    expect(rec).toMatchObject({
      topic: 'sensors/kitchen/steward-check/n1',
      expected: 'allowed',
      writer: { user: 'node-kitchen' },
    });
    expect(one('reader', 'topic read sensors/#', 'publish').expected).toBe('denied');
  });

  it('tries both actions on a deny line, with a writer for the delivery', () => {
    const pub = one('reader', 'topic deny sensors/kitchen/secret', 'publish');
    const rec = one('reader', 'topic deny sensors/kitchen/secret', 'receive');
    expect(pub).toMatchObject({ topic: 'sensors/kitchen/secret', expected: 'denied' });
    expect(rec).toMatchObject({
      topic: 'sensors/kitchen/secret',
      expected: 'denied',
      writer: { user: 'node-kitchen' },
    });
  });

  it('probes just outside a readwrite filter, and says when another rule grants it there', () => {
    const [inPub, outPub] = find('steward', 'topic readwrite steward/#', 'publish');
    expect(inPub).toMatchObject({ topic: 'steward/steward-check/n1', expected: 'allowed' });
    expect(outPub).toMatchObject({ expected: 'denied' });
    expect(topicMatches('steward/#', outPub!.topic)).toBe(false);
    const [inRec, outRec] = find('steward', 'topic readwrite steward/#', 'receive');
    // steward reads everything (`read #`): outside steward/# delivery is still allowed.
    expect(inRec).toMatchObject({ expected: 'allowed', writer: { user: 'steward' } });
    expect(outRec).toMatchObject({
      expected: 'allowed',
      note: expect.stringMatching(/allowed by another rule/),
    });
    expect(outRec!.writer).not.toBeNull();
  });

  it('substitutes %u and %c with the probing connection’s own identity', () => {
    const p = planProbes({
      users: [{ name: 'n1', acl: [] }],
      patterns: [{ topic: 'clients/%c/%u/#', access: 'write' }],
      nonce: 'x',
      clientIdPrefix: 'pre',
    });
    const pub = p.probes.find((q) => q.rule === 'pattern write clients/%c/%u/#' && q.action === 'publish')!;
    expect(pub.topic).toBe(`clients/${pub.clientId}/n1/steward-check/x`);
    expect(pub.clientId).toMatch(/^pre-\d+$/);
    expect(pub.expected).toBe('allowed');
    // No one else's connection has that client id: the delivery cannot be tested.
    const rec = p.probes.find((q) => q.rule === 'pattern write clients/%c/%u/#' && q.action === 'receive')!;
    expect(rec).toMatchObject({ writer: null, note: expect.stringMatching(/cannot be tested/) });
  });

  it('has no denied probe for readwrite #, and says so', () => {
    const p = planProbes({
      users: [{ name: 'admin', acl: [{ topic: '#', access: 'readwrite' }] }],
      patterns: [],
      nonce: 'x',
    });
    const probes = p.probes.filter((q) => q.rule === 'topic readwrite #');
    expect(probes.map((q) => [q.action, q.expected])).toEqual([
      ['publish', 'allowed'],
      ['receive', 'allowed'],
    ]);
    for (const q of probes) expect(q.note).toMatch(/no denied probe/);
    const outside = p.probes.filter((q) => q.rule === 'outside every rule');
    expect(outside).toHaveLength(2);
    for (const q of outside) expect(q.note).toMatch(/every topic is inside/);
  });

  it('probes a topic outside every rule of each user', () => {
    for (const user of users) {
      const probes = find(user.name, 'outside every rule', 'publish');
      expect(probes).toHaveLength(1);
      const p = probes[0]!;
      const own = [...user.acl.map((r) => r.topic), applyPattern('nodes/%u/#', user.name, p.clientId)!];
      if (user.name !== 'steward') for (const f of own) expect(topicMatches(f, p.topic)).toBe(false);
      expect(p.expected).toBe('denied');
    }
  });

  it('notes that a username with + gets no pattern', () => {
    const p = planProbes({ users: [{ name: 'a+b', acl: [] }], patterns, nonce: 'x' });
    const pub = p.probes.find((q) => q.rule === 'pattern readwrite nodes/%u/#' && q.action === 'publish')!;
    expect(pub).toMatchObject({ topic: 'nodes/a_b/steward-check/x', expected: 'denied' });
    expect(pub.note).toMatch(/no pattern/);
  });

  it('gives every probe the model’s answer over all the user’s rules, and unique client ids', () => {
    const ids = new Set<string>([plan.anonymousClientId]);
    for (const p of plan.probes) {
      const user = users.find((u) => u.name === p.user)!;
      const subject = { user: p.user, clientId: p.clientId, rules: user.acl, patterns };
      expect(expectedAccess(subject, p.topic, p.action === 'publish' ? 'write' : 'read')).toBe(p.expected);
      expect(p.topic).not.toMatch(/[+#]/);
      if (p.writer) {
        const w = users.find((u) => u.name === p.writer!.user)!;
        const ws = { user: w.name, clientId: p.writer.clientId, rules: w.acl, patterns };
        expect(expectedAccess(ws, p.topic, 'write')).toBe('allowed');
        ids.add(p.writer.clientId);
      }
      ids.add(p.clientId);
    }
    const connections = 1 + plan.probes.length + plan.probes.filter((p) => p.action === 'receive').length;
    expect(ids.size).toBe(connections);
  });
});
