import { type Command, Option } from 'commander';
import { metricAggs } from '../store/index.js';
import { withContext } from './context.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';

/** Loaded on use: other commands do not need the metrics code. */
const monitor = async () => ({
  ...(await import('../monitor/metrics.js')),
  ...(await import('../monitor/query-params.js')),
});

interface QueryOptions {
  since: string;
  until?: string;
  step: string;
  agg: (typeof metricAggs)[number];
  labels?: string;
  json?: boolean;
}

export function registerMetricsCommands(program: Command, env: CliEnv): void {
  const metrics = program.command('metrics').description('The embedded metrics store');
  command(metrics, 'query <name>', 'Samples of one metric bucketed by step, per series', [
    'steward metrics query steward_host_cpu_usage_ratio --since 6h --step 5m',
    'steward metrics query boiler_temp --labels site=north --agg max --json',
  ])
    .option('--since <when>', 'start: a duration ago (6h), ISO 8601 or ms', '1h')
    .option('--until <when>', 'end: a duration ago, ISO 8601 or ms (default now)')
    .option('--step <duration>', 'bucket width', '1m')
    .addOption(new Option('--agg <agg>', 'how a bucket is summarised').choices(metricAggs).default('avg'))
    .option('--labels <pairs>', 'only series with these labels, e.g. site=north,zone=a')
    .addOption(jsonOption())
    .action(async (name: string, opts: QueryOptions) => {
      const m = await monitor();
      const result = await withContext(env.globals(), (ctx) => {
        const now = ctx.clock.now().getTime();
        return m.queryMetrics(ctx, {
          name,
          match: m.parseLabelMatch(opts.labels),
          from: m.parseInstant(opts.since, now, now - 3_600_000, '--since'),
          to: m.parseInstant(opts.until, now, now, '--until'),
          step: m.parseStep(opts.step),
          agg: opts.agg,
        });
      });
      if (opts.json) return env.printer.json(result);
      if (result.series.length === 0) return env.printer.line(`no series named ${name} in that range`);
      for (const series of result.series) {
        const labels = Object.entries(series.labels).map(([k, v]) => `${k}=${v}`);
        env.printer.line(
          `${series.name}{${labels.join(',')}} — ${result.agg} per ${opts.step} (${result.source})`,
        );
        env.printer.table(
          series.points.map(([t, v]) => ({ time: localTime(new Date(t).toISOString()), value: String(v) })),
          ['time', 'value'],
        );
        env.printer.line();
      }
    });
}
