import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDocker, type TestDocker } from '../../../test/support/docker.js';
import { checkConfigText } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { silentLogger } from '../../core/logger.js';
import { snapshotCompose } from '../compose/index.js';
import { drivers } from './index.js';
import { NativeRuntime } from './native/runtime.js';
import type { DeployDriver, DeployUnit, DriverContext } from './types.js';

/**
 * The contract every deploy driver keeps, run against real parts: a Docker engine for compose,
 * real processes for native. A unit is what the orchestrator hands a driver; `healthy` and
 * `broken` are two definitions of the same service, one that passes its health and one that never does.
 */
interface Case {
  service: string;
  config(): ResolvedConfig;
  env(): NodeJS.ProcessEnv;
  unit(id: string, kind: 'healthy' | 'broken'): DeployUnit;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-driver-contract-'));
let docker: TestDocker;

function configFor(dir: string, services: string): ResolvedConfig {
  const result = checkConfigText(`version: 1\nservices:\n${services}`, {
    file: path.join(dir, 'steward.yaml'),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const composeFile = (image: string, health: string) => `services:
  web:
    image: ${image}
    command: ["sh", "-c", "echo ok > /tmp/ok; exec sleep 100000"]
    stop_grace_period: 1s
    tmpfs: [/tmp]
    network_mode: none
    healthcheck: { test: ["CMD", "cat", "${health}"], interval: 1s, timeout: 1s, retries: 2 }
`;

const cases: Record<keyof typeof drivers, Case> = {
  compose: (() => {
    const dir = path.join(root, 'compose');
    let config: ResolvedConfig;
    return {
      service: 'web',
      config: () => {
        fs.mkdirSync(dir, { recursive: true });
        config ??= configFor(dir, '  web: { kind: compose, compose: { project: contract } }\n');
        return config;
      },
      env: () => ({ ...process.env, ...docker.env }),
      unit(id, kind) {
        const src = path.join(dir, `src-${id}`);
        fs.mkdirSync(src, { recursive: true });
        fs.writeFileSync(
          path.join(src, 'compose.yaml'),
          composeFile(docker.image, kind === 'healthy' ? '/tmp/ok' : '/nope'),
        );
        // Snapshots are immutable: the same id is the same snapshot.
        const snap = path.join(dir, `snap-${id}`);
        const snapshotDir = fs.existsSync(snap) ? snap : snapshotCompose(src, ['compose.yaml'], snap);
        const spec = this.config().services.web;
        if (!spec) throw new Error('no spec');
        return {
          service: 'web',
          spec,
          id,
          deploymentId: `d-${id}`,
          configHash: `hash-${id}`,
          snapshotDir,
          detail: { project: 'contract', files: ['compose.yaml'], services: ['web'], projectDir: src },
        };
      },
    };
  })(),
  native: (() => {
    const dir = path.join(root, 'native');
    let config: ResolvedConfig;
    return {
      service: 'api',
      config: () => {
        fs.mkdirSync(dir, { recursive: true });
        config ??= configFor(
          dir,
          '  api: { kind: native, native: { releases_dir: ./releases, current: ./current, run: "./run.sh" } }\n',
        );
        return config;
      },
      env: () => process.env,
      unit(id, kind) {
        const src = path.join(dir, `src-${id}`);
        fs.mkdirSync(src, { recursive: true });
        // The broken release exits at once: the supervisor restarts it, which the gate must see.
        fs.writeFileSync(
          path.join(src, 'run.sh'),
          kind === 'healthy' ? '#!/bin/sh\nexec sleep 100000\n' : '#!/bin/sh\nexit 3\n',
          {
            mode: 0o755,
          },
        );
        const spec = this.config().services.api;
        if (!spec) throw new Error('no spec');
        const snapshotDir = path.join(dir, `snap-${id}`);
        fs.mkdirSync(snapshotDir, { recursive: true });
        return {
          service: 'api',
          spec,
          id,
          deploymentId: `d-${id}`,
          configHash: `hash-${id}`,
          snapshotDir,
          detail: { version: `v-${id}`, source: src },
        };
      },
    };
  })(),
};

const runtime = new NativeRuntime({ stateDir: path.join(root, 'runtime'), logger: silentLogger() });

function ctxFor(c: Case): DriverContext {
  return { config: c.config(), logger: silentLogger(), env: c.env(), runtime, log: () => {} };
}

async function settle(driver: DeployDriver, ctx: DriverContext, unit: DeployUnit): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 80; i++) {
    const v = await driver.observe(ctx, unit);
    seen.push(v.verdict);
    if (v.verdict !== 'pending') return seen;
    await new Promise((r) => setTimeout(r, 250));
  }
  return seen;
}

beforeAll(async () => {
  docker = await startDocker();
}, 120_000);

afterAll(async () => {
  await runtime.shutdown();
  await docker?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe.each(Object.entries(drivers))('deploy driver %s', (name, driver) => {
  const c = cases[name as keyof typeof drivers];

  it('is registered under its kind', () => {
    expect(driver.kind).toBe(name);
  });

  it('refuses a unit with no recorded detail, with a message', async () => {
    const unit = { ...c.unit('bare', 'healthy'), detail: {} };
    await expect(driver.validate(ctxFor(c), unit)).rejects.toThrow(/recorded|no compose|version/);
  });

  it('never calls a unit healthy before it is applied', async () => {
    const verdict = await driver
      .observe(ctxFor(c), c.unit('never', 'healthy'))
      .catch(() => ({ verdict: 'failed' }));
    expect(verdict.verdict).not.toBe('healthy');
  });

  it('applies a healthy unit: validate, apply, observe ends healthy, promote, resume', async () => {
    const ctx = ctxFor(c);
    const unit = c.unit('good', 'healthy');
    await driver.validate(ctx, unit);
    unit.detail = { ...unit.detail, ...(await driver.apply(ctx, unit, null)) };
    const seen = await settle(driver, ctx, unit);
    expect(seen.at(-1)).toBe('healthy');
    await driver.promote(ctx, unit, null);
    await driver.resume(ctx, unit);
    expect((await settle(driver, ctx, unit)).at(-1)).toBe('healthy');
  }, 90_000);

  it('fails a broken unit (never healthy), and abandon says whether the previous one must be applied again', async () => {
    const ctx = ctxFor(c);
    const previous = c.unit('good', 'healthy');
    const unit = c.unit('bad', 'broken');
    unit.detail = { ...unit.detail, ...(await driver.apply(ctx, unit, previous)) };
    const seen = await settle(driver, ctx, unit);
    expect(seen).not.toContain('healthy');
    expect(seen.at(-1)).toBe('failed');
    const { reapplyPrevious } = await driver.abandon(ctx, unit, previous);
    expect(typeof reapplyPrevious).toBe('boolean');
    await driver.shutdown?.(ctx, c.service);
  }, 90_000);
});
