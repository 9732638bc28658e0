import { StewardError } from '../../core/errors.js';
import { compileRules, compileTopic, type IngestRule, parseJsonPath, type Sample } from '../ingest/index.js';

/** What the self-test publishes, and the sample it then waits for in the store. */
export interface SelftestPlan {
  topic: string;
  payload: string;
  expect: { name: string; labels: Record<string, string>; value: number };
}

export interface SelftestSettings {
  topic?: string | undefined;
  payload?: string | undefined;
}

/** The value a wildcard level takes in a generated self-test topic (and so its label). */
export const SELFTEST_LEVEL = 'steward_selftest';

/** The tag of one run: a value nobody else publishes, and the time and counter it carries. */
export interface SelftestTag {
  value: number;
  nowMs: number;
  seq: number;
}

/** A topic of the rule with its wildcards filled in: `sensors/+room/+metric` → `sensors/steward_selftest/steward_selftest`. */
function fillTopic(pattern: string): string {
  return pattern
    .split('/')
    .map((level) => (level.startsWith('+') || level.startsWith('#') ? SELFTEST_LEVEL : level))
    .join('/');
}

/** Prefer a rule with a wildcard (its self-test series is apart from real data), then a number rule. */
function defaultRule(rules: readonly IngestRule[]): IngestRule {
  const wild = (r: IngestRule) => /(^|\/)[+#]/.test(r.topic);
  const pick =
    rules.find((r) => wild(r) && r.format === 'number') ?? rules.find(wild) ?? (rules[0] as IngestRule);
  return pick;
}

function setPath(target: Record<string, unknown>, source: string, value: unknown): void {
  const path = parseJsonPath(source);
  if (typeof path === 'string' || path.segments.length === 0) return;
  let node: Record<string | number, unknown> = target;
  path.segments.forEach((segment, i) => {
    if (i === path.segments.length - 1) {
      node[segment] = value;
      return;
    }
    const next = path.segments[i + 1];
    node[segment] ??= typeof next === 'number' ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
}

function defaultPayload(rule: IngestRule, tag: SelftestTag): string {
  if (rule.format === 'number') return String(tag.value);
  if (rule.format === 'influx') return `steward_selftest value=${tag.value}`;
  const body: Record<string, unknown> = {};
  for (const path of Object.values(rule.fields ?? {})) setPath(body, path, tag.value);
  if (rule.timestamp) setPath(body, rule.timestamp, tag.nowMs);
  if (rule.sequence) setPath(body, rule.sequence, tag.seq);
  return JSON.stringify(body);
}

function render(template: string, tag: SelftestTag): string {
  return template
    .replaceAll('{value}', String(tag.value))
    .replaceAll('{ts_ms}', String(tag.nowMs))
    .replaceAll('{ts}', String(Math.floor(tag.nowMs / 1000)))
    .replaceAll('{seq}', String(tag.seq));
}

/**
 * The message and the expected sample. The message is routed through the configured rules
 * here first, exactly as the daemon will route it, so a self-test that could never succeed
 * (no rule covers the topic, the payload does not parse) fails at once with the reason.
 */
export function planSelftest(
  rules: readonly IngestRule[],
  settings: SelftestSettings | undefined,
  tag: SelftestTag,
): SelftestPlan {
  if (rules.length === 0) {
    throw new StewardError('E_CONFIG', 'the self-test needs an MQTT ingest rule to cover its topic', {
      hint: 'add one, e.g. { topic: "steward/selftest/+probe", format: number, metric: steward_mqtt_selftest }',
    });
  }
  const topic = settings?.topic ?? fillTopic(defaultRule(rules).topic);
  const rule = rules.find((r) => compileTopic(r.topic).match(topic));
  const hint = 'set mqtt.selftest.topic (covered by an ingest rule) and mqtt.selftest.payload with {value}';
  if (!rule)
    throw new StewardError('E_CONFIG', `no ingest rule covers the self-test topic ${topic}`, { hint });
  const payload = settings?.payload ? render(settings.payload, tag) : defaultPayload(rule, tag);
  const routed = compileRules(rules).route(topic, Buffer.from(payload), new Date(tag.nowMs));
  if (routed.kind !== 'samples') {
    const why = routed.kind === 'malformed' ? routed.reason : 'no rule matches';
    throw new StewardError('E_CONFIG', `the self-test message on ${topic} would not be stored: ${why}`, {
      hint,
    });
  }
  const sample = routed.samples.find((s: Sample) => s.value === tag.value);
  if (!sample) {
    throw new StewardError('E_CONFIG', `the self-test message on ${topic} yields no sample with its value`, {
      hint,
    });
  }
  return { topic, payload, expect: { name: sample.name, labels: sample.labels, value: tag.value } };
}
