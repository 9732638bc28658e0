import type { CompiledRule } from './compile.js';
import { compileRule } from './compile.js';
import type { RuleConfig } from './schema.js';

/** Raised by the delivery worker, not by a rule's condition: a channel that keeps failing. */
export const CHANNEL_FAILING_RULE = 'channel-failing';
/** Raised when a scheduled test notification could not be sent. */
export const ALERT_TEST_FAILED_RULE = 'alert-test-failed';

const common = { extra_labels: {} } as const;

/**
 * The built-in rules (`alerts.defaults: true`), so that a fresh install is covered: seed
 * 003 wants every critical service under a rule. Configured rules with the same name win.
 */
const builtins: Record<string, RuleConfig> = {
  'critical-service-down': {
    ...common,
    critical: true,
    state: 'down',
    severity: 'critical',
    summary: '{{labels.check}} ({{labels.service}}) is down: {{message}}',
  },
  'backup-late': {
    ...common,
    check: 'backup.*',
    state: 'down',
    severity: 'critical',
    summary: 'backup {{labels.job}} is late: {{message}}',
  },
  'backup-failed': {
    ...common,
    event: 'backup.failed',
    severity: 'critical',
    summary: 'backup {{labels.job}} failed: {{message}}',
  },
  'backup-degraded': {
    ...common,
    event: 'backup.degraded',
    severity: 'warning',
    summary: 'backup {{labels.job}} reached only some targets: {{message}}',
  },
  'backup-verify-failed': {
    ...common,
    event: 'backup.verify_failed',
    severity: 'critical',
    summary: 'an archive of {{labels.job}} failed verification: {{message}}',
  },
  'drill-failed': {
    ...common,
    event: 'drill.failed',
    severity: 'critical',
    summary: 'restore drill of {{labels.job}} failed: {{message}}',
  },
  'drill-over-rto': {
    ...common,
    event: 'drill.rto_exceeded',
    severity: 'warning',
    summary: 'restore drill of {{labels.job}} took longer than its RTO: {{message}}',
  },
  'disk-low': {
    ...common,
    metric: 'steward_host_filesystem_avail_ratio',
    labels: {},
    op: '<',
    value: 0.1,
    for: 300_000,
    keep_firing_for: 300_000,
    severity: 'warning',
    summary: 'filesystem {{labels.mountpoint}} has {{value}} of its space free',
  },
  'deploy-rolled-back': {
    ...common,
    event: 'deploy.rolled_back',
    severity: 'critical',
    summary: 'deployment of {{labels.job}} failed its gate and was rolled back: {{message}}',
  },
  'deploy-failed': {
    ...common,
    event: 'deploy.failed',
    severity: 'critical',
    summary: 'deployment of {{labels.job}} failed: {{message}}',
  },
  'mqtt-disconnected': {
    ...common,
    event: 'mqtt.disconnected',
    severity: 'warning',
    summary: 'telemetry ingestion has no connection to the broker {{labels.job}}: {{message}}',
  },
  'job-failed': {
    ...common,
    event: 'job.failed',
    severity: 'warning',
    summary: 'job {{labels.job}} failed: {{message}}',
  },
};

export function defaultRules(): CompiledRule[] {
  return Object.entries(builtins).map(([name, rule]) =>
    compileRule(name, rule, name === 'backup-late' ? { checkTypes: ['backup'] } : {}),
  );
}
