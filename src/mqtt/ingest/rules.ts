// Ingest rules → MQTT subscriptions and a router from (topic, payload) to metric samples.
import { StewardError } from '../../core/errors.js';
import { type CompiledRule, compileRule } from './compile-rule.js';
import { decodePayload, type MessageContext } from './decode.js';
import { decodeText } from './payload.js';
import type { IngestRule, RouteResult } from './schema.js';

/** Largest payload routed; larger ones are malformed (sensor messages are bytes to a few KiB). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

export interface CompileRulesOptions {
  maxPayloadBytes?: number;
}

export interface IngestRouter {
  /** Distinct subscription filters, in rule order. */
  readonly subscriptions: readonly string[];
  /**
   * The first rule whose topic matches decides: samples, or malformed with a reason. Never throws.
   * Samples without a time in the payload get `arrival`.
   */
  route(topic: string, payload: Uint8Array, arrival: Date): RouteResult;
}

export function compileRules(rules: readonly IngestRule[], opts: CompileRulesOptions = {}): IngestRouter {
  if (!Array.isArray(rules)) {
    throw new StewardError('E_CONFIG', 'mqtt ingest rules must be a list');
  }
  const maxBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new StewardError('E_CONFIG', `maxPayloadBytes must be a positive integer, got ${maxBytes}`);
  }
  const compiled = rules.map((rule, i) => compileRule(rule, i));
  const subscriptions = [...new Set(compiled.map((r) => r.topic.subscription))];
  return {
    subscriptions,
    route: (topic, payload, arrival) => {
      try {
        return route(compiled, maxBytes, topic, payload, arrival);
      } catch (err) {
        // Unreachable by design (every step returns a reason); kept so a bug quarantines one message, not the client.
        return { kind: 'malformed', rule: null, reason: `internal error: ${String(err)}` };
      }
    },
  };
}

function route(
  rules: readonly CompiledRule[],
  maxBytes: number,
  topic: string,
  payload: Uint8Array,
  arrival: Date,
): RouteResult {
  let rule: CompiledRule | undefined;
  let bound: Record<string, string> | null = null;
  for (const r of rules) {
    bound = r.topic.match(topic);
    if (bound) {
      rule = r;
      break;
    }
  }
  if (!rule || !bound) return { kind: 'unmatched' };
  const malformed = (reason: string): RouteResult => ({ kind: 'malformed', rule: rule.index, reason });

  if (!(payload instanceof Uint8Array)) return malformed('payload is not binary data');
  if (payload.byteLength > maxBytes) {
    return malformed(`payload of ${payload.byteLength} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  const text = decodeText(payload);
  if (!text.ok) return malformed(text.reason);

  // An empty level (`a//b`) binds an empty value; an empty label is no label (as in Prometheus).
  const labels: Record<string, string> = { ...rule.labels };
  for (const [name, value] of Object.entries(bound)) if (value !== '') labels[name] = value;
  const arrivalMs =
    arrival instanceof Date && Number.isFinite(arrival.getTime()) ? arrival.getTime() : Date.now();
  const ctx: MessageContext = { bound, labels, arrivalMs };

  const decoded = decodePayload(rule, text.value, ctx);
  if (!decoded.ok) return malformed(decoded.reason);
  return {
    kind: 'samples',
    rule: rule.index,
    samples: decoded.value.samples,
    device: rule.device ? rule.device.render(bound) : topic,
    sequence: decoded.value.sequence,
  };
}
