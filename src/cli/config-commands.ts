import fs from 'node:fs';
import type { Command } from 'commander';
import { initConfig } from '../config/init.js';
import { configJsonSchema } from '../config/json-schema.js';
import { checkConfig, configError } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { locate, parseYaml } from '../config/yaml-source.js';
import { SilentExit } from './exit.js';
import { type CliEnv, command, jsonOption } from './program.js';

/** Valid but worth a look: critical services no alert rule covers (seed 003). */
async function configWarnings(config: ResolvedConfig) {
  const { uncoveredCriticalServices } = await import('../alerts/coverage.js');
  const src = parseYaml(config.source.file, fs.readFileSync(config.source.file, 'utf8'));
  return uncoveredCriticalServices(config).map((gap) => ({
    file: config.source.file,
    ...locate(src, ['services', gap.service], 'key'),
    path: `services.${gap.service}`,
    message: gap.message,
    hint: gap.hint,
  }));
}

export function registerConfigCommands(program: Command, env: CliEnv): void {
  command(
    program,
    'init [dir]',
    'Write a commented starter steward.yaml, listing compose services found in dir',
    ['steward init', 'steward init /srv/stack --force'],
  )
    .option('--force', 'overwrite an existing steward.yaml')
    .addOption(jsonOption())
    .action((dir: string | undefined, opts: { force?: boolean; json?: boolean }) => {
      const result = initConfig({ dir: dir ?? '.', force: opts.force ?? false });
      if (opts.json) return env.printer.json(result);
      env.printer.line(`wrote ${result.file}`);
      if (result.services.length) {
        env.printer.line(`services from ${result.composeFiles.join(', ')}: ${result.services.join(', ')}`);
      }
      for (const s of result.skipped) env.printer.error(`skipped compose service ${s.name}: ${s.reason}`);
      env.printer.line('next: steward validate, then steward daemon');
    });

  command(
    program,
    'validate',
    'Check steward.yaml and report every problem at once (exit 0 valid, 2 invalid)',
    ['steward validate -c /etc/steward/steward.yaml', 'steward validate --json'],
  )
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const result = checkConfig({ file: env.globals().config });
      const warnings = result.ok ? await configWarnings(result.config) : [];
      if (opts.json) {
        env.printer.json(
          result.ok
            ? { valid: true, file: result.config.source.file, issues: [], warnings }
            : { valid: false, file: result.file, issues: result.issues, warnings },
        );
        if (!result.ok) throw new SilentExit(2);
        return;
      }
      if (result.ok) {
        for (const w of warnings) {
          env.printer.error(
            `${w.file}:${w.line}:${w.column} ${w.path}: warning: ${w.message}\n    hint: ${w.hint}`,
          );
        }
        env.printer.line(
          `${result.config.source.file} is valid${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}`,
        );
        return;
      }
      throw configError(result.file, result.issues);
    });

  command(program, 'schema', "Print the JSON Schema of steward.yaml (for editors' YAML language servers)", [
    'steward schema > steward.schema.json',
  ]).action(() => env.printer.json(configJsonSchema()));
}
