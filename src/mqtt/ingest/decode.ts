// One payload under one matched rule → samples, or the reason it is malformed. Per format:
// number (a bare decimal), json (fields picked by path), influx (line protocol).
import { isValidMetricName, parseLineProtocol } from '../../monitor/ingest/index.js';
import { type CompiledRule, FIELD } from './compile-rule.js';
import { evaluateJsonPath } from './json-path.js';
import {
  type Decoded,
  jsonTooDeep,
  MAX_JSON_DEPTH,
  numericValue,
  parseDecimal,
  sequenceNumber,
  timestampMs,
} from './payload.js';
import type { Sample } from './schema.js';

export interface DecodedMessage {
  samples: Sample[];
  sequence: number | null;
}

/** What a message's samples share: the rule's constant labels and the topic's non-empty bound labels. */
export interface MessageContext {
  bound: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  arrivalMs: number;
}

const bad = (reason: string): Decoded<never> => ({ ok: false, reason });

// Names repeat message after message: remember which are valid (bounded; cleared when full).
const knownValid = new Set<string>();
function validName(name: string): boolean {
  if (knownValid.has(name)) return true;
  if (!isValidMetricName(name)) return false;
  if (knownValid.size >= 10_000) knownValid.clear();
  knownValid.add(name);
  return true;
}

function metricName(rule: CompiledRule, ctx: MessageContext, field: string | undefined): Decoded<string> {
  const name = rule.metric
    ? rule.metric.render(field === undefined ? ctx.bound : { ...ctx.bound, [FIELD]: field })
    : (field ?? '');
  if (validName(name)) return { ok: true, value: name };
  return bad(
    `metric name ${JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)} is not valid (from template ${JSON.stringify(rule.metric?.source ?? `{${FIELD}}`)})`,
  );
}

function decodeNumber(rule: CompiledRule, text: string, ctx: MessageContext): Decoded<DecodedMessage> {
  const value = parseDecimal(text);
  if (!value.ok) return value;
  const name = metricName(rule, ctx, undefined);
  if (!name.ok) return name;
  return {
    ok: true,
    value: {
      samples: [{ name: name.value, labels: { ...ctx.labels }, value: value.value, ts: ctx.arrivalMs }],
      sequence: null,
    },
  };
}

function decodeJson(rule: CompiledRule, text: string, ctx: MessageContext): Decoded<DecodedMessage> {
  if (jsonTooDeep(text)) return bad(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    return bad(`payload is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }

  let ts = ctx.arrivalMs;
  if (rule.timestamp) {
    const raw = evaluateJsonPath(root, rule.timestamp);
    // No timestamp in this message: the device has no clock yet, so arrival time stands in.
    if (raw !== undefined && raw !== null) {
      const parsed = timestampMs(raw);
      if (!parsed.ok) return bad(`${rule.timestamp.source}: ${parsed.reason}`);
      ts = parsed.value;
    }
  }

  let sequence: number | null = null;
  if (rule.sequence) {
    const raw = evaluateJsonPath(root, rule.sequence);
    if (raw !== undefined && raw !== null) {
      const parsed = sequenceNumber(raw);
      if (!parsed.ok) return bad(`${rule.sequence.source}: ${parsed.reason}`);
      sequence = parsed.value;
    }
  }

  const samples: Sample[] = [];
  for (const field of rule.fields) {
    const raw = evaluateJsonPath(root, field.path);
    // Missing or null: this message does not carry the field (a sensor may be absent or failed).
    if (raw === undefined || raw === null) continue;
    const value = numericValue(raw);
    if (!value.ok) return bad(`field ${JSON.stringify(field.key)} (${field.path.source}): ${value.reason}`);
    const name = metricName(rule, ctx, field.key);
    if (!name.ok) return name;
    samples.push({ name: name.value, labels: { ...ctx.labels }, value: value.value, ts });
  }
  if (samples.length === 0) {
    const wanted = rule.fields.map((f) => `${f.key} at ${f.path.source}`).join(', ');
    return bad(`none of the fields is present (${wanted})`);
  }
  return { ok: true, value: { samples, sequence } };
}

function decodeInflux(rule: CompiledRule, text: string, ctx: MessageContext): Decoded<DecodedMessage> {
  const parsed = parseLineProtocol(text, { precision: rule.precision });
  // A message is one unit: it is stored whole or quarantined whole, never half.
  const first = parsed.errors[0];
  if (first) {
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : '';
    return bad(`line protocol: ${first.message}${more}`);
  }
  if (parsed.samples.length === 0) return bad('line protocol: no samples (blank or only comments)');
  const samples: Sample[] = [];
  for (const s of parsed.samples) {
    const name = rule.metric ? metricName(rule, ctx, s.name) : { ok: true as const, value: s.name };
    if (!name.ok) return name;
    // The sample store keeps times from the epoch on; the HTTP path would reject the whole batch.
    if (s.ts !== undefined && s.ts < 0) return bad(`line protocol: timestamp before 1970 (${s.ts} ms)`);
    // The topic and the rule's labels win over tags: the broker's ACL vouches for the topic.
    samples.push({
      name: name.value,
      labels: { ...s.labels, ...ctx.labels },
      value: s.value,
      ts: s.ts ?? ctx.arrivalMs,
    });
  }
  return { ok: true, value: { samples, sequence: null } };
}

export function decodePayload(
  rule: CompiledRule,
  text: string,
  ctx: MessageContext,
): Decoded<DecodedMessage> {
  switch (rule.format) {
    case 'number':
      return decodeNumber(rule, text, ctx);
    case 'json':
      return decodeJson(rule, text, ctx);
    case 'influx':
      return decodeInflux(rule, text, ctx);
  }
}
