// One ingest rule as written → the checked, pre-parsed form routing uses. Every mistake a
// person can make in a rule is reported here, once, as E_CONFIG, not per message.
import { StewardError } from '../../core/errors.js';
import {
  isReservedLabelName,
  isValidLabelName,
  isValidMetricName,
  type Precision,
} from '../../monitor/ingest/index.js';
import { type JsonPath, parseJsonPath } from './json-path.js';
import { type IngestFormat, type IngestRule, ingestRuleSchema } from './schema.js';
import { parseTemplate, type Template } from './template.js';
import { type CompiledTopic, compileTopic } from './topic-pattern.js';

export interface CompiledRule {
  index: number;
  topic: CompiledTopic;
  format: IngestFormat;
  /** Absent: the field key (json) or the line-protocol name (influx) is the metric name. */
  metric: Template | undefined;
  fields: { key: string; path: JsonPath }[];
  timestamp: JsonPath | undefined;
  sequence: JsonPath | undefined;
  labels: Readonly<Record<string, string>>;
  device: Template | undefined;
  precision: Precision;
}

/** The placeholder a json field key or a line-protocol sample name fills. */
export const FIELD = 'field';

export function compileRule(raw: IngestRule, index: number): CompiledRule {
  const where = `mqtt ingest rule ${index + 1}${typeof raw?.topic === 'string' ? ` (${raw.topic})` : ''}`;
  const fail = (problem: string, hint?: string): never => {
    throw new StewardError('E_CONFIG', `${where}: ${problem}`, hint === undefined ? {} : { hint });
  };
  const parsed = ingestRuleSchema.safeParse(raw);
  if (!parsed.success) {
    fail(parsed.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; '));
  }
  const rule = (parsed as { data: IngestRule }).data;
  const format = rule.format;

  let topic: CompiledTopic;
  try {
    topic = compileTopic(rule.topic);
  } catch (err) {
    const e = err as StewardError;
    return fail(e.message, e.hint);
  }

  const onlyFor = (key: 'fields' | 'timestamp' | 'sequence' | 'precision', formats: IngestFormat[]) => {
    if (rule[key] !== undefined && !formats.includes(format)) {
      fail(`"${key}" does not apply to format ${format}`, `it applies to format ${formats.join(' or ')}`);
    }
  };
  onlyFor('fields', ['json']);
  onlyFor('timestamp', ['json']);
  onlyFor('sequence', ['json']);
  onlyFor('precision', ['influx']);

  const usesField = format !== 'number';
  if (usesField && topic.labels.includes(FIELD)) {
    fail(
      `the topic binds a label named "${FIELD}", which clashes with the {${FIELD}} placeholder`,
      'rename the wildcard',
    );
  }

  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(rule.labels ?? {})) {
    if (!isValidLabelName(name))
      fail(`label name ${JSON.stringify(name)} is invalid (must match [a-zA-Z_][a-zA-Z0-9_]*)`);
    if (isReservedLabelName(name)) fail(`label name ${JSON.stringify(name)} is reserved (starts with "__")`);
    if (topic.labels.includes(name)) fail(`label ${JSON.stringify(name)} is also bound by the topic`);
    if (value === '') fail(`label ${JSON.stringify(name)} has an empty value`);
    labels[name] = value;
  }

  const template = (source: string, what: string, names: readonly string[]): Template => {
    const t = parseTemplate(source);
    if (typeof t === 'string') return fail(`${what} ${JSON.stringify(source)}: ${t}`);
    for (const name of t.names) {
      if (!names.includes(name)) {
        fail(
          `${what} ${JSON.stringify(source)}: unknown placeholder {${name}}`,
          `available: ${names.length ? names.map((n) => `{${n}}`).join(', ') : 'none'}`,
        );
      }
    }
    return t;
  };

  const placeholders = usesField ? [...topic.labels, FIELD] : topic.labels;
  const metric = rule.metric === undefined ? undefined : template(rule.metric, 'metric', placeholders);
  const device = rule.device === undefined ? undefined : template(rule.device, 'device', topic.labels);

  if (format === 'number' && metric === undefined) {
    fail('format number needs "metric"', 'e.g. metric: "sensor_{metric}" with topic "sensors/+room/+metric"');
  }
  if (format === 'influx' && metric !== undefined && !metric.names.includes(FIELD)) {
    fail(`metric template must contain {${FIELD}} (the line-protocol name) for format influx`);
  }

  const fields: CompiledRule['fields'] = [];
  if (format === 'json') {
    const entries = Object.entries(rule.fields ?? {});
    if (entries.length === 0) fail('format json needs "fields"', 'e.g. fields: { temperature: "$.t" }');
    if (entries.length > 1 && metric !== undefined && !metric.names.includes(FIELD)) {
      fail(`metric template must contain {${FIELD}} when the rule has more than one field`);
    }
    for (const [key, source] of entries) {
      const path = parseJsonPath(source);
      if (typeof path === 'string')
        fail(`field ${JSON.stringify(key)}: path ${JSON.stringify(source)} ${path}`);
      fields.push({ key, path: path as JsonPath });
    }
  }

  // With every topic label standing in as "x", the name must already be valid: a bad field
  // key or literal part is a config error; only odd label values are left to fail per message.
  const keys = format === 'json' ? fields.map((f) => f.key) : ['x'];
  for (const key of keys) {
    const values = Object.fromEntries(topic.labels.map((l) => [l, 'x']));
    const name = metric ? metric.render({ ...values, [FIELD]: key }) : key;
    if (!isValidMetricName(name)) {
      fail(
        `metric name ${JSON.stringify(name)}${format === 'json' ? ` (field ${JSON.stringify(key)})` : ''} is not a valid metric name`,
        'metric names match [a-zA-Z_:][a-zA-Z0-9_:]*',
      );
    }
  }

  const path = (key: 'timestamp' | 'sequence'): JsonPath | undefined => {
    const source = rule[key];
    if (source === undefined) return undefined;
    const p = parseJsonPath(source);
    return typeof p === 'string' ? fail(`${key} path ${JSON.stringify(source)} ${p}`) : p;
  };

  return {
    index,
    topic,
    format,
    metric,
    fields,
    timestamp: path('timestamp'),
    sequence: path('sequence'),
    labels,
    device,
    precision: rule.precision ?? 'ns',
  };
}
