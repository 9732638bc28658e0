import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { targetConfigSchema, targetDrivers } from './index.js';

type Node = { description?: string; properties?: Record<string, Node>; anyOf?: Node[]; oneOf?: Node[] };

describe('targetConfigSchema', () => {
  const json = z.toJSONSchema(targetConfigSchema({ baseDir: '/' }), {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Node;
  const variants = json.oneOf ?? json.anyOf ?? [];

  it('has one variant per registered driver', () => {
    expect(variants).toHaveLength(Object.keys(targetDrivers).length);
  });

  it('describes every field (the config docs are generated from these)', () => {
    const missing: string[] = [];
    for (const variant of variants) {
      for (const [key, node] of Object.entries(variant.properties ?? {})) {
        if (!node.description) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  it('selects the variant by type', () => {
    const schema = targetConfigSchema({ baseDir: '/srv' });
    expect(schema.parse({ type: 'local', path: 'b' })).toEqual({
      type: 'local',
      path: '/srv/b',
      require_mount: false,
    });
    expect(schema.parse({ type: 'rclone', remote: 'b2:x' })).toEqual({
      type: 'rclone',
      remote: 'b2:x',
      binary: 'rclone',
    });
    expect(schema.safeParse({ type: 'ftp', path: 'b' }).success).toBe(false);
  });
});
