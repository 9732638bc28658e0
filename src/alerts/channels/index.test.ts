import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { channelConfigSchema, channelDriverFor, channelDrivers, channelSecrets } from './index.js';

type Node = {
  description?: string;
  properties?: Record<string, Node>;
  anyOf?: Node[];
  oneOf?: Node[];
  additionalProperties?: unknown;
};

describe('channelConfigSchema', () => {
  const json = z.toJSONSchema(channelConfigSchema({ baseDir: '/' }), {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Node;
  const variants = json.oneOf ?? json.anyOf ?? [];

  it('has one strict variant per registered driver', () => {
    expect(variants).toHaveLength(Object.keys(channelDrivers).length);
    for (const v of variants) expect(v.additionalProperties).toBe(false);
  });

  it('describes every field, nested ones too (the config docs are generated from these)', () => {
    const missing: string[] = [];
    const walk = (node: Node, where: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) missing.push(`${where}.${key}`);
        walk(child, `${where}.${key}`);
      }
    };
    for (const v of variants) walk(v, String((v.properties?.type as { const?: string } | undefined)?.const));
    expect(missing).toEqual([]);
  });

  it('parses each type with its defaults', () => {
    const schema = channelConfigSchema({ baseDir: '/etc/steward' });
    expect(schema.parse({ type: 'smtp', host: 'mail', from: 's@x.org', to: ['a@x.org'] })).toEqual({
      type: 'smtp',
      host: 'mail',
      from: 's@x.org',
      to: ['a@x.org'],
      secure: false,
      starttls: true,
      subject_prefix: '[steward]',
      insecure_skip_verify: false,
    });
    expect(schema.parse({ type: 'command', run: './notify.sh' })).toEqual({
      type: 'command',
      run: './notify.sh',
      cwd: '/etc/steward',
    });
    expect(schema.parse({ type: 'telegram', bot_token: '1:abc', chat_id: 5 })).toMatchObject({
      api_url: 'https://api.telegram.org',
    });
    expect(schema.parse({ type: 'pushover', token: 't', user: 'u' })).toMatchObject({
      api_url: 'https://api.pushover.net',
      priority: { critical: 1, warning: 0, info: 0, resolved: -1 },
    });
    expect(schema.parse({ type: 'gotify', url: 'https://g', token: 't' })).toMatchObject({
      priority: { critical: 8, warning: 5, info: 3, resolved: 2 },
    });
    expect(schema.parse({ type: 'ntfy', url: 'https://ntfy.sh/x' })).toMatchObject({
      priority: { critical: 5, warning: 4, info: 3, resolved: 2 },
    });
  });

  it('rejects unknown types and fields, and a name field', () => {
    const schema = channelConfigSchema({ baseDir: '/' });
    expect(schema.safeParse({ type: 'fax', url: 'x' }).success).toBe(false);
    expect(schema.safeParse({ type: 'slack', webhook_url: 'https://h/x', name: 'ops' }).success).toBe(false);
    expect(schema.safeParse({ type: 'webhook', url: 'https://h/x', timeout: '10s' }).success).toBe(false);
  });

  it('finds the driver and the secrets of a config', () => {
    const config = channelConfigSchema({ baseDir: '/' }).parse({
      type: 'slack',
      webhook_url: 'https://hooks.slack.com/services/T1/B2/secretpart99',
    });
    expect(channelDriverFor(config)).toBe(channelDrivers.slack);
    expect(channelSecrets(config)).toContain('https://hooks.slack.com/services/T1/B2/secretpart99');
    expect(channelSecrets(config)).toContain('secretpart99');
  });
});
