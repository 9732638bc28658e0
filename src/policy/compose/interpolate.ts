/**
 * Compose's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}`, `${VAR:+alternate}`, `${VAR+alternate}`, `$$` for a
 * literal `$`, defaults that themselves hold references. An unset variable without a default
 * reads as an empty string, as compose does (it only warns).
 */
export type Env = Readonly<Record<string, string | undefined>>;

const nameStart = /[A-Za-z_]/;
const nameChar = /[A-Za-z0-9_]/;

export function interpolateString(text: string, env: Env): string {
  if (!text.includes('$')) return text;
  return expand(text, 0, text.length, env);
}

function expand(text: string, from: number, to: number, env: Env): string {
  let out = '';
  let i = from;
  while (i < to) {
    const ch = text[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 2, to);
      if (close === -1) {
        out += text.slice(i, to);
        break;
      }
      out += braced(text, i + 2, close, env);
      i = close + 1;
      continue;
    }
    if (next !== undefined && nameStart.test(next)) {
      let j = i + 1;
      while (j < to && nameChar.test(text[j] ?? '')) j++;
      out += env[text.slice(i + 1, j)] ?? '';
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function matchingBrace(text: string, from: number, to: number): number {
  let depth = 1;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === '{' && text[i - 1] === '$') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function braced(text: string, from: number, to: number, env: Env): string {
  let j = from;
  while (j < to && nameChar.test(text[j] ?? '')) j++;
  const name = text.slice(from, j);
  const value = env[name];
  if (j >= to) return value ?? '';
  const colon = text[j] === ':';
  const op = text[colon ? j + 1 : j];
  const argStart = colon ? j + 2 : j + 1;
  const missing = colon ? value === undefined || value === '' : value === undefined;
  switch (op) {
    case '-':
      return missing ? expand(text, argStart, to, env) : (value ?? '');
    case '+':
      return missing ? '' : expand(text, argStart, to, env);
    case '?':
      return value ?? '';
    default:
      return value ?? '';
  }
}
