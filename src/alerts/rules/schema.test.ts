import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../../config/load.js';

function problems(rules: string): string[] {
  const result = checkConfigText(`version: 1\nalerts:\n  rules:\n${rules}`, {
    file: '/tmp/steward.yaml',
    env: {},
  });
  if (result.ok) return [];
  return result.issues.map(
    (i) => `${i.line}:${i.column} ${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`,
  );
}

describe('alert rule config errors', () => {
  it('reports the typo of a metric or event rule, not the unknown keys of another form', () => {
    expect(problems('    disk: { metric: m, op: "<<", value: 0.1 }\n')).toEqual([
      expect.stringMatching(/^4:\d+ alerts\.rules\.disk\.op: expected one of .* \(did you mean "<"\?\)$/),
    ]);
    expect(problems('    late: { event: backup.stale, job: core }\n')).toEqual([
      expect.stringMatching(
        /^4:\d+ alerts\.rules\.late\.event: expected one of .*did you mean "backup\.failed"/,
      ),
    ]);
  });

  it('says what a check rule lacks', () => {
    expect(problems('    down: { state: down }\n')).toEqual([
      expect.stringContaining('alerts.rules.down: a check rule needs check, service or critical'),
    ]);
  });

  it('accepts the three forms', () => {
    expect(
      problems(
        '    a: { check: "web-*", state: down }\n    b: { metric: m, op: ">", value: 1, for: 5m }\n    c: { event: drill.failed, job: core }\n',
      ),
    ).toEqual([]);
  });
});
