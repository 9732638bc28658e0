import { assertLineSafe, quoteExecArg, unitValueError } from './escape.js';

export interface ExecStartLine {
  /** The ExecStart= value. */
  value: string;
  /** True when the command runs under /bin/sh -c (so the notifying process may be a child). */
  viaShell: boolean;
  /** The argv systemd will execute (after its own unquoting and `$$` → `$`). */
  argv: string[];
}

/** A word systemd can take verbatim: no quoting, no variables, no shell meaning. */
const SIMPLE_WORD_RE = /^[A-Za-z0-9_%+=:,./-]+$/;

/**
 * Only an absolute path is run directly. A bare name could be a shell builtin or keyword (`exec`,
 * `cd`, `.`), `A=1` is an assignment, and `./bin/app` is something systemd refuses; all of those
 * get the shell. An absolute path also cannot begin with one of ExecStart's prefixes (`@ - : + !`).
 */
function directExecutable(word: string): boolean {
  return word.startsWith('/') && !word.includes('=');
}

/**
 * The ExecStart= value for a command line. A command of plain words is executed directly, so the
 * service is the main process; anything else (quotes, variables, pipes, redirections, `&&`, a
 * command found through PATH) runs under `/bin/sh -c`, which gives it the meaning it has in a terminal.
 */
export function renderExecStart(command: string): ExecStartLine {
  assertLineSafe('execStart', command);
  const trimmed = command.trim();
  if (trimmed === '') throw unitValueError('execStart', command, 'is empty');
  const words = trimmed.split(/[ \t]+/);
  const first = words[0] ?? '';
  if (words.every((w) => SIMPLE_WORD_RE.test(w)) && directExecutable(first)) {
    return { value: words.map(quoteExecArg).join(' '), viaShell: false, argv: words };
  }
  const argv = ['/bin/sh', '-c', trimmed];
  return { value: argv.map(quoteExecArg).join(' '), viaShell: true, argv };
}
