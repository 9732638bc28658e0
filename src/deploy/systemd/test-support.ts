/**
 * Test helpers that hand a rendered unit to the real systemd tools. Not used at runtime.
 *
 * What this machine's systemd (252, in a container, not PID 1) does, found by trying:
 * - `systemd-analyze verify --man=no FILE` works without a running manager. It exits non-zero
 *   only for fatal problems (unbalanced quotes, a missing executable); an unknown key or a bad
 *   value is a warning on stderr with exit 0. So a pass is exit 0 AND nothing on stderr. A
 *   User= that does not exist is not checked, so tests may use any name. `--man=no` skips the
 *   Documentation= man-page lookup, which depends on what is installed.
 * - To read a unit back the way systemd parsed it, `systemd --test --system --unit=NAME` loads the
 *   unit (from $SYSTEMD_UNIT_PATH; the trailing ':' keeps the default paths, which the start
 *   transaction needs for sysinit.target) and dumps it, argv included. It refuses to run as root
 *   ("Don't run test mode as root"), so as root it is run as nobody through setpriv, and the
 *   unit's directory must be readable by nobody.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
export const SYSTEMD_BIN = ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'].find((p) => fs.existsSync(p));

export interface VerifyResult {
  ok: boolean;
  exitCode: number | null;
  stderr: string;
}

/** Write `text` as dir/<name> and run the real `systemd-analyze verify` on it. */
export function verifyUnit(dir: string, name: string, text: string): VerifyResult {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o644 });
  const r = spawnSync(SYSTEMD_ANALYZE, ['verify', '--man=no', file], {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_LOG_LEVEL: 'info', SYSTEMD_PAGER: 'cat' },
    timeout: 30_000,
  });
  const stderr = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim();
  return { ok: r.status === 0 && stderr === '', exitCode: r.status, stderr };
}

function findSetpriv(): string | undefined {
  return ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
}

/** Whether dumpUnit can run here. */
export function canDumpUnits(): boolean {
  return SYSTEMD_BIN !== undefined && (process.getuid?.() !== 0 || findSetpriv() !== undefined);
}

export interface UnitDump {
  /** `Key: value` lines of the unit's dump (a key may repeat). */
  props: Map<string, string[]>;
  /** Each ExecStart command's argv, as systemd will exec it. */
  execStart: string[][];
}

/** Unquote a dumped command line (systemd prints it shell-quoted) with the real /bin/sh. */
function shellSplit(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/**
 * The dump shows ExecStart before exec-time variable expansion, where `$$` becomes `$` and
 * `$VAR`/`${VAR}` are replaced from the unit's environment. A variable is left as a visible
 * marker, so a test comparing argv fails if systemd (rather than the shell) would expand it.
 */
function expandLikeSystemd(arg: string): string {
  return arg.replace(/\$(\$|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/g, (m: string, g: string) =>
    g === '$' ? '$' : `<systemd expands ${m}>`,
  );
}

/** Load dir/<name> into a test-mode systemd and return how it parsed it. */
export function dumpUnit(dir: string, name: string, text: string): UnitDump {
  fs.writeFileSync(path.join(dir, name), text, { mode: 0o644 });
  fs.chmodSync(dir, 0o755);
  const systemd = SYSTEMD_BIN ?? 'systemd';
  const args = ['--test', '--system', `--unit=${name}`, '--log-target=console'];
  const [cmd, argv] =
    process.getuid?.() === 0
      ? [findSetpriv() ?? 'setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', systemd, ...args]]
      : [systemd, args];
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, SYSTEMD_UNIT_PATH: `${dir}:` },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  if (r.status !== 0)
    throw new Error(`systemd --test failed (${r.status}): ${r.stderr}${r.stdout.slice(-2000)}`);

  const lines = r.stdout.split('\n');
  const start = lines.indexOf(`\t-> Unit ${name}:`);
  if (start < 0) throw new Error(`systemd --test did not dump ${name}`);
  const props = new Map<string, string[]>();
  const execStart: string[][] = [];
  let section = '';
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('\t\t')) break; // the next unit or job
    const sub = /^\t\t-> (\w+):$/.exec(line);
    if (sub) {
      section = sub[1] ?? '';
      continue;
    }
    const cmdLine = /^\t\t\tCommand Line: (.*)$/.exec(line);
    if (cmdLine && section === 'ExecStart') {
      execStart.push(shellSplit(cmdLine[1] ?? '').map(expandLikeSystemd));
      continue;
    }
    const kv = /^\t\t([^\t:][^:]*): ?(.*)$/.exec(line);
    if (kv?.[1] !== undefined) props.set(kv[1], [...(props.get(kv[1]) ?? []), kv[2] ?? '']);
  }
  return { props, execStart };
}
