import { describe, expect, it } from 'vitest';
import { Conditions } from './conditions.js';
import { RuleEvaluator } from './evaluator.js';
import { compileRule } from './rules/compile.js';

describe('rule evaluator', () => {
  it('carries a check’s own labels onto its alert, under the rule’s labels', () => {
    const fired: Record<string, string>[] = [];
    const evaluator = new RuleEvaluator(
      new Conditions({ fire: (_fp, u) => fired.push(u.labels), resolve: () => {} }),
    );
    const rule = compileRule('web-down', {
      check: 'web',
      state: 'down',
      severity: 'critical',
      extra_labels: { team: 'ops' },
    });
    evaluator.setRules([rule], []);
    evaluator.onCheckState({
      check: 'web',
      type: 'http',
      service: 'core',
      state: 'down',
      reason: 'HTTP 503',
      labels: { site: 'north', team: 'web', severity: 'info' },
    });
    expect(fired).toEqual([
      {
        site: 'north',
        team: 'ops',
        alertname: 'web-down',
        severity: 'critical',
        check: 'web',
        service: 'core',
      },
    ]);
  });

  it('fires event rules on the event and resolves them on the same job’s success only', () => {
    const log: string[] = [];
    const evaluator = new RuleEvaluator(
      new Conditions({
        fire: (_fp, u) => log.push(`fire ${u.labels.job}`),
        resolve: (_fp, u) => log.push(`resolve ${u.labels.job}`),
      }),
    );
    evaluator.setRules(
      [compileRule('backup-failed', { event: 'backup.failed', severity: 'critical', extra_labels: {} })],
      [],
    );
    evaluator.onEvent('backup.failed', 'core', 'disk full');
    evaluator.onEvent('backup.completed', 'media', 'completed');
    evaluator.onEvent('backup.completed', 'core', 'completed');
    expect(log).toEqual(['fire core', 'resolve core']);
  });
});
