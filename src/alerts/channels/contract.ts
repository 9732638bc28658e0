import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import type { AlertPayload, ChannelContext, ChannelDriver, Notification, NotificationKind } from './types.js';
import { ChannelError } from './types.js';

/**
 * The contract every channel driver meets, run from its own `<type>/<type>.test.ts`:
 * - a firing and a resolved notification with two alerts each reach the peer as one
 *   request/message naming both alerts' summaries;
 * - a `test` notification is visibly marked "[TEST]" (once, even when the engine marked it);
 * - a failing peer (HTTP 500, connection refused) → a retryable ChannelError without secrets;
 * - an abort (100 ms into a delivery to a peer that never answers) rejects promptly with a
 *   retryable ChannelError and leaves nothing open at the peer (socket, process);
 * - `driver.secrets(config)` names every secret of the config.
 * `setup()` starts the real or loopback peer once per file.
 */
export interface ChannelFixture<C> {
  /** Delivers to the peer. */
  config: C;
  /** What the peer got since the last call (one entry per request/message), then forgets it. */
  received(): Promise<unknown[]>;
  /** A peer answering 500, or a port where nothing listens. */
  failingConfig: C;
  /** A peer that accepts and never answers (or a command that never ends). */
  hangingConfig: C;
  /** What the hanging delivery still holds open at the peer (connections, processes). */
  stillOpen(): Promise<number> | number;
  /** Every secret of these configs; none may appear in an error message. */
  secrets: string[];
  stop(): Promise<void>;
}

/** How long after the abort a delivery may take to give up; generous for a busy CI machine. */
const ABORT_SLACK_MS = 3000;

export function channelContext(signal: AbortSignal = AbortSignal.timeout(10_000)): ChannelContext {
  return { signal, logger: silentLogger() };
}

/** A unique tag, so what a peer got can be told apart from earlier deliveries. */
export const uniqueTag = () => randomBytes(4).toString('hex');

export function sampleAlert(tag: string, n: number, overrides: Partial<AlertPayload> = {}): AlertPayload {
  return {
    id: `01JTEST${tag}${n}`,
    rule: `disk-full-${n}`,
    state: 'triggered',
    severity: n === 1 ? 'critical' : 'warning',
    summary: `Disk ${n} almost full ${tag}`,
    description: `Volume /srv/${n} is 97% full.`,
    runbook: n === 1 ? 'https://wiki.example/runbooks/disk' : null,
    labels: { host: 'nas', volume: `vol${n}` },
    startsAt: new Date(Date.now() - 600_000).toISOString(),
    endsAt: null,
    acknowledgedBy: null,
    ackComment: null,
    url: n === 1 ? `https://steward.example/api/alerts/01JTEST${tag}${n}` : null,
    ...overrides,
  };
}

/** A notification as the engine renders it: two alerts, title and text naming them. */
export function sampleNotification(kind: NotificationKind, tag = uniqueTag(), title?: string): Notification {
  const resolved = kind === 'resolved';
  const endsAt = resolved ? new Date(Date.now() - 1000).toISOString() : null;
  const state = resolved ? ('resolved' as const) : ('triggered' as const);
  const alerts = [sampleAlert(tag, 1, { state, endsAt }), sampleAlert(tag, 2, { state, endsAt })];
  const head = resolved ? '[RESOLVED]' : '[FIRING:2]';
  return {
    kind,
    id: `01JNOTE${tag}`,
    groupKey: 'route:default/{host="nas"}',
    title: title ?? `${head} 2 alerts on nas`,
    text: alerts.map((a) => `- ${a.severity.toUpperCase()}: ${a.summary}\n  ${a.description}`).join('\n'),
    alerts,
    source: 'home-lab',
  };
}

export function runChannelContract<C>(
  type: string,
  driver: ChannelDriver<C>,
  setup: () => Promise<ChannelFixture<C>>,
): void {
  describe(`channel contract: ${type}`, () => {
    let fx: ChannelFixture<C>;
    beforeAll(async () => {
      fx = await setup();
    }, 120_000);
    afterAll(async () => {
      await fx?.stop();
    });

    const expectNoSecrets = (text: string) => {
      for (const secret of fx.secrets) expect(text).not.toContain(secret);
    };

    const deliver = async (n: Notification) => {
      await fx.received(); // forget anything earlier
      const receipt = await driver.send(fx.config, n, channelContext());
      expect(receipt.detail.length).toBeGreaterThan(0);
      expectNoSecrets(receipt.detail);
      const got = await fx.received();
      expect(got).toHaveLength(1);
      return JSON.stringify(got[0]);
    };

    it('names every secret of its config', () => {
      expect(fx.secrets.length).toBeGreaterThan(0);
      expect(driver.secrets(fx.config)).toEqual(expect.arrayContaining(fx.secrets));
    });

    it('delivers a firing notification with two alerts as one message', async () => {
      const n = sampleNotification('firing');
      const got = await deliver(n);
      for (const alert of n.alerts) expect(got).toContain(alert.summary);
      expect(got).not.toContain('[TEST]');
    });

    it('delivers a resolved notification', async () => {
      const n = sampleNotification('resolved');
      const got = await deliver(n);
      for (const alert of n.alerts) expect(got).toContain(alert.summary);
    });

    it('marks a test notification visibly, once', async () => {
      expect(await deliver(sampleNotification('test', uniqueTag(), 'Steward test notification'))).toContain(
        '[TEST]',
      );
      const marked = await deliver(
        sampleNotification('test', uniqueTag(), '[TEST] Steward test notification'),
      );
      expect(marked).toContain('[TEST]');
      expect(marked).not.toContain('[TEST] [TEST]');
    });

    it('rejects with a retryable ChannelError without secrets when the peer fails', async () => {
      const err = await driver.send(fx.failingConfig, sampleNotification('firing'), channelContext()).then(
        () => new Error('delivered to a failing peer'),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ChannelError);
      expect((err as ChannelError).retryable).toBe(true);
      expect((err as ChannelError).message.length).toBeGreaterThan(0);
      expectNoSecrets((err as ChannelError).message);
      await fx.received();
    });

    it('gives up promptly on abort and leaves nothing open', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const timer = setTimeout(() => controller.abort(new Error('delivery timed out')), 100);
      const err = await driver
        .send(fx.hangingConfig, sampleNotification('firing'), channelContext(controller.signal))
        .then(
          () => new Error('a hanging peer accepted the delivery'),
          (e: unknown) => e,
        );
      clearTimeout(timer);
      expect(Date.now() - started).toBeLessThan(100 + ABORT_SLACK_MS);
      expect(err).toBeInstanceOf(ChannelError);
      expect((err as ChannelError).retryable).toBe(true);
      expectNoSecrets((err as ChannelError).message);
      await expect.poll(() => fx.stillOpen(), { timeout: 2000, interval: 20 }).toBe(0);
    });

    it('does not deliver when the signal is already aborted', async () => {
      await fx.received();
      const controller = new AbortController();
      controller.abort(new Error('shutting down'));
      await expect(
        driver.send(fx.config, sampleNotification('firing'), channelContext(controller.signal)),
      ).rejects.toBeInstanceOf(ChannelError);
      expect(await fx.received()).toEqual([]);
    });
  });
}
