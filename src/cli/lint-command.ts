import { type Command, InvalidArgumentError, Option } from 'commander';
import { SilentExit } from './exit.js';
import { type CliEnv, command } from './program.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

export function registerLintCommand(program: Command, env: CliEnv): void {
  command(
    program,
    'lint [files...]',
    'Check compose files against the security policy (policy: in steward.yaml); each FILE is one project, -f files merge',
    [
      'steward lint',
      'steward lint compose.yaml --format sarif > steward.sarif',
      'steward lint -f compose.yaml -f compose.prod.yaml --profile strict',
      'steward lint --fix-dry-run',
    ],
  )
    .option(
      '-f, --file <file>',
      'a compose file of one project; repeat to merge them like docker compose -f',
      collect,
      [],
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'json', 'sarif', 'junit', 'github'])
        .default('text'),
    )
    .option('--json', 'the same as --format json')
    .option(
      '--fix',
      'apply the safe fixes (no-new-privileges, restart policy, log limits, pin to the running tag)',
    )
    .option('--fix-dry-run', 'print the safe fixes as a unified diff; change nothing')
    .option('--max-warnings <n>', 'fail when there are more warnings than this', count)
    .addOption(
      new Option('--profile <profile>', 'policy profile (default: policy.profile)').choices([
        'baseline',
        'strict',
      ]),
    )
    .option(
      '--compose-profile <name>',
      'only services active under this compose profile (repeatable)',
      collect,
      [],
    )
    .action(
      async (
        files: string[],
        opts: {
          file: string[];
          format: 'text' | 'json' | 'sarif' | 'junit' | 'github';
          json?: boolean;
          fix?: boolean;
          fixDryRun?: boolean;
          maxWarnings?: number;
          profile?: 'baseline' | 'strict';
          composeProfile: string[];
        },
      ) => {
        const { runLintCli } = await import('../policy/cli-run.js');
        const code = await runLintCli({
          files,
          merged: opts.file,
          format: opts.json ? 'json' : opts.format,
          fix: opts.fix === true,
          fixDryRun: opts.fixDryRun === true,
          maxWarnings: opts.maxWarnings,
          profile: opts.profile,
          composeProfiles: opts.composeProfile,
          config: env.globals().config,
          colors: env.printer.color,
          write: (text) => process.stdout.write(text),
          note: (text) => env.printer.error(text),
        });
        if (code !== 0) throw new SilentExit(code);
      },
    );
}
