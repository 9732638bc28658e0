/** The flags every benchmark takes: numeric options, --quick, --no-save, --keep, --out DIR, --help. */
import path from 'node:path';

export interface CommonFlags {
  quick: boolean;
  save: boolean;
  keep: boolean;
  out: string | null;
}

export interface BenchArgSpec<N> {
  /** A flag other than the key in kebab case (`windowS` is `--window-s` unless named here). */
  flagNames?: Partial<Record<keyof N & string, string>>;
  /** Keys that may be 0 (all others must be positive). */
  zeroOk?: readonly (keyof N & string)[];
}

export function parseBenchArgs<N extends Record<string, number>>(
  argv: string[],
  defaults: N,
  quickValues: Partial<N>,
  usage: string,
  spec: BenchArgSpec<N> = {},
): N & CommonFlags {
  const values: Record<string, number> = { ...defaults };
  const given = new Set<string>();
  const flags: CommonFlags = { quick: false, save: true, keep: false, out: null };
  let noSave = false;
  const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const names: Partial<Record<string, string>> = spec.flagNames ?? {};
  const zeroOk = new Set<string>(spec.zeroOk ?? []);
  const byFlag = new Map(Object.keys(defaults).map((k) => [names[k] ?? flagName(k), k]));
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split('=', 2) as [string, string | undefined];
    const key = byFlag.get(flag);
    if (key) {
      const text = inline ?? argv[++i];
      const n = Number(text);
      const min = zeroOk.has(key) ? 0 : 1;
      if (!Number.isInteger(n) || n < min)
        throw new Error(`${flag} needs a ${min ? 'positive' : 'non-negative'} integer, got ${text}`);
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
