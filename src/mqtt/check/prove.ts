import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { StewardError } from '../../core/errors.js';
import { safeUrl } from '../client/connection.js';
import type { AclEntry } from '../mosquitto/index.js';
import type { Access } from './model.js';
import { type PlannedProbe, type ProbeAction, planProbes } from './probes.js';
import { describeError, isAuthRefusal, isNotAuthorized, Sessions } from './session.js';

/**
 * `steward mqtt check`: logs in as every configured user and tries, per ACL rule, what must be
 * allowed and what must be denied; compares with the model. A publish is judged by its PUBACK
 * (135 = denied); a read by delivery, because Mosquitto grants every SUBSCRIBE and applies the
 * read ACL when it delivers: another user publishes, and the message arrives within waitMs or not.
 */

export interface ProveUser {
  name: string;
  password: string;
  acl: readonly AclEntry[];
}

export interface ProveAclOptions {
  url: string;
  users: readonly ProveUser[];
  patterns: readonly AclEntry[];
  /** Whether the broker is meant to let clients in without credentials. */
  anonymousAllowed: boolean;
  /** How long a subscriber waits for a message after the writer's PUBACK (default 500). */
  waitMs?: number;
  connectTimeoutMs?: number;
  clientIdPrefix?: string;
  /** Probes run at once (each holds one or two connections; default 4). */
  concurrency?: number;
}

export type Observed = Access | 'unverified' | 'login refused' | 'error';

export interface ProbeResult {
  user: string;
  rule: string;
  action: ProbeAction;
  topic: string;
  expected: Access;
  observed: Observed;
  /** observed matches expected; an unverified probe is not a mismatch. */
  ok: boolean;
  note?: string;
}

export interface AclReport {
  ok: boolean;
  anonymous: { expected: Access; observed: Access; ok: boolean };
  probes: ProbeResult[];
  counts: { probes: number; mismatches: number; unverified: number };
}

interface Outcome {
  observed: Observed;
  note?: string;
}

const APPLY_HINT = 'run `steward mqtt apply` so the broker has the configured passwords';

async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export async function proveAcl(opts: ProveAclOptions): Promise<AclReport> {
  const waitMs = opts.waitMs ?? 500;
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  const nonce = randomBytes(4).toString('hex');
  const plan = planProbes({
    users: opts.users,
    patterns: opts.patterns,
    nonce,
    ...(opts.clientIdPrefix === undefined ? {} : { clientIdPrefix: opts.clientIdPrefix }),
  });
  const passwords = new Map(opts.users.map((u) => [u.name, u.password]));
  const sessions = new Sessions();

  const login = (user: string, clientId: string) =>
    sessions.connect({ url: opts.url, clientId, username: user, password: passwords.get(user), timeoutMs });

  /** The probing connection; a refusal or an error is the probe's outcome. */
  const loginAs = async (p: PlannedProbe): Promise<{ client: MqttClient } | { failed: Outcome }> => {
    try {
      return { client: await login(p.user, p.clientId) };
    } catch (err) {
      if (!isAuthRefusal(err))
        return { failed: { observed: 'error', note: `connect: ${describeError(err)}` } };
      return { failed: { observed: 'login refused', note: `${describeError(err)}: ${APPLY_HINT}` } };
    }
  };

  const publish = async (p: PlannedProbe, payload: string): Promise<Outcome> => {
    const session = await loginAs(p);
    if ('failed' in session) return session.failed;
    const { client } = session;
    try {
      await client.publishAsync(p.topic, payload, { qos: 1, retain: false });
      return { observed: 'allowed' };
    } catch (err) {
      if (isNotAuthorized(err)) return { observed: 'denied' };
      return { observed: 'error', note: `publish: ${describeError(err)}` };
    } finally {
      await sessions.close(client);
    }
  };

  const receive = async (p: PlannedProbe, payload: string): Promise<Outcome> => {
    const session = await loginAs(p);
    if ('failed' in session) return session.failed;
    const { client } = session;
    let writer: MqttClient | null = null;
    let onMessage: ((topic: string, message: Buffer) => void) | undefined;
    try {
      const arrived = new Promise<void>((resolve) => {
        onMessage = (_topic, message) => {
          if (message.toString() === payload) resolve();
        };
        client.on('message', onMessage);
      });
      const granted = await client.subscribeAsync(p.topic, { qos: 1 });
      const code = granted[0]?.qos ?? 128;
      if (code >= 128) return { observed: 'denied', note: `SUBACK refused (code ${code})` };
      // The plan's note says why.
      if (!p.writer) return { observed: 'unverified' };
      const w = p.writer;
      try {
        writer = await login(w.user, w.clientId);
        await writer.publishAsync(p.topic, payload, { qos: 1, retain: false });
      } catch (err) {
        return { observed: 'unverified', note: `writer ${w.user} could not publish: ${describeError(err)}` };
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), waitMs);
      });
      const result = await Promise.race([arrived, timedOut]);
      clearTimeout(timer);
      return { observed: result === 'timeout' ? 'denied' : 'allowed' };
    } catch (err) {
      return { observed: 'error', note: `receive: ${describeError(err)}` };
    } finally {
      if (onMessage) client.removeListener('message', onMessage);
      await Promise.all([sessions.close(client), writer ? sessions.close(writer) : undefined]);
    }
  };

  try {
    const anonymous = await proveAnonymous(sessions, opts, plan.anonymousClientId, timeoutMs);
    const probes: ProbeResult[] = new Array(plan.probes.length);
    await runLimited(plan.probes, opts.concurrency ?? 4, async (p, i) => {
      const payload = `steward-check ${nonce} ${i}`;
      const out = p.action === 'publish' ? await publish(p, payload) : await receive(p, payload);
      const note = [p.note, out.note].filter((s, k, all) => s && all.indexOf(s) === k).join('; ');
      probes[i] = {
        user: p.user,
        rule: p.rule,
        action: p.action,
        topic: p.topic,
        expected: p.expected,
        observed: out.observed,
        ok: out.observed === p.expected || out.observed === 'unverified',
        ...(note ? { note } : {}),
      };
    });
    const mismatches = probes.filter((p) => !p.ok).length;
    const unverified = probes.filter((p) => p.observed === 'unverified').length;
    return {
      ok: anonymous.ok && mismatches === 0,
      anonymous,
      probes,
      counts: { probes: probes.length, mismatches, unverified },
    };
  } finally {
    await sessions.closeAll();
  }
}

/** Tries to connect without credentials; also the check that the broker is there at all. */
async function proveAnonymous(
  sessions: Sessions,
  opts: ProveAclOptions,
  clientId: string,
  timeoutMs: number,
): Promise<AclReport['anonymous']> {
  const expected: Access = opts.anonymousAllowed ? 'allowed' : 'denied';
  let observed: Access;
  try {
    const client = await sessions.connect({ url: opts.url, clientId, timeoutMs });
    await sessions.close(client);
    observed = 'allowed';
  } catch (err) {
    if (!isAuthRefusal(err)) {
      throw new StewardError(
        'E_EXTERNAL',
        `cannot reach the MQTT broker at ${safeUrl(opts.url)}: ${describeError(err)}`,
        {
          hint: 'is Mosquitto running and listening there?',
          cause: err,
        },
      );
    }
    observed = 'denied';
  }
  return { expected, observed, ok: observed === expected };
}
