// JSON sample submissions → IngestSample, validated per item with zod so one bad item
// doesn't reject the batch.
import { type ZodError, z } from 'zod';
import {
  isReservedLabelName,
  isValidLabelName,
  isValidMetricName,
  MAX_TIMESTAMP_MS,
  quote,
} from './names.js';
import type { IngestError, IngestResult, IngestSample } from './types.js';

export const MAX_JSON_ITEMS = 100_000;

const nameSchema = z
  .string()
  .refine(isValidMetricName, { error: 'invalid metric name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)' });

// Keys are checked on the raw input: z.record silently drops a `__proto__` key, which must be an error.
const labelsSchema = z
  .unknown()
  .superRefine((raw, ctx) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
    for (const key of Object.keys(raw)) {
      if (!isValidLabelName(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `invalid label name ${quote(key)} (must match [a-zA-Z_][a-zA-Z0-9_]*)`,
        });
      } else if (isReservedLabelName(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `reserved label name ${quote(key)} (starts with "__")`,
        });
      }
    }
  })
  .pipe(z.record(z.string(), z.string()));

// z.number() already rejects NaN and ±Infinity in zod v4.
const valueSchema = z
  .union([z.number(), z.boolean()], { error: 'value must be a finite number or a boolean' })
  .transform((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));

const isoSchema = z.iso.datetime({ offset: true });

const tsSchema = z
  .union([z.number(), z.string()], { error: 'ts must be a number (ms since epoch) or an ISO 8601 string' })
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : isoSchema.safeParse(v).success ? Date.parse(v) : Number.NaN;
    if (typeof v === 'string' && Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `invalid ISO 8601 timestamp ${quote(v)}` });
      return z.NEVER;
    }
    if (!Number.isInteger(ms) || Math.abs(ms) > MAX_TIMESTAMP_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `ts must be an integer number of ms within Date range, got ${v}`,
      });
      return z.NEVER;
    }
    return ms;
  });

// Unknown keys are stripped rather than rejected so clients may send extra metadata.
const itemSchema = z.object({
  name: nameSchema,
  labels: labelsSchema.optional(),
  value: valueSchema,
  ts: tsSchema.optional(),
});

function describeIssues(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** The sample list from `{ samples: [...] }` or a bare array; undefined for any other shape. */
function itemsOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null && 'samples' in body && Array.isArray(body.samples)) {
    return body.samples;
  }
  return undefined;
}

/**
 * The common well-formed item, checked by hand: 10,000 items per request make zod's cost per
 * item the largest part of ingest. Anything unusual (booleans, ISO timestamps, a bad name)
 * returns undefined and goes through the schema, which also words the errors.
 */
function fastItem(
  item: unknown,
  knownNames: Set<string>,
  knownLabels: Set<string>,
): IngestSample | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const { name, labels, value, ts } = item as Record<string, unknown>;
  if (typeof name !== 'string' || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (
    ts !== undefined &&
    !(typeof ts === 'number' && Number.isInteger(ts) && Math.abs(ts) <= MAX_TIMESTAMP_MS)
  ) {
    return undefined;
  }
  if (!knownNames.has(name)) {
    if (!isValidMetricName(name)) return undefined;
    knownNames.add(name);
  }
  let copy: Record<string, string> = {};
  if (labels !== undefined) {
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return undefined;
    // Own enumerable keys only, as zod reads them; `__proto__` fails the name check below.
    for (const key of Object.keys(labels)) {
      const v = (labels as Record<string, unknown>)[key];
      if (typeof v !== 'string') return undefined;
      if (!knownLabels.has(key)) {
        if (!isValidLabelName(key) || isReservedLabelName(key)) return undefined;
        knownLabels.add(key);
      }
    }
    copy = { ...(labels as Record<string, string>) };
  }
  const sample: IngestSample = { name, labels: copy, value };
  if (ts !== undefined) sample.ts = ts as number;
  return sample;
}

/**
 * Validates a parsed JSON body. Never throws: each bad item becomes an IngestError with its
 * 0-based index, and valid items are kept. Names are checked, not sanitized.
 */
export function parseJsonSamples(body: unknown): IngestResult {
  const samples: IngestSample[] = [];
  const errors: IngestError[] = [];
  let items: unknown[] | undefined;
  try {
    items = itemsOf(body);
  } catch {
    items = undefined;
  }
  if (items === undefined) {
    errors.push({ at: 0, message: 'body must be an array of samples or an object with a "samples" array' });
    return { samples, errors };
  }

  const count = Math.min(items.length, MAX_JSON_ITEMS);
  const knownNames = new Set<string>();
  const knownLabels = new Set<string>();
  for (let i = 0; i < count; i++) {
    try {
      const fast = fastItem(items[i], knownNames, knownLabels);
      if (fast) {
        samples.push(fast);
        continue;
      }
      const parsed = itemSchema.safeParse(items[i]);
      if (!parsed.success) {
        errors.push({ at: i, message: `item ${i}: ${describeIssues(parsed.error)}` });
        continue;
      }
      const { name, labels, value, ts } = parsed.data;
      const sample: IngestSample = { name, labels: labels ?? {}, value };
      if (ts !== undefined) sample.ts = ts;
      samples.push(sample);
    } catch (err) {
      // Only reachable with exotic inputs (e.g. throwing getters); still a per-item error.
      errors.push({ at: i, message: `item ${i}: could not be read: ${String(err)}` });
    }
  }
  if (items.length > MAX_JSON_ITEMS) {
    errors.push({
      at: MAX_JSON_ITEMS,
      message: `item ${MAX_JSON_ITEMS}: too many items (limit ${MAX_JSON_ITEMS}); ${items.length - MAX_JSON_ITEMS} items ignored`,
    });
  }
  return { samples, errors };
}
