import type { Clock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AlertRecord, Store } from '../store/index.js';
import type { ConditionSink } from './conditions.js';
import type { Notifier } from './notifier.js';
import type { CompiledRule } from './rules/compile.js';
import { renderTemplate } from './rules/template.js';

export interface AlertEngineDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  onChange?(alert: AlertRecord): void;
}

/**
 * The alert lifecycle: conditions fire and resolve alerts; people acknowledge and close
 * them. Every transition is stored with its actor and comment and lands in the audit log;
 * the notifier hears of each one. Open alerts are kept in memory by fingerprint, so a sample
 * that only confirms a firing alert costs no query.
 */
export class AlertEngine implements ConditionSink {
  readonly #deps: AlertEngineDeps;
  readonly #open = new Map<string, { id: string; state: AlertRecord['state'] }>();

  constructor(deps: AlertEngineDeps) {
    this.#deps = deps;
  }

  /** Loads open alerts (after a restart). */
  load(): AlertRecord[] {
    this.#open.clear();
    const open = this.#deps.store.alerts.list({
      states: ['triggered', 'acknowledged', 'resolved'],
      limit: 10_000,
    });
    for (const a of open) this.#open.set(a.fingerprint, { id: a.id, state: a.state });
    return open;
  }

  get openCount(): number {
    return this.#open.size;
  }

  fire(
    fingerprint: string,
    u: { rule: CompiledRule; labels: Record<string, string>; value: number | null; message: string },
  ): void {
    const known = this.#open.get(fingerprint);
    if (known && (known.state === 'triggered' || known.state === 'acknowledged')) return; // still firing
    const { store, notifier } = this.#deps;
    const vars = { rule: u.rule.name, value: u.value, message: u.message, labels: u.labels };
    // Someone may have closed it from the CLI meanwhile: the store has the last word.
    const reopenable = known?.state === 'resolved' && store.alerts.get(known.id)?.state === 'resolved';
    const alert = this.#commit('system', u.message, () => {
      if (known && reopenable) {
        return store.alerts.transition(known.id, 'triggered', {
          actor: 'system',
          comment: `fired again: ${u.message}`,
          value: u.value,
        });
      }
      return store.alerts.create(
        {
          fingerprint,
          rule: u.rule.name,
          labels: u.labels,
          severity: u.rule.severity,
          summary: renderTemplate(u.rule.summary, vars),
          description: renderTemplate(u.rule.description, vars),
          runbook: u.rule.runbook,
          value: u.value,
        },
        'system',
      );
    });
    notifier.onTriggered(alert);
  }

  resolve(fingerprint: string, u: { message: string }): void {
    const known = this.#open.get(fingerprint);
    if (!known || known.state === 'resolved') return;
    const stored = this.#deps.store.alerts.get(known.id);
    if (!stored || (stored.state !== 'triggered' && stored.state !== 'acknowledged')) {
      this.#open.delete(fingerprint);
      return;
    }
    const alert = this.#commit('system', u.message, () =>
      this.#deps.store.alerts.transition(known.id, 'resolved', {
        actor: 'system',
        comment: u.message,
      }),
    );
    this.#deps.notifier.onResolved(alert);
  }

  acknowledge(ref: string, actor: string, comment: string | null): AlertRecord {
    const current = this.#deps.store.alerts.require(ref);
    if (current.state !== 'triggered') {
      throw new StewardError(
        'E_CONFLICT',
        `alert ${current.id} is ${current.state}; only a triggered alert can be acknowledged`,
      );
    }
    const alert = this.#commit(actor, comment, () =>
      this.#deps.store.alerts.transition(current.id, 'acknowledged', { actor, comment }),
    );
    this.#deps.notifier.onAcknowledged(alert);
    return alert;
  }

  close(ref: string, actor: string, comment: string | null): AlertRecord {
    const current = this.#deps.store.alerts.require(ref);
    if (current.state === 'triggered' || current.state === 'acknowledged') {
      throw new StewardError('E_CONFLICT', `alert ${current.id} is still firing`, {
        hint: 'acknowledge it to stop the notifications, or silence it; it can be closed once resolved',
      });
    }
    const alert = this.#commit(actor, comment, () =>
      this.#deps.store.alerts.transition(current.id, 'closed', { actor, comment }),
    );
    return alert;
  }

  /** Closes resolved alerts that stayed quiet for `afterMs`; returns when the next one is due. */
  closeQuiet(afterMs: number): number | null {
    const now = this.#deps.clock.now().getTime();
    let next: number | null = null;
    for (const a of this.#deps.store.alerts.list({ states: ['resolved'], limit: 10_000 })) {
      const due = Date.parse(a.resolvedAt ?? a.updatedAt) + afterMs;
      if (due <= now)
        this.#commit('system', null, () =>
          this.#deps.store.alerts.transition(a.id, 'closed', {
            actor: 'system',
            comment: 'quiet since it resolved',
          }),
        );
      else if (next === null || due < next) next = due;
    }
    return next;
  }

  /**
   * Stores a transition and its audit entry in one transaction (a crash keeps both or
   * neither), then updates the open-alert map, the log and listeners.
   */
  #commit(actor: string, comment: string | null, change: () => AlertRecord): AlertRecord {
    const { store } = this.#deps;
    const alert = store.db.transaction(() => {
      const changed = change();
      store.audit.append({
        actor,
        action: `alert.${changed.state}`,
        target: `alert:${changed.id}`,
        details: { rule: changed.rule, labels: changed.labels, ...(comment ? { comment } : {}) },
      });
      return changed;
    })();
    if (alert.state === 'closed') this.#open.delete(alert.fingerprint);
    else this.#open.set(alert.fingerprint, { id: alert.id, state: alert.state });
    this.#deps.logger[alert.state === 'triggered' ? 'warn' : 'info'](
      { alert: alert.id, rule: alert.rule, state: alert.state, actor },
      `alert ${alert.state}`,
    );
    this.#deps.onChange?.(alert);
    return alert;
  }
}
