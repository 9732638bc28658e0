#!/usr/bin/env node
import { type Command, CommanderError } from 'commander';
import { type ConfigIssue, formatIssue } from '../config/issues.js';
import { errorMessage, isStewardError } from '../core/errors.js';
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

/**
 * Every command group, loaded only when the command is not `lint`: lint runs on every save
 * and in CI over thousands of files, so it does not pay for the daemon's modules.
 */
async function registerAll(program: Command, env: CliEnv): Promise<void> {
  const [config, daemon, status, token, audit, db, jobs, backup, checks, alerts, metrics, deploy, mqtt] =
    await Promise.all([
      import('./config-commands.js'),
      import('./daemon-command.js'),
      import('./status-commands.js'),
      import('./token-commands.js'),
      import('./audit-commands.js'),
      import('./db-commands.js'),
      import('./jobs-commands.js'),
      import('./backup-commands.js'),
      import('./checks-commands.js'),
      import('./alerts-commands.js'),
      import('./metrics-commands.js'),
      import('./deploy-commands.js'),
      import('./mqtt-commands.js'),
    ]);
  config.registerConfigCommands(program, env);
  daemon.registerDaemonCommand(program, env);
  status.registerStatusCommands(program, env);
  token.registerTokenCommands(program, env);
  audit.registerAuditCommands(program, env);
  db.registerDbCommands(program, env);
  jobs.registerJobsCommands(program, env);
  backup.registerBackupCommands(program, env);
  checks.registerChecksCommands(program, env);
  alerts.registerAlertsCommands(program, env);
  registerLintCommand(program, env);
  metrics.registerMetricsCommands(program, env);
  deploy.registerDeployCommands(program, env);
  deploy.registerExposureCommands(program, env);
  mqtt.registerMqttCommands(program, env);
}

async function main(argv: string[]): Promise<number> {
  const printer = createPrinter();
  const program = createProgram();
  const env = { printer, globals: () => program.opts<GlobalOptions>() };
  program.exitOverride();
  if (commandName(argv.slice(2)) === 'lint') registerLintCommand(program, env);
  else await registerAll(program, env);

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
