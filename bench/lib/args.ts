/** The flags every benchmark takes: numeric options, --quick, --no-save, --keep, --out DIR, --help. */
import path from 'node:path';

export interface CommonFlags {
  quick: boolean;
  save: boolean;
  keep: boolean;
  out: string | null;
}

export function parseBenchArgs<N extends Record<string, number>>(
  argv: string[],
  defaults: N,
  quickValues: Partial<N>,
  usage: string,
): N & CommonFlags {
  const values: Record<string, number> = { ...defaults };
  const given = new Set<string>();
  const flags: CommonFlags = { quick: false, save: true, keep: false, out: null };
  let noSave = false;
  const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const byFlag = new Map(Object.keys(defaults).map((k) => [flagName(k), k]));
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split('=', 2) as [string, string | undefined];
    const key = byFlag.get(flag);
    if (key) {
      const text = inline ?? argv[++i];
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${text}`);
      values[key] = n;
      given.add(key);
    } else if (flag === '--quick') flags.quick = true;
    else if (flag === '--no-save') noSave = true;
    else if (flag === '--keep') flags.keep = true;
    else if (flag === '--out') flags.out = path.resolve(inline ?? argv[++i] ?? '.');
    else if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag} (see --help)`);
  }
  if (flags.quick) {
    for (const [k, v] of Object.entries(quickValues))
      if (!given.has(k) && v !== undefined) values[k] = v as number;
  }
  flags.save = !noSave && (!flags.quick || flags.out !== null);
  return { ...(values as N), ...flags };
}
