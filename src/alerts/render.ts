import { newId } from '../core/ids.js';
import type { AlertRecord } from '../store/index.js';
import type { AlertPayload, Notification, NotificationKind } from './channels/types.js';

export function alertPayload(alert: AlertRecord, baseUrl: string | null): AlertPayload {
  return {
    id: alert.id,
    rule: alert.rule,
    state: alert.state,
    severity: alert.severity,
    summary: alert.summary,
    description: alert.description,
    runbook: alert.runbook,
    labels: alert.labels,
    startsAt: alert.triggeredAt,
    endsAt: alert.resolvedAt,
    acknowledgedBy: alert.acknowledgedBy,
    ackComment: alert.ackComment,
    url: baseUrl ? `${baseUrl}/api/v1/alerts/${alert.id}` : null,
  };
}

const HEADS: Record<NotificationKind, string> = {
  firing: 'FIRING',
  repeat: 'STILL FIRING',
  escalation: 'ESCALATED',
  acknowledged: 'ACKNOWLEDGED',
  resolved: 'RESOLVED',
  test: 'TEST',
};

/** Title and plain text every channel can use as is. */
export function renderNotification(
  kind: NotificationKind,
  alerts: readonly AlertPayload[],
  meta: { id: string; groupKey: string; source: string },
): Notification {
  const head = alerts.length > 1 ? `${HEADS[kind]}:${alerts.length}` : HEADS[kind];
  const first = alerts[0];
  const title = `[${head}] ${alerts.length === 1 && first ? first.summary : `${first?.rule ?? 'alerts'} and ${alerts.length - 1} more`}`;
  const lines = alerts.map((a) => {
    const parts = [`• ${a.summary} (${a.severity}, since ${a.startsAt})`];
    if (a.description) parts.push(`  ${a.description}`);
    if (a.acknowledgedBy)
      parts.push(`  acknowledged by ${a.acknowledgedBy}${a.ackComment ? `: ${a.ackComment}` : ''}`);
    if (a.endsAt && kind === 'resolved') parts.push(`  resolved at ${a.endsAt}`);
    if (a.runbook) parts.push(`  runbook: ${a.runbook}`);
    if (a.url) parts.push(`  ${a.url}`);
    return parts.join('\n');
  });
  const intro = kind === 'test' ? 'This is a test notification from Steward; nothing is wrong.\n' : '';
  return {
    kind,
    id: meta.id,
    groupKey: meta.groupKey,
    source: meta.source,
    title,
    text: `${intro}${lines.join('\n')}`,
    alerts: [...alerts],
  };
}

/** A notification marked as a test, for `steward alerts test` and the scheduled test. */
export function testNotification(
  source: string,
  summary: string,
  now: Date,
  extra: Partial<AlertPayload> = {},
): Notification {
  const id = newId();
  return renderNotification(
    'test',
    [
      {
        id: `test-${id}`,
        rule: 'test',
        state: 'triggered',
        severity: 'info',
        summary,
        description: 'a test notification from Steward; nothing is wrong',
        runbook: null,
        labels: { alertname: 'test', severity: 'info' },
        startsAt: now.toISOString(),
        endsAt: null,
        acknowledgedBy: null,
        ackComment: null,
        url: null,
        ...extra,
      },
    ],
    { id, groupKey: 'test', source },
  );
}
