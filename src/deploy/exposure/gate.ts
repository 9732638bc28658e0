import { errorMessage } from '../../core/errors.js';
import type { ExposureTransition, ExposureTrigger } from '../../store/exposure-runs.js';
import { commandFor, serviceHealth } from './health.js';
import { runExposureCommand } from './run-command.js';
import { exposureStatus } from './status.js';
import type { Exposure, ExposureDeps, ExposureSpec, ExposureStatus } from './types.js';
import '../../monitor/checks/events.js';

/** What the gate holds per exposed service, in memory; the store holds only the runs. */
interface Slot {
  /** The transition last applied successfully (from the store at start). */
  applied: ExposureTransition | null;
  /** A transition waiting out its debounce. */
  pending: {
    transition: ExposureTransition;
    trigger: ExposureTrigger;
    at: number;
    timer: NodeJS.Timeout;
  } | null;
  /** The transition whose command is running now. */
  running: ExposureTransition | null;
  /** A transition that passed its debounce while a command ran: runs after it (only the latest counts). */
  queued: { transition: ExposureTransition; trigger: ExposureTrigger } | null;
  /** Failed runs of the transition health wants now: one retry after a debounce, then no more. */
  failed: { transition: ExposureTransition; attempts: number } | null;
}

const maxAttempts = 2;

/**
 * The exposure gate (seed 002): a service is exposed (`tailscale funnel --bg 8085`) only while
 * its checks say healthy and withdrawn (`tailscale funnel reset`) when they do not. A health
 * must hold for `debounce` ms before its command runs; per service one command at a time.
 */
export function startExposure(deps: ExposureDeps): Exposure {
  const slots = new Map<string, Slot>();
  const inflight = new Set<Promise<void>>();
  let stopped = false;
  const log = deps.logger.child({ component: 'exposure' });

  const specOf = (service: string): ExposureSpec | undefined => deps.services()[service]?.exposure;
  const healthOf = (service: string) => serviceHealth(deps.checksOf(service));

  function slotOf(service: string): Slot {
    let slot = slots.get(service);
    if (!slot) {
      slot = {
        applied: deps.runs.lastApplied(service),
        pending: null,
        running: null,
        queued: null,
        failed: null,
      };
      slots.set(service, slot);
    }
    return slot;
  }

  function cancelPending(slot: Slot): void {
    if (slot.pending) clearTimeout(slot.pending.timer);
    slot.pending = null;
  }

  function evaluateService(service: string, trigger: ExposureTrigger): void {
    if (stopped) return;
    const spec = specOf(service);
    const slot = slots.get(service);
    if (!spec) {
      // No longer exposed (config reload): forget it, but let a running command finish.
      if (slot) {
        cancelPending(slot);
        slot.queued = null;
        if (slot.running === null) slots.delete(service);
      }
      return;
    }
    const s = slot ?? slotOf(service);
    const health = healthOf(service);
    if (health === 'unknown') {
      cancelPending(s);
      s.queued = null;
      return;
    }
    // Only what the health still wants survives: a flap back drops what the flap asked for.
    if (s.queued && s.queued.transition !== health) s.queued = null;
    if (s.failed && s.failed.transition !== health) s.failed = null;
    const effective = s.running ?? s.applied;
    if (health === effective || commandFor(spec, health) === undefined) {
      cancelPending(s);
      return;
    }
    if (s.failed && s.failed.attempts >= maxAttempts) return;
    if (s.queued?.transition === health || s.pending?.transition === health) return;
    cancelPending(s);
    const why: ExposureTrigger = s.failed ? 'retry' : trigger;
    const at = Date.now() + spec.debounce;
    const timer = setTimeout(() => {
      // A throw in a timer callback would take the daemon down; log it instead.
      try {
        fire(service, health, why);
      } catch (err) {
        log.error({ service, err: errorMessage(err) }, 'exposure: evaluation failed');
      }
    }, spec.debounce);
    timer.unref();
    s.pending = { transition: health, trigger: why, at, timer };
    log.debug({ service, transition: health, trigger: why, debounce: spec.debounce }, 'exposure: debouncing');
  }

  function fire(service: string, transition: ExposureTransition, trigger: ExposureTrigger): void {
    const slot = slots.get(service);
    if (stopped || !slot) return;
    slot.pending = null;
    if (!specOf(service) || healthOf(service) !== transition) {
      // An event we did not see (or a reload) changed things: decide afresh.
      evaluateService(service, 'health');
      return;
    }
    if (slot.running !== null) {
      slot.queued = { transition, trigger };
      return;
    }
    if (transition === slot.applied) return;
    const done = drive(service, slot, { transition, trigger }).catch((err: unknown) => {
      log.error({ service, err: errorMessage(err) }, 'exposure: unexpected error');
    });
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  }

  /** Runs the wanted transition, then whatever was queued meanwhile, one command at a time. */
  async function drive(
    service: string,
    slot: Slot,
    first: { transition: ExposureTransition; trigger: ExposureTrigger },
  ): Promise<void> {
    let next: typeof first | null = first;
    try {
      while (next !== null && !stopped) {
        const spec = specOf(service);
        const command = spec ? commandFor(spec, next.transition) : undefined;
        if (command === undefined || next.transition === slot.applied) break;
        slot.running = next.transition;
        const ok = await runExposureCommand(deps, { service, command, ...next });
        slot.running = null;
        if (ok) {
          slot.applied = next.transition;
          slot.failed = null;
        } else {
          const attempts = slot.failed?.transition === next.transition ? slot.failed.attempts + 1 : 1;
          slot.failed = { transition: next.transition, attempts };
          if (attempts >= maxAttempts) {
            log.warn(
              { service, transition: next.transition, attempts },
              'exposure: giving up until health changes',
            );
          }
        }
        next = slot.queued;
        slot.queued = null;
      }
    } finally {
      slot.running = null;
    }
    // Whatever the health wants now (including one retry of a failure) goes through the debounce.
    if (!stopped) evaluateService(service, 'health');
  }

  function evaluateAll(trigger: ExposureTrigger): void {
    const names = new Set([...Object.keys(deps.services()), ...slots.keys()]);
    for (const name of names) {
      try {
        evaluateService(name, trigger);
      } catch (err) {
        log.error({ service: name, err: errorMessage(err) }, 'exposure: evaluation failed');
      }
    }
  }

  const unsubscribe = deps.events.subscribe('check.state_changed', (change) => {
    for (const [name, svc] of Object.entries(deps.services())) {
      if (!svc.exposure) continue;
      if (name === change.service || deps.checksOf(name).some((c) => c.name === change.check)) {
        evaluateService(name, 'health');
      }
    }
  });

  const stale = deps.runs.abortStale('steward stopped while the command ran');
  if (stale > 0) log.warn({ runs: stale }, 'exposure: closed runs left running by a previous process');
  evaluateAll('startup');

  return {
    status(): ExposureStatus[] {
      return exposureStatus(deps, slotOf);
    },
    evaluate(): void {
      // An explicit re-evaluation (new config, a deployment Live) earns a failed command new attempts.
      for (const slot of slots.values()) slot.failed = null;
      evaluateAll('evaluate');
    },
    async stop(): Promise<void> {
      stopped = true;
      unsubscribe();
      for (const slot of slots.values()) {
        cancelPending(slot);
        slot.queued = null;
      }
      await Promise.all([...inflight]);
    },
  };
}
