import { markTest } from '../format.js';
import { basicAuth, joinUrl, postJson, urlSecrets } from '../http.js';
import type { AlertPayload, ChannelDriver, Notification } from '../types.js';
import type { AlertmanagerChannelConfig } from './schema.js';

export { type AlertmanagerChannelConfig, alertmanagerChannelSchema } from './schema.js';

/**
 * Alertmanager API v2: POST <url>/api/v2/alerts with one entry per alert:
 *   labels      { alertname: <rule>, severity, ...alert labels }   (names made valid: [a-zA-Z_][a-zA-Z0-9_]*)
 *   annotations { summary, description?, runbook_url? }
 *   startsAt    the alert's start; endsAt only once resolved (its end, or now)
 *   generatorURL the alert's link back to Steward, when known
 * Alertmanager then groups, silences and routes them itself. A firing alert is re-sent by the
 * engine's repeats; Alertmanager resolves it on its own after its resolve_timeout otherwise.
 * A test notification adds the label steward_test="true", "[TEST] " to the summary, and an
 * endsAt five minutes ahead so the test alert clears by itself.
 */

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

const TEST_LIFETIME_MS = 5 * 60_000;

/** A Prometheus label name: invalid characters become "_", and it never starts with a digit. */
export function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean || '_';
}

function isOver(a: AlertPayload, n: Notification): boolean {
  return n.kind === 'resolved' || a.state === 'resolved' || a.state === 'closed';
}

export function toAlertmanager(n: Notification, now = new Date()): AmAlert[] {
  const test = n.kind === 'test';
  const testEnd = new Date(now.getTime() + TEST_LIFETIME_MS).toISOString();
  if (n.alerts.length === 0) {
    // A notification without alerts (a bare test): one alert standing for the notification.
    return [
      {
        labels: { alertname: 'steward_notification', ...(test ? { steward_test: 'true' } : {}) },
        annotations: { summary: markTest(n, n.title), ...(n.text ? { description: n.text } : {}) },
        startsAt: now.toISOString(),
        endsAt: testEnd,
      },
    ];
  }
  return n.alerts.map((a) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries({ alertname: a.rule, severity: a.severity, ...a.labels })) {
      if (v !== '') labels[labelName(k)] = v;
    }
    if (test) labels.steward_test = 'true';
    const annotations: Record<string, string> = { summary: markTest(n, a.summary) };
    if (a.description) annotations.description = a.description;
    if (a.runbook) annotations.runbook_url = a.runbook;
    const out: AmAlert = { labels, annotations, startsAt: a.startsAt };
    if (isOver(a, n)) out.endsAt = a.endsAt ?? now.toISOString();
    else if (test) out.endsAt = testEnd;
    if (a.url) out.generatorURL = a.url;
    return out;
  });
}

export const alertmanagerChannel: ChannelDriver<AlertmanagerChannelConfig> = {
  async send(config, n, ctx) {
    const headers: Record<string, string> = {};
    if (config.bearer_token) headers.authorization = `Bearer ${config.bearer_token}`;
    else if (config.basic_auth)
      headers.authorization = basicAuth(config.basic_auth.username, config.basic_auth.password);
    const alerts = toAlertmanager(n);
    const res = await postJson(joinUrl(config.url, 'api/v2/alerts'), alerts, {
      what: 'alertmanager',
      signal: ctx.signal,
      secrets: alertmanagerSecrets(config),
      headers,
    });
    return { detail: `HTTP ${res.status}, ${alerts.length} alert${alerts.length === 1 ? '' : 's'}` };
  },
  secrets: alertmanagerSecrets,
};

function alertmanagerSecrets(config: AlertmanagerChannelConfig): string[] {
  const out = urlSecrets(config.url);
  if (config.bearer_token) out.push(config.bearer_token);
  if (config.basic_auth) {
    out.push(
      config.basic_auth.password,
      basicAuth(config.basic_auth.username, config.basic_auth.password).slice(6),
    );
  }
  return out;
}
