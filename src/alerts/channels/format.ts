import type { AlertPayload, AlertSeverity, Notification } from './types.js';

/**
 * Small helpers every channel shares to turn a notification into its service's message. The
 * engine renders `title` and `text`; channels only mark tests, pick colours/priorities and cut
 * to their service's limits.
 */

export const TEST_MARK = '[TEST]';

/** The notification's title, with "[TEST] " in front of a test unless the engine put it there already. */
export function displayTitle(n: Notification): string {
  return markTest(n, n.title);
}

/** `text` prefixed with "[TEST] " for a test notification (once). */
export function markTest(n: Notification, text: string): string {
  if (n.kind !== 'test' || text.startsWith(TEST_MARK)) return text;
  return `${TEST_MARK} ${text}`;
}

const severityRank: Record<AlertSeverity, number> = { critical: 3, warning: 2, info: 1 };

/** The highest severity among the alerts; `info` when there are none. */
export function worstSeverity(alerts: AlertPayload[]): AlertSeverity {
  let worst: AlertSeverity = 'info';
  for (const a of alerts) if (severityRank[a.severity] > severityRank[worst]) worst = a.severity;
  return worst;
}

/** The key of a channel's priority map: `resolved` for a resolved notification, else the worst severity. */
export type PriorityKey = AlertSeverity | 'resolved';
export function priorityKey(n: Notification): PriorityKey {
  return n.kind === 'resolved' ? 'resolved' : worstSeverity(n.alerts);
}

/** A colour (0xRRGGBB) for chat services: red/amber/blue by severity, green resolved, grey test. */
export function colorOf(n: Notification): number {
  if (n.kind === 'test') return 0x9e9e9e;
  if (n.kind === 'resolved') return 0x2e7d32;
  return { critical: 0xd32f2f, warning: 0xf9a825, info: 0x1e88e5 }[worstSeverity(n.alerts)];
}

/** Cuts `text` to at most `max` characters (code points are not split), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Title and text as one plain message ("title\n\ntext"). */
export function plainMessage(n: Notification): string {
  const title = displayTitle(n);
  return n.text ? `${title}\n\n${n.text}` : title;
}

/** The first alert link in the notification, if any. */
export function firstUrl(n: Notification): string | undefined {
  return n.alerts.find((a) => a.url)?.url ?? undefined;
}

/**
 * The JSON document the `webhook` channel POSTs and the `command` channel writes to stdin.
 *
 * ```jsonc
 * {
 *   "version": 1,                 // bumped only on incompatible changes
 *   "kind": "firing",             // firing | repeat | escalation | acknowledged | resolved | test
 *   "id": "01J…",                 // unique per notification; retries reuse it (deduplicate on it)
 *   "groupKey": "route:default/{host=\"nas\"}", // the alerts' group (route + group_by labels)
 *   "source": "home-lab",         // the Steward installation's name
 *   "title": "[FIRING] Core is down",          // "[TEST] " in front for a test
 *   "text": "…",                  // ready-made plain text (several lines)
 *   "alerts": [                   // one entry per alert in the group
 *     {
 *       "id": "01J…", "rule": "core-down", "state": "triggered",   // triggered | acknowledged | resolved | closed
 *       "severity": "critical",   // critical | warning | info
 *       "summary": "Core is down", "description": "…", "runbook": null,
 *       "labels": { "host": "nas" },
 *       "startsAt": "2025-01-01T00:00:00.000Z", "endsAt": null,   // ISO-8601 UTC
 *       "acknowledgedBy": null, "ackComment": null,
 *       "url": "https://steward.example/api/alerts/01J…"          // or null
 *     }
 *   ]
 * }
 * ```
 */
export interface WebhookBody {
  version: 1;
  kind: Notification['kind'];
  id: string;
  groupKey: string;
  source: string;
  title: string;
  text: string;
  alerts: AlertPayload[];
}

export function webhookBody(n: Notification): WebhookBody {
  return {
    version: 1,
    kind: n.kind,
    id: n.id,
    groupKey: n.groupKey,
    source: n.source,
    title: displayTitle(n),
    text: n.text,
    alerts: n.alerts,
  };
}
