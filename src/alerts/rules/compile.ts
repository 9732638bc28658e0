import picomatch from 'picomatch';
import type { CheckRule, Comparison, EventRule, MetricRule, RuleConfig, RuleEvent } from './schema.js';

/** A rule ready to evaluate, whatever its kind; built-in rules are compiled the same way. */
export interface CompiledRule {
  name: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  description: string;
  runbook: string | null;
  extraLabels: Record<string, string>;
  forMs: number;
  keepFiringForMs: number;
  kind: 'check' | 'metric' | 'event';
  /** check rules: does this check (name, service, critical service) belong to the rule? */
  selectsCheck?(check: {
    name: string;
    service: string | null;
    criticalService: boolean;
    type: string;
  }): boolean;
  checkStates?: readonly string[];
  metric?: { name: string; labels: Record<string, string>; op: Comparison; value: number };
  event?: { fires: RuleEvent; job: string | undefined };
}

export function isCheckRule(r: RuleConfig): r is CheckRule {
  return 'state' in r;
}
export function isMetricRule(r: RuleConfig): r is MetricRule {
  return 'metric' in r;
}
export function isEventRule(r: RuleConfig): r is EventRule {
  return 'event' in r;
}

export function compileRule(
  name: string,
  rule: RuleConfig,
  opts: { checkTypes?: string[] } = {},
): CompiledRule {
  const base = {
    name,
    severity: rule.severity,
    runbook: rule.runbook ?? null,
    extraLabels: { ...rule.extra_labels },
    forMs: rule.for ?? 0,
    keepFiringForMs: rule.keep_firing_for ?? 0,
    description: rule.description ?? '',
  };
  if (isMetricRule(rule)) {
    return {
      ...base,
      kind: 'metric',
      summary: rule.summary ?? `{{rule}}: ${rule.metric} ${rule.op} ${rule.value} (now {{value}})`,
      metric: { name: rule.metric, labels: { ...rule.labels }, op: rule.op, value: rule.value },
    };
  }
  if (isEventRule(rule)) {
    return {
      ...base,
      kind: 'event',
      summary: rule.summary ?? `{{rule}}: {{message}}`,
      event: { fires: rule.event, job: rule.job },
    };
  }
  const glob = rule.check ? picomatch(rule.check) : null;
  const types = opts.checkTypes;
  return {
    ...base,
    kind: 'check',
    summary: rule.summary ?? '{{labels.check}}: {{message}}',
    checkStates: rule.state === 'not_up' ? ['down', 'degraded'] : [rule.state],
    selectsCheck: (c) =>
      (glob === null || glob(c.name)) &&
      (rule.service === undefined || c.service === rule.service) &&
      (rule.critical === undefined || c.criticalService === rule.critical) &&
      (types === undefined || types.includes(c.type)),
  };
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}
