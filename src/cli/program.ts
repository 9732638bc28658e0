import { Command, Option } from 'commander';
import type { GlobalOptions } from './context.js';
import type { Printer } from './output.js';

/** What every command group needs to register itself. */
export interface CliEnv {
  printer: Printer;
  globals(): GlobalOptions;
}

/** A subcommand with the help example every command carries. */
export function command(parent: Command, spec: string, description: string, examples: string[]): Command {
  return parent
    .command(spec)
    .description(description)
    .addHelpText(
      'after',
      `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`,
    );
}

export const jsonOption = () => new Option('--json', 'print one JSON document on stdout and nothing else');

export function createProgram(): Command {
  return new Command('steward')
    .description('Local-first operations steward for self-hosted systems.')
    .option('-c, --config <file>', 'config file (default: $STEWARD_CONFIG, then ./steward.yaml)')
    .option('--debug', 'show stack traces and debug logs')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExample:\n  $ steward init && steward validate && steward daemon\n');
}
