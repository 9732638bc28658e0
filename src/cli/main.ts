#!/usr/bin/env node
import { CommanderError } from 'commander';
import { type ConfigIssue, formatIssue } from '../config/issues.js';
import { errorMessage, isStewardError } from '../core/errors.js';
import { registerAlertsCommands } from './alerts-commands.js';
import { registerAuditCommands } from './audit-commands.js';
import { registerBackupCommands } from './backup-commands.js';
import { registerChecksCommands } from './checks-commands.js';
import { registerConfigCommands } from './config-commands.js';
import type { GlobalOptions } from './context.js';
import { registerDaemonCommand } from './daemon-command.js';
import { registerDbCommands } from './db-commands.js';
import { SilentExit } from './exit.js';
import { registerJobsCommands } from './jobs-commands.js';
import { registerMetricsCommands } from './metrics-commands.js';
import { createPrinter } from './output.js';
import { createProgram } from './program.js';
import { registerStatusCommands } from './status-commands.js';
import { registerTokenCommands } from './token-commands.js';

async function main(argv: string[]): Promise<number> {
  const printer = createPrinter();
  const program = createProgram();
  const env = { printer, globals: () => program.opts<GlobalOptions>() };
  program.exitOverride();
  registerConfigCommands(program, env);
  registerDaemonCommand(program, env);
  registerStatusCommands(program, env);
  registerTokenCommands(program, env);
  registerAuditCommands(program, env);
  registerDbCommands(program, env);
  registerJobsCommands(program, env);
  registerBackupCommands(program, env);
  registerChecksCommands(program, env);
  registerAlertsCommands(program, env);
  registerMetricsCommands(program, env);

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
