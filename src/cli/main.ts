#!/usr/bin/env node
import { type Command, CommanderError } from 'commander';
import { type ConfigIssue, formatIssue } from '../config/issues.js';
import { errorMessage, isStewardError } from '../core/errors.js';
import { tuneHeap } from '../core/heap-tuning.js';
import type { GlobalOptions } from './context.js';
import { SilentExit } from './exit.js';
import { registerLintCommand } from './lint-command.js';
import { createPrinter } from './output.js';
import { type CliEnv, createProgram } from './program.js';

/** The first word that is not a global option: the command being run. */
function commandName(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '--config') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

type Register = (program: Command, env: CliEnv) => void;

/**
 * Every command group, in `--help` order, with the top-level commands it adds. A run loads only
 * the group of its command (all of them for `--help` or an unknown word): each group pulls in
 * its capability's modules, and `steward backup run` should not carry the deploy and MQTT code.
 */
const GROUPS: { commands: string[]; load: () => Promise<Register[]> }[] = [
  {
    commands: ['init', 'validate', 'schema'],
    load: async () => [(await import('./config-commands.js')).registerConfigCommands],
  },
  { commands: ['daemon'], load: async () => [(await import('./daemon-command.js')).registerDaemonCommand] },
  {
    commands: ['status', 'version'],
    load: async () => [(await import('./status-commands.js')).registerStatusCommands],
  },
  { commands: ['token'], load: async () => [(await import('./token-commands.js')).registerTokenCommands] },
  { commands: ['audit'], load: async () => [(await import('./audit-commands.js')).registerAuditCommands] },
  { commands: ['db'], load: async () => [(await import('./db-commands.js')).registerDbCommands] },
  { commands: ['jobs'], load: async () => [(await import('./jobs-commands.js')).registerJobsCommands] },
  {
    commands: ['keygen', 'backup', 'restore', 'drill'],
    load: async () => [(await import('./backup-commands.js')).registerBackupCommands],
  },
  { commands: ['checks'], load: async () => [(await import('./checks-commands.js')).registerChecksCommands] },
  {
    commands: ['alerts', 'silence'],
    load: async () => [(await import('./alerts-commands.js')).registerAlertsCommands],
  },
  { commands: ['lint'], load: async () => [registerLintCommand] },
  {
    commands: ['metrics'],
    load: async () => [(await import('./metrics-commands.js')).registerMetricsCommands],
  },
  {
    commands: ['deploy', 'rollback', 'logs', 'systemd', 'exposure'],
    load: async () => {
      const deploy = await import('./deploy-commands.js');
      return [deploy.registerDeployCommands, deploy.registerExposureCommands];
    },
  },
  { commands: ['mqtt'], load: async () => [(await import('./mqtt-commands.js')).registerMqttCommands] },
];

/** Registers the group of `command`, or every group when it names none. */
export async function registerCommands(
  program: Command,
  env: CliEnv,
  command: string | undefined,
): Promise<void> {
  const own = GROUPS.find((g) => command !== undefined && g.commands.includes(command));
  const loaded = await Promise.all((own ? [own] : GROUPS).map((g) => g.load()));
  for (const register of loaded.flat()) register(program, env);
}

async function main(argv: string[]): Promise<number> {
  const printer = createPrinter();
  const program = createProgram();
  const env = { printer, globals: () => program.opts<GlobalOptions>() };
  program.exitOverride();
  const command = commandName(argv.slice(2));
  // Only the long-running daemon: short commands gain nothing, and backup/verify ran ~25% more CPU
  // with a pinned young generation (bench:backup, side by side).
  if (command === 'daemon') tuneHeap();
  await registerCommands(program, env, command);

  const wantsJson = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    // The one place errors become messages and exit codes.
    if (err instanceof SilentExit) return err.exitCode;
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return 0;
      }
      return 2; // usage error; commander has printed it
    }
    if (isStewardError(err)) {
      const issues = (err.details as { issues?: ConfigIssue[] } | undefined)?.issues;
      if (wantsJson) {
        printer.json({
          error: {
            code: err.code,
            message: err.message,
            ...(err.hint ? { hint: err.hint } : {}),
            ...(issues ? { issues } : {}),
          },
        });
      }
      for (const issue of issues ?? []) printer.error(formatIssue(issue));
      printer.error(`${printer.color.red('error')} [${err.code}]: ${err.message}`);
      if (err.hint) printer.error(`  hint: ${err.hint}`);
      if (program.opts<GlobalOptions>().debug && err.stack) printer.error(err.stack);
      return err.exitCode;
    }
    if (wantsJson) printer.json({ error: { code: 'E_INTERNAL', message: errorMessage(err) } });
    printer.error(`${printer.color.red('internal error')}: ${errorMessage(err)}`);
    if (program.opts<GlobalOptions>().debug && err instanceof Error && err.stack) printer.error(err.stack);
    else printer.error('  hint: run again with --debug for the stack trace, and report it');
    return 1;
  }
}

// Commander shows help through exitOverride; any nested sub-command (token create) too.
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fatal: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
