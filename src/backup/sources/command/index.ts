import { createReadStream } from 'node:fs';
import { lstat, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, StewardError } from '../../../core/errors.js';
import { isAbortError, type RunShellResult, runShell } from '../../../core/exec.js';
import type {
  ArchiveEntry,
  DrillCheck,
  DrillContext,
  RestoreContext,
  SourceContext,
  SourceDriver,
  SourceSnapshot,
} from '../../types.js';
import { ScratchFiles } from '../shared/scratch.js';
import { shellQuote, tailLines } from '../shared/text.js';
import { countTree, walkTree } from '../shared/walk.js';
import type { CommandSourceConfig } from './schema.js';

/** Name of the entry holding the command's standard output (output: stdout). */
export const stdoutEntry = 'stdout';

/** `{dir}` goes in already quoted for the shell (bare when the path needs no quoting). */
export function withDir(command: string, dir: string): string {
  return command.replaceAll('{dir}', shellQuote(dir));
}

async function run(
  config: CommandSourceConfig,
  purpose: 'run' | 'restore' | 'check',
  command: string,
  dir: string,
  signal: AbortSignal,
): Promise<RunShellResult> {
  try {
    return await runShell(command, {
      signal,
      timeoutMs: config.timeout,
      env: { STEWARD_SOURCE: config.name, STEWARD_DIR: dir },
    });
  } catch (err) {
    if (isAbortError(err) || !(err instanceof StewardError)) throw err;
    const stderrTail = (err.details as { stderrTail?: string } | undefined)?.stderrTail ?? '';
    const tail = tailLines(stderrTail);
    // runShell's message already ends with the last line; more context only when there is more.
    const more = tail.includes('\n') ? `\n${tail}` : '';
    throw new StewardError('E_EXTERNAL', `command source ${config.name}: ${purpose} ${err.message}${more}`, {
      cause: err,
      details: err.details,
    });
  }
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

async function snapshot(config: CommandSourceConfig, ctx: SourceContext): Promise<SourceSnapshot> {
  const scratch = new ScratchFiles(ctx.scratchDir);
  try {
    const dir = scratch.claim('dir');
    await mkdir(dir, { mode: 0o700 });
    let command = withDir(config.run, dir);
    let stdoutFile: string | undefined;
    if (config.output === 'stdout') {
      stdoutFile = scratch.claim(`${config.name}.out`);
      // A group, not a subshell: `exit 3` in run still ends the script with 3. The newlines keep
      // a trailing comment or `&` in run from swallowing the redirection.
      command = `{\n${command}\n} > ${shellQuote(stdoutFile)}`;
    }
    await run(config, 'run', command, dir, ctx.signal);
    if (stdoutFile !== undefined && (await exists(path.join(dir, stdoutEntry)))) {
      throw new StewardError(
        'E_CONFIG',
        `command source ${config.name}: the command wrote {dir}/${stdoutEntry}, which is where its standard output goes`,
        { hint: 'rename that file, or set output: dir' },
      );
    }
    const captured = stdoutFile;
    async function* entries(): AsyncGenerator<ArchiveEntry> {
      if (captured !== undefined) {
        const st = await stat(captured);
        yield {
          path: stdoutEntry,
          type: 'file',
          mode: 0o600,
          mtime: st.mtime,
          size: st.size,
          uid: st.uid,
          gid: st.gid,
          open: () => createReadStream(captured),
        };
      }
      yield* walkTree(dir, {
        signal: ctx.signal,
        warn: (message, details) => ctx.warn(message, { source: config.name, ...details }),
      });
    }
    return { entries: entries(), meta: { output: config.output }, cleanup: () => scratch.removeAll() };
  } catch (err) {
    await scratch.removeAll();
    throw err;
  }
}

async function restoreInPlace(
  config: CommandSourceConfig,
  extractedDir: string,
  ctx: RestoreContext,
): Promise<void> {
  if (config.restore === undefined) {
    throw new StewardError(
      'E_USAGE',
      `source ${config.name} has no restore command; files are in ${extractedDir}`,
      {
        hint: 'put the data back by hand, or add restore: to the source (it gets {dir})',
      },
    );
  }
  await run(config, 'restore', withDir(config.restore, extractedDir), extractedDir, ctx.signal);
}

async function drillCheck(
  config: CommandSourceConfig,
  extractedDir: string,
  ctx: DrillContext,
): Promise<DrillCheck> {
  try {
    if (config.check !== undefined) {
      const result = await run(
        config,
        'check',
        withDir(config.check, extractedDir),
        extractedDir,
        ctx.signal,
      );
      const said = tailLines(result.stdoutTail, 1, 300);
      return { ok: true, message: `check command succeeded${said ? `: ${said}` : ''}` };
    }
    const stats = await countTree(extractedDir, ctx.signal);
    if (config.output === 'stdout' && !(await exists(path.join(extractedDir, stdoutEntry)))) {
      return { ok: false, message: `${stdoutEntry} is missing from the restored files` };
    }
    return {
      ok: true,
      message: `no check command; ${stats.files} files, ${stats.bytes} bytes restored`,
      details: { ...stats },
    };
  } catch (err) {
    if (isAbortError(err)) throw err;
    return { ok: false, message: errorMessage(err) };
  }
}

export const commandSource: SourceDriver<CommandSourceConfig> = {
  type: 'command',
  snapshot,
  restoreInPlace,
  drillCheck,
};
