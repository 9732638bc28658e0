import { canonicalLabels } from '../store/index.js';
import type { CompiledRule } from './rules/compile.js';

/** What a rule says about one of its instances right now. */
export interface ConditionUpdate {
  rule: CompiledRule;
  /** The instance's labels (alertname included). */
  labels: Record<string, string>;
  active: boolean;
  value: number | null;
  /** What caused it: the check's message, the event's error … */
  message: string;
}

interface Instance {
  rule: CompiledRule;
  labels: Record<string, string>;
  value: number | null;
  message: string;
  activeSince: number | null;
  clearSince: number | null;
  firing: boolean;
  timer: NodeJS.Timeout | null;
}

export interface ConditionSink {
  fire(
    fingerprint: string,
    update: { rule: CompiledRule; labels: Record<string, string>; value: number | null; message: string },
  ): void;
  resolve(
    fingerprint: string,
    update: { rule: CompiledRule; labels: Record<string, string>; message: string },
  ): void;
}

export function fingerprintOf(rule: string, labels: Record<string, string>): string {
  return `${rule}${canonicalLabels(labels)}`;
}

/**
 * Turns condition updates into fire/resolve with `for` and `keep_firing_for`: a condition
 * must hold `for` before it fires and stay clear `keep_firing_for` before it resolves. Both
 * are timers set on arrival — evaluation happens when data arrives, never on a polling tick.
 */
export class Conditions {
  readonly #instances = new Map<string, Instance>();
  readonly #sink: ConditionSink;
  readonly #now: () => number;

  constructor(sink: ConditionSink, now: () => number = Date.now) {
    this.#sink = sink;
    this.#now = now;
  }

  get size(): number {
    return this.#instances.size;
  }

  /** After a restart: an alert stored as firing is firing here too, so it can resolve. */
  seedFiring(rule: CompiledRule, labels: Record<string, string>): void {
    const fp = fingerprintOf(rule.name, labels);
    if (this.#instances.has(fp)) return;
    this.#instances.set(fp, {
      rule,
      labels,
      value: null,
      message: '',
      activeSince: this.#now(),
      clearSince: null,
      firing: true,
      timer: null,
    });
  }

  update(u: ConditionUpdate): void {
    const fp = fingerprintOf(u.rule.name, u.labels);
    let inst = this.#instances.get(fp);
    if (!inst) {
      if (!u.active) return; // nothing known, nothing to clear
      inst = {
        rule: u.rule,
        labels: u.labels,
        value: u.value,
        message: u.message,
        activeSince: null,
        clearSince: null,
        firing: false,
        timer: null,
      };
      this.#instances.set(fp, inst);
    }
    inst.rule = u.rule;
    inst.value = u.value;
    inst.message = u.message;
    const now = this.#now();
    if (u.active) {
      inst.clearSince = null;
      if (inst.firing) {
        this.#clearTimer(inst); // a pending keep_firing_for resolve is off
        return;
      }
      inst.activeSince ??= now;
      const due = inst.activeSince + u.rule.forMs;
      if (due <= now) this.#fire(fp, inst);
      else this.#arm(inst, due, () => this.#fire(fp, inst as Instance));
      return;
    }
    inst.activeSince = null;
    if (!inst.firing) {
      this.#clearTimer(inst);
      this.#instances.delete(fp);
      return;
    }
    inst.clearSince ??= now;
    const due = inst.clearSince + u.rule.keepFiringForMs;
    if (due <= now) this.#resolve(fp, inst);
    else if (!inst.timer) this.#arm(inst, due, () => this.#resolve(fp, inst as Instance));
  }

  /** Forget every instance of rules no longer configured (after a reload). */
  retain(ruleNames: ReadonlySet<string>): void {
    for (const [fp, inst] of this.#instances) {
      if (ruleNames.has(inst.rule.name)) continue;
      this.#clearTimer(inst);
      this.#instances.delete(fp);
    }
  }

  stop(): void {
    for (const inst of this.#instances.values()) this.#clearTimer(inst);
  }

  #fire(fp: string, inst: Instance): void {
    this.#clearTimer(inst);
    inst.firing = true;
    this.#sink.fire(fp, inst);
  }

  #resolve(fp: string, inst: Instance): void {
    this.#clearTimer(inst);
    this.#instances.delete(fp);
    this.#sink.resolve(fp, inst);
  }

  #arm(inst: Instance, at: number, fn: () => void): void {
    this.#clearTimer(inst);
    inst.timer = setTimeout(fn, Math.max(0, at - this.#now()));
    inst.timer.unref();
  }

  #clearTimer(inst: Instance): void {
    if (inst.timer) clearTimeout(inst.timer);
    inst.timer = null;
  }
}
