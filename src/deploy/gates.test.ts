import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfigText } from '../config/load.js';
import { systemClock } from '../core/clock.js';
import type { CommandContext } from '../core/context.js';
import { silentLogger } from '../core/logger.js';
import { openStore } from '../store/db.js';
import { policyGate } from './gates.js';
import { planServices } from './plan.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-gate-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const compose = `services:
  core:
    image: local/busybox:1
    privileged: true
    user: "1000"
    read_only: true
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    healthcheck: { test: ["CMD", "true"] }
    restart: unless-stopped
    mem_limit: 64m
    cpus: 0.5
    pids_limit: 64
    logging: { driver: json-file, options: { max-size: 10m } }
`;

function contextWith(policy: string): CommandContext {
  fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);
  const text = `version: 1\nservices:\n  core: { kind: compose }\n${policy}`;
  const result = checkConfigText(text, { file: path.join(dir, 'steward.yaml') });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return {
    config: result.config,
    store: openStore({ file: ':memory:' }),
    actor: 'test',
    clock: systemClock,
    logger: silentLogger(),
  };
}

describe('policy gate', () => {
  it('blocks a compose file with privileged: true, listing the finding with its location', () => {
    const ctx = contextWith('');
    const stack = { dir, commit: null };
    const planned = planServices(ctx, stack, ['core']);
    expect(planned[0]?.action).toBe('deploy');
    const gate = policyGate(ctx, stack, planned);
    expect(gate.passed).toBe(false);
    expect(gate.blocking).toContainEqual(
      expect.objectContaining({ rule: 'no-privileged', service: 'core', file: 'compose.yaml', line: 4 }),
    );
  });

  it('lets a reasoned exception through', () => {
    const ctx = contextWith(
      'policy:\n  exceptions:\n    - { service: core, rules: [no-privileged], reason: "needs raw access to the KNX USB stick" }\n',
    );
    const stack = { dir, commit: null };
    const gate = policyGate(ctx, stack, planServices(ctx, stack, ['core']));
    expect(gate.blocking.filter((f) => f.rule === 'no-privileged')).toEqual([]);
    expect(gate.excepted).toBeGreaterThan(0);
  });

  it('is off when deploy.gate.policy is off', () => {
    const ctx = contextWith('deploy: { gate: { policy: "off" } }\n');
    const stack = { dir, commit: null };
    expect(policyGate(ctx, stack, planServices(ctx, stack, ['core'])).passed).toBe(true);
  });
});
