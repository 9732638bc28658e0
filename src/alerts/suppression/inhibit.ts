import { z } from 'zod';
import { type Labels, labelName, type Matcher, matchersSchema, matches } from './matchers.js';

/**
 * Inhibition (Alertmanager's inhibit_rules): while an alert matching `source` fires, alerts
 * matching `target` that agree with it on the `equal` labels do not notify — "host down"
 * mutes "disk full on that host".
 */

export const inhibitSchema = z
  .array(
    z
      .strictObject({
        source: matchersSchema.meta({
          description: 'Matchers of the alerts that inhibit (e.g. severity: critical).',
        }),
        target: matchersSchema.meta({
          description: 'Matchers of the alerts they mute (e.g. severity: warning).',
        }),
        equal: z
          .array(labelName)
          .default([])
          .meta({ description: 'Labels whose values must be the same on both alerts (e.g. [host]).' }),
      })
      .meta({ description: 'One inhibition rule.' }),
  )
  .default([])
  .meta({ description: 'While a source alert fires, matching target alerts do not notify.' });

export type InhibitConfig = z.output<typeof inhibitSchema>;

export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

interface HasLabels {
  labels: Labels;
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a).filter((k) => a[k] !== '');
  const other = Object.keys(b).filter((k) => b[k] !== '');
  return keys.length === other.length && keys.every((k) => a[k] === b[k]);
}

/** Whether some rule inhibits `target` given the alerts now firing. */
export function inhibitedBy(
  rules: readonly InhibitRule[],
  target: HasLabels,
  firing: readonly HasLabels[],
): boolean {
  return rules.some((rule) => inhibitingAlert(rule, target, firing) !== undefined);
}

/**
 * The firing alert through which `rule` inhibits `target`, if any. As in Alertmanager, an
 * absent label equals an absent one on the `equal` list, and when the target matches both
 * sides of the rule it can only be inhibited by a source that does not — so an alert never
 * inhibits itself, nor do two alerts of the same kind inhibit each other.
 */
export function inhibitingAlert<A extends HasLabels>(
  rule: InhibitRule,
  target: HasLabels,
  firing: readonly A[],
): A | undefined {
  if (!matches(rule.target, target.labels)) return undefined;
  const twoSided = matches(rule.source, target.labels);
  return firing.find(
    (source) =>
      !sameLabels(source.labels, target.labels) &&
      matches(rule.source, source.labels) &&
      !(twoSided && matches(rule.target, source.labels)) &&
      rule.equal.every((name) => (source.labels[name] ?? '') === (target.labels[name] ?? '')),
  );
}
