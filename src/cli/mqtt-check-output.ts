import type { AclReport } from '../mqtt/check/index.js';
import type { CliEnv } from './program.js';

/** The `steward mqtt check` table: one row per probe, mismatches marked, then a summary. */
export function printAclReport(env: CliEnv, report: AclReport): void {
  const { color } = env.printer;
  env.printer.table(
    report.probes.map((p) => ({
      user: p.user,
      rule: p.rule,
      action: p.action,
      topic: p.topic,
      expected: p.expected,
      observed: p.ok ? p.observed : color.red(p.observed),
      result:
        p.observed === 'unverified'
          ? color.dim('unverified')
          : p.ok
            ? color.green('ok')
            : color.red('MISMATCH'),
    })),
    ['user', 'rule', 'action', 'topic', 'expected', 'observed', 'result'],
  );
  for (const p of report.probes) if (p.note && !p.ok) env.printer.line(`  ${p.user} ${p.topic}: ${p.note}`);
  const anon = report.anonymous;
  env.printer.line(
    `anonymous login: expected ${anon.expected === 'denied' ? 'refused' : 'allowed'}, observed ${anon.observed === 'denied' ? 'refused' : 'allowed'}${anon.ok ? '' : ` ${color.red('MISMATCH')}`}`,
  );
  const { probes, mismatches, unverified } = report.counts;
  const summary = `${probes} probes, ${mismatches} mismatches, ${unverified} unverified (no user may write where the read is tried)`;
  env.printer.line(report.ok ? color.green(`ok: ${summary}`) : color.red(`FAILED: ${summary}`));
}
