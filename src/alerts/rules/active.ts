import type { AlertsConfig } from '../config-schema.js';
import { type CompiledRule, compileRule } from './compile.js';
import { CHANNEL_FAILING_RULE, defaultRules } from './defaults.js';

/** Raised by the delivery worker; its notifications skip the failing channel (see routing). */
export const channelFailingRule: CompiledRule = {
  name: CHANNEL_FAILING_RULE,
  kind: 'event',
  severity: 'critical',
  summary: 'notification channel {{labels.channel}} is failing: {{message}}',
  description: '',
  runbook: null,
  extraLabels: {},
  forMs: 0,
  keepFiringForMs: 0,
};

/** Configured rules, the built-in ones unless turned off (a configured rule of the same name wins), and channel-failing. */
export function activeRules(config: AlertsConfig): CompiledRule[] {
  const configured = Object.entries(config.rules).map(([name, rule]) => compileRule(name, rule));
  const names = new Set(configured.map((r) => r.name));
  const builtins = config.defaults ? defaultRules().filter((r) => !names.has(r.name)) : [];
  return [...configured, ...builtins, channelFailingRule];
}
