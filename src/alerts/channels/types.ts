import type { Logger } from '../../core/logger.js';

/**
 * The contract between the alert engine and the notification channels. The engine decides
 * what to send and when (grouping, repeats, escalation, retries); a channel turns one
 * notification into one delivery to its service. Registry: `channels/index.ts`; shared
 * contract: `channels/contract.ts`.
 */

export type AlertSeverity = 'critical' | 'warning' | 'info';
export type AlertState = 'triggered' | 'acknowledged' | 'resolved' | 'closed';

/** One alert instance as a notification carries it. */
export interface AlertPayload {
  /** Stable id of the alert instance (rule + labels), e.g. "01J…" */
  id: string;
  rule: string;
  state: AlertState;
  severity: AlertSeverity;
  /** One line: "Core is down". */
  summary: string;
  /** Longer text: the value, the check message… */
  description: string;
  runbook: string | null;
  labels: Record<string, string>;
  /** ISO-8601 UTC. */
  startsAt: string;
  /** Set once resolved. */
  endsAt: string | null;
  acknowledgedBy: string | null;
  ackComment: string | null;
  /** A link back to Steward (the alert in the API), when the daemon knows its URL. */
  url: string | null;
}

/**
 * Why this notification is sent: the first for a group (`firing`), a reminder (`repeat`), a
 * later tier (`escalation`), someone acknowledged (`acknowledged`), the condition cleared
 * (`resolved`), or `steward alerts test` (`test`: must be marked clearly as a test).
 */
export type NotificationKind = 'firing' | 'repeat' | 'escalation' | 'acknowledged' | 'resolved' | 'test';

export interface Notification {
  kind: NotificationKind;
  /** Unique per notification; receivers may use it to drop duplicates (retries reuse it). */
  id: string;
  /** The group the alerts were batched by (route + group_by labels). */
  groupKey: string;
  /** Ready-made text for channels that take plain text. */
  title: string;
  text: string;
  alerts: AlertPayload[];
  /** Name of the Steward installation (config `name`). */
  source: string;
}

export interface ChannelContext {
  /** Aborted at the delivery timeout; the driver must stop and release everything. */
  signal: AbortSignal;
  logger: Logger;
}

/** What a channel reports after a delivery it believes succeeded. */
export interface DeliveryReceipt {
  /** e.g. "HTTP 200", "250 2.0.0 Ok: queued as 1234", "exit 0". */
  detail: string;
}

/**
 * A failed delivery. `retryable` is false only when trying again cannot help (a 4xx other
 * than 408/429, a rejected recipient, a config error); the engine retries the rest with
 * backoff. Messages must never contain secrets from the channel config.
 */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** A channel type. `C` is the parsed config of one channel (its zod schema is in the driver's folder). */
export interface ChannelDriver<C> {
  send(config: C, notification: Notification, ctx: ChannelContext): Promise<DeliveryReceipt>;
  /** Strings of this config that must never appear in logs or stored records (tokens, passwords, URL secrets). */
  secrets(config: C): string[];
}
