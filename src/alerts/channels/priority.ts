import { z } from 'zod';
import type { PriorityKey } from './format.js';

/**
 * The `priority` field of the push services: a priority per severity (and one for resolved
 * notifications), each defaulted on its own so a config can override just one.
 */
export function priorityMapSchema(
  service: string,
  min: number,
  max: number,
  defaults: Record<PriorityKey, number>,
) {
  const level = (key: PriorityKey, what: string) =>
    z
      .number()
      .int()
      .min(min)
      .max(max)
      .default(defaults[key])
      .meta({ description: `${service} priority (${min}…${max}) for ${what}; default ${defaults[key]}.` });
  return z
    .strictObject({
      critical: level('critical', 'critical alerts'),
      warning: level('warning', 'warnings'),
      info: level('info', 'info alerts'),
      resolved: level('resolved', 'resolved notifications'),
    })
    .prefault({})
    .meta({
      description: `${service} priority by the worst severity among the notification's alerts; resolved notifications use "resolved".`,
    });
}
