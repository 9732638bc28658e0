import type { Conditions } from './conditions.js';
import { type CompiledRule, compare } from './rules/compile.js';
import { eventRules, type RuleEvent } from './rules/schema.js';

export interface CheckStateInput {
  check: string;
  type: string;
  service: string | null;
  state: string;
  reason: string;
  /** The check's own `labels:`, carried onto its alerts. */
  labels?: Readonly<Record<string, string>>;
}

export interface SampleInput {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const resolvingEvents = new Map<string, RuleEvent[]>();
for (const [fires, resolves] of Object.entries(eventRules) as [RuleEvent, string][]) {
  resolvingEvents.set(resolves, [...(resolvingEvents.get(resolves) ?? []), fires]);
}

/**
 * Maps what arrives (a check state, samples, an event) to the conditions of the rules that
 * depend on it, at once. Metric rules are indexed by metric name, so a sample no rule reads
 * costs one map lookup.
 */
export class RuleEvaluator {
  readonly #conditions: Conditions;
  #rules: CompiledRule[] = [];
  #byMetric = new Map<string, CompiledRule[]>();
  #criticalServices = new Set<string>();

  constructor(conditions: Conditions) {
    this.#conditions = conditions;
  }

  setRules(rules: readonly CompiledRule[], criticalServices: Iterable<string>): void {
    this.#rules = [...rules];
    this.#byMetric = new Map();
    for (const rule of rules) {
      if (!rule.metric) continue;
      this.#byMetric.set(rule.metric.name, [...(this.#byMetric.get(rule.metric.name) ?? []), rule]);
    }
    this.#criticalServices = new Set(criticalServices);
    this.#conditions.retain(new Set(rules.map((r) => r.name)));
  }

  get rules(): readonly CompiledRule[] {
    return this.#rules;
  }

  onCheckState(input: CheckStateInput): void {
    const check = {
      name: input.check,
      service: input.service,
      type: input.type,
      criticalService: input.service !== null && this.#criticalServices.has(input.service),
    };
    for (const rule of this.#rules) {
      if (rule.kind !== 'check' || !rule.selectsCheck?.(check)) continue;
      const labels: Record<string, string> = {
        ...input.labels,
        alertname: rule.name,
        severity: rule.severity,
        ...rule.extraLabels,
        check: input.check,
      };
      if (input.service) labels.service = input.service;
      this.#conditions.update({
        rule,
        labels,
        active: rule.checkStates?.includes(input.state) ?? false,
        value: null,
        message: input.state === 'up' ? 'up again' : input.reason,
      });
    }
  }

  onSamples(samples: readonly SampleInput[]): void {
    if (this.#byMetric.size === 0) return;
    for (const sample of samples) {
      const rules = this.#byMetric.get(sample.name);
      if (!rules) continue;
      for (const rule of rules) {
        const m = rule.metric;
        if (!m || !Object.entries(m.labels).every(([k, v]) => sample.labels[k] === v)) continue;
        this.#conditions.update({
          rule,
          labels: { alertname: rule.name, severity: rule.severity, ...rule.extraLabels, ...sample.labels },
          active: compare(sample.value, m.op, m.value),
          value: sample.value,
          message: `${sample.name} = ${sample.value}`,
        });
      }
    }
  }

  /** An event with the job it concerns: fires its rules, or resolves the rules it is the success of. */
  onEvent(name: string, job: string, message: string): void {
    const resolves = resolvingEvents.get(name) ?? [];
    for (const rule of this.#rules) {
      const ev = rule.event;
      if (!ev || (ev.job !== undefined && ev.job !== job)) continue;
      const fires = ev.fires === name;
      if (!fires && !resolves.includes(ev.fires)) continue;
      this.#conditions.update({
        rule,
        labels: { alertname: rule.name, severity: rule.severity, ...rule.extraLabels, job },
        active: fires,
        value: null,
        message,
      });
    }
  }
}
