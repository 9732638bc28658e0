import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../core/clock.js';
import { EventBus } from '../../core/events.js';
import { silentLogger } from '../../core/logger.js';
import type { CheckState } from '../../monitor/checks/state.js';
import { openStore, type Store } from '../../store/db.js';
import { ExposureRuns } from '../../store/exposure-runs.js';
import { startExposure } from './gate.js';
import type { Exposure, ExposureAuditEntry, ExposureDeps, ExposureSpec } from './types.js';
import '../../monitor/checks/events.js';

/**
 * Helpers for the exposure tests (not used at run time): a real store in memory, a real bus,
 * checks whose state a test sets (publishing check.state_changed as the engine does), and a
 * temp directory the commands write their markers to.
 */
export interface Harness {
  dir: string;
  store: Store;
  runs: ExposureRuns;
  events: EventBus;
  audits: ExposureAuditEntry[];
  services: Record<string, { exposure?: ExposureSpec | undefined }>;
  deps: ExposureDeps;
  /** Sets a check's state and publishes the change. */
  setCheck(service: string, check: string, to: CheckState): void;
  start(): Exposure;
  /** The marker file's lines. */
  lines(file?: string): string[];
  close(): Promise<void>;
}

export function createHarness(): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-exposure-'));
  const store = openStore({ file: ':memory:' });
  const runs = new ExposureRuns(store.db, systemClock);
  const events = new EventBus();
  const checks = new Map<string, Map<string, CheckState>>();
  const audits: ExposureAuditEntry[] = [];
  const services: Harness['services'] = {};
  const gates: Exposure[] = [];
  const deps: ExposureDeps = {
    services: () => services,
    checksOf: (service) => [...(checks.get(service) ?? new Map())].map(([name, state]) => ({ name, state })),
    runs,
    events,
    logger: silentLogger(),
    cwd: dir,
    audit: (entry) => audits.push(entry),
  };
  return {
    dir,
    store,
    runs,
    events,
    audits,
    services,
    deps,
    setCheck(service, check, to) {
      const states = checks.get(service) ?? new Map<string, CheckState>();
      checks.set(service, states);
      const from = states.get(check) ?? 'unknown';
      states.set(check, to);
      events.publish('check.state_changed', {
        check,
        type: 'command',
        service,
        labels: {},
        from,
        to,
        reason: 'set by the test',
        at: new Date().toISOString(),
      });
    },
    start() {
      const gate = startExposure(deps);
      gates.push(gate);
      return gate;
    },
    lines(file = 'marks') {
      const p = path.join(dir, file);
      return fs.existsSync(p) ? fs.readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
    },
    async close() {
      // Commands waiting for a release file must not hold stop() (or outlive the test).
      for (const f of fs.readdirSync(dir)) if (f.startsWith('hold-')) release(dir, f.slice(5));
      fs.writeFileSync(path.join(dir, 'release-all'), '');
      await Promise.all(gates.map((g) => g.stop()));
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A command that marks its start, waits until the test releases `name` (bounded: 10 s), then
 * marks its end. Lets a test flip health while it is certainly running.
 */
export function heldCommand(name: string): string {
  return [
    `echo start-${name} >> marks`,
    `: > hold-${name}`,
    'i=0',
    `while [ ! -e release-${name} ] && [ ! -e release-all ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done`,
    `rm -f release-${name}`,
    `echo end-${name} >> marks`,
  ].join('; ');
}

export function release(dir: string, name: string): void {
  fs.rmSync(path.join(dir, `hold-${name}`), { force: true });
  fs.writeFileSync(path.join(dir, `release-${name}`), '');
}

/** Polls until `cond` holds; a hang guard, not a timing assert. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
