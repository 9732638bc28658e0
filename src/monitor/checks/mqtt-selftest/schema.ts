import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';

export function mqttSelftestCheckSchema(ctx: FieldContext) {
  const common = commonCheckFields(ctx);
  return z
    .strictObject({
      type: z.literal('mqtt-selftest').meta({
        description:
          'Publishes a tagged message on a topic an ingest rule covers (mqtt.selftest) and waits for its sample in the store.',
      }),
      ...common,
      interval: common.interval.meta({ description: 'How often the self-test runs; 5m is plenty.' }),
    })
    .meta({
      description:
        'Up when the MQTT pipeline works end to end (broker, ingest, store); latency is the round trip. Needs mqtt.broker and an ingest rule.',
    });
}

export type MqttSelftestCheckConfig = z.output<ReturnType<typeof mqttSelftestCheckSchema>>;
