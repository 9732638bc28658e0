import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { AlertRecord, Store } from '../store/index.js';
import type { NotificationKind } from './channels/types.js';
import type { AlertsConfig } from './config-schema.js';
import type { DeliveryWorker } from './delivery.js';
import { alertPayload, renderNotification } from './render.js';
import { groupKeyOf, type ResolvedRoute, routesFor } from './routing.js';
import {
  activeWindows,
  inhibitedBy,
  nextSilenceChange,
  nextWindowChange,
  silencedBy,
} from './suppression/index.js';

export interface NotifierDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  config(): AlertsConfig;
  worker: DeliveryWorker;
  source: string;
  baseUrl: string | null;
}

interface Group {
  route: ResolvedRoute;
  alertIds: Set<string>;
  timer: NodeJS.Timeout | null;
}

/**
 * Decides what goes out and when: routing, grouping (group_wait), repeats and escalation
 * for unacknowledged alerts, acknowledged/resolved notices, and suppression (silences,
 * maintenance windows, inhibition — a suppressed alert is recorded, only not sent). Every
 * decision is taken from the stored alert, so a restart resumes the timers where they were
 * and never sends a first notification twice.
 */
export class Notifier {
  readonly #deps: NotifierDeps;
  readonly #groups = new Map<string, Group>();
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    for (const g of this.#groups.values()) if (g.timer) clearTimeout(g.timer);
    this.#groups.clear();
  }

  /** Why an alert is not sent now, or null. */
  suppression(
    alert: AlertRecord,
    known: { firing?: readonly AlertRecord[]; silences?: ReturnType<Notifier['silences']> } = {},
  ): string | null {
    const now = this.#deps.clock.now().getTime();
    const silences = silencedBy(known.silences ?? this.silences(), alert.labels, now);
    if (silences[0]) return `silenced by ${silences[0].id}`;
    const windows = activeWindows(this.#deps.config().maintenance, alert.labels, now);
    if (windows[0]) return `maintenance window ${windows[0].name ?? windows[0].schedule}`;
    const inhibit = this.#deps.config().inhibit;
    if (inhibit.length) {
      const others =
        known.firing ??
        this.#deps.store.alerts.list({ states: ['triggered', 'acknowledged'], limit: 10_000 });
      if (
        inhibitedBy(
          inhibit,
          alert,
          others.filter((a) => a.id !== alert.id),
        )
      )
        return 'inhibited';
    }
    return null;
  }

  silences() {
    return this.#deps.store.silences.list();
  }

  onTriggered(alert: AlertRecord): void {
    const why = this.suppression(alert);
    if (why) {
      this.#deps.logger.info({ alert: alert.id, rule: alert.rule, reason: why }, 'alert not sent');
      this.#schedule();
      return;
    }
    for (const route of routesFor(this.#deps.config(), alert.labels)) {
      const key = groupKeyOf(route, alert.labels);
      let group = this.#groups.get(key);
      if (!group) {
        group = { route, alertIds: new Set(), timer: null };
        this.#groups.set(key, group);
        const g = group;
        // group_wait 0 still batches what fires in the same tick (one event, many alerts).
        g.timer = setTimeout(() => this.#flush(key), route.route.group_wait);
        g.timer.unref();
      }
      group.alertIds.add(alert.id);
    }
    this.#schedule();
  }

  #flush(key: string): void {
    const group = this.#groups.get(key);
    this.#groups.delete(key);
    if (!group) return;
    const alerts = [...group.alertIds]
      .map((id) => this.#deps.store.alerts.get(id))
      .filter((a): a is AlertRecord => a !== null && a.state === 'triggered' && a.notifiedAt === null);
    this.#send('firing', alerts, group.route.channels, key);
  }

  onAcknowledged(alert: AlertRecord): void {
    if (alert.notifiedChannels.length)
      this.#send('acknowledged', [alert], alert.notifiedChannels, `ack:${alert.id}`);
    this.#schedule();
  }

  onResolved(alert: AlertRecord): void {
    const routes = routesFor(this.#deps.config(), alert.labels);
    const wanted = routes.some((r) => r.route.send_resolved);
    if (wanted && alert.notifiedAt && alert.notifiedChannels.length) {
      this.#send('resolved', [alert], alert.notifiedChannels, `resolved:${alert.id}`);
    }
    this.#schedule();
  }

  #send(
    kind: NotificationKind,
    alerts: AlertRecord[],
    channels: readonly string[],
    groupKey: string,
    level?: number,
  ): void {
    if (alerts.length === 0 || channels.length === 0) return;
    const { baseUrl, source, store, worker } = this.#deps;
    const notification = renderNotification(
      kind,
      alerts.map((a) => alertPayload(a, baseUrl)),
      { id: newId(), groupKey, source },
    );
    worker.enqueue(notification, channels, () => {
      for (const a of alerts) store.alerts.markNotified(a.id, channels, level);
    });
  }

  /**
   * Repeats, escalation tiers, and alerts whose suppression ended: everything due now is
   * sent, and one timer is set for the next due moment (or suppression change).
   */
  reconcile(): void {
    const { store, clock } = this.#deps;
    const config = this.#deps.config();
    const now = clock.now().getTime();
    const open = store.alerts.list({ states: ['triggered', 'acknowledged'], limit: 10_000 });
    const silences = this.silences();
    let next: number | null = null;
    const consider = (t: number) => {
      if (t > now && (next === null || t < next)) next = t;
    };
    for (const alert of open) {
      if (alert.state !== 'triggered') continue;
      const routes = routesFor(config, alert.labels);
      const first = routes[0];
      if (!first) continue;
      const suppressed = this.suppression(alert, { firing: open, silences }) !== null;
      if (alert.notifiedAt === null) {
        if (!suppressed && !this.#queued(alert.id)) this.onTriggered(alert);
        continue;
      }
      const channels = [...new Set(routes.flatMap((r) => r.channels))];
      const lastAt = Date.parse(alert.lastNotifiedAt ?? alert.notifiedAt);
      const repeatAt = lastAt + first.route.repeat;
      if (repeatAt <= now && !suppressed)
        this.#send(
          'repeat',
          [alert],
          [...new Set([...channels, ...alert.notifiedChannels])],
          `repeat:${alert.id}`,
        );
      else consider(repeatAt);
      const tiers = first.route.escalate;
      for (let level = alert.escalationLevel; level < tiers.length; level++) {
        const tier = tiers[level];
        if (!tier) break;
        const due = Date.parse(alert.triggeredAt) + tier.after;
        if (due > now || suppressed) {
          consider(due);
          break;
        }
        this.#send('escalation', [alert], tier.notify, `escalate:${alert.id}`, level + 1);
      }
    }
    const silenceChange = nextSilenceChange(silences, now);
    if (silenceChange !== null) consider(silenceChange);
    const windowChange = nextWindowChange(config.maintenance, now);
    if (windowChange !== null) consider(windowChange);
    this.#arm(next);
  }

  #queued(alertId: string): boolean {
    for (const g of this.#groups.values()) if (g.alertIds.has(alertId)) return true;
    return false;
  }

  #schedule(): void {
    // After any change, reconcile soon (not inline: callers may be mid-transaction).
    this.#arm(this.#deps.clock.now().getTime());
  }

  #arm(at: number | null): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (at === null) return;
    this.#timer = setTimeout(() => this.reconcile(), Math.max(0, at - this.#deps.clock.now().getTime()));
    this.#timer.unref();
  }
}
