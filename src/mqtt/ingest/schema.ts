// The shape of an MQTT ingest rule (as written in config) and of what routing a message yields.
import { z } from 'zod';
import type { IngestSample } from '../../monitor/ingest/index.js';

export const ingestFormats = ['number', 'json', 'influx'] as const;
export type IngestFormat = (typeof ingestFormats)[number];

export const ingestRuleSchema = z.strictObject({
  /** Topic pattern with named wildcards: `sensors/+room/+metric`, `nodes/+node/#rest`. */
  topic: z.string().min(1),
  format: z.enum(ingestFormats),
  /** Metric name template with `{label}` placeholders; `{field}` is the JSON field key / line-protocol name. */
  metric: z.string().min(1).optional(),
  /** json: sample name (`{field}`) → JSON path (`$.t`, `$.a.b`, `$.arr[0]`). */
  fields: z.record(z.string(), z.string()).optional(),
  /** json: path of the sample time, a number (s or ms by magnitude) or an ISO 8601 string. */
  timestamp: z.string().optional(),
  /** json: path of the device's message counter, used to drop QoS 1 redeliveries. */
  sequence: z.string().optional(),
  /** Constant labels added to every sample. */
  labels: z.record(z.string(), z.string()).optional(),
  /** Template over the topic labels naming the publisher for dedup (e.g. `{node}`); default the topic. */
  device: z.string().min(1).optional(),
  /** influx: unit of line-protocol timestamps; default ns as in InfluxDB. */
  precision: z.enum(['ns', 'us', 'ms', 's']).optional(),
});

export type IngestRule = z.input<typeof ingestRuleSchema>;

/** A sample as the metrics ingest parsers produce it, always with a time (arrival when the payload has none). */
export type Sample = Required<IngestSample>;

export type RouteResult =
  | {
      kind: 'samples';
      /** 0-based index of the rule that matched. */
      rule: number;
      samples: Sample[];
      /** The publisher, for sequence tracking: the topic, or the rule's `device` template. */
      device: string;
      sequence: number | null;
    }
  | { kind: 'unmatched' }
  | { kind: 'malformed'; rule: number | null; reason: string };
