import { type Clock, isoNow } from '../core/clock.js';
import { type Db, statementCache } from './statements.js';

/** Push webhook deliveries seen, by provider and delivery id: the replay guard of POST /hooks/deploy. */
export class WebhookDeliveries {
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  /** Records a webhook delivery; false when that id was seen before (a replay). */
  record(provider: string, deliveryId: string): boolean {
    const result = this.#q(
      'INSERT INTO webhook_deliveries (provider, delivery_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(provider, deliveryId, isoNow(this.#clock));
    return result.changes === 1;
  }

  link(provider: string, deliveryId: string, deploymentId: string): void {
    this.#q('UPDATE webhook_deliveries SET deployment_id = ? WHERE provider = ? AND delivery_id = ?').run(
      deploymentId,
      provider,
      deliveryId,
    );
  }
}
