/**
 * libpq connection parameters without secrets on the command line: the password of a
 * `postgres://user:password@host/db` URL (or its `?password=` parameter) moves into
 * PGPASSWORD, which only the same user can read (/proc/<pid>/environ), and the URL that
 * stays on the command line — visible to everyone in `ps` — has none.
 */
export interface PgConnection {
  /** Value for `--dbname=`; undefined leaves it to libpq's environment (PGDATABASE, PGHOST …). */
  dbname?: string;
  env: Record<string, string>;
  /** Strings that must not appear in messages. */
  secrets: string[];
}

const urlPattern = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Splits `url` (a libpq URL; multi-host lists are fine, so no WHATWG URL parsing) into a
 * password-free URL and the password. `database`, when given, replaces the URL's database.
 */
export function pgConnection(url: string | undefined, database?: string): PgConnection {
  if (url === undefined) return { dbname: database, env: {}, secrets: [] };
  const match = urlPattern.exec(url);
  if (!match) return { dbname: url, env: {}, secrets: [url] };
  const [, scheme = '', userinfo, hosts = '', dbPath, query, fragment = ''] = match;
  const secrets: string[] = [];
  let password: string | undefined;
  let user = userinfo;
  if (userinfo?.includes(':')) {
    const colon = userinfo.indexOf(':');
    user = userinfo.slice(0, colon);
    const raw = userinfo.slice(colon + 1);
    password = decode(raw);
    secrets.push(raw);
  }
  const params = (query ?? '').replace(/^\?/, '').split('&').filter(Boolean);
  const kept = params.filter((param) => {
    if (!param.startsWith('password=')) return true;
    const raw = param.slice('password='.length);
    password = decode(raw.replaceAll('+', ' '));
    secrets.push(raw);
    return false;
  });
  if (password !== undefined && password !== '') secrets.push(password, encodeURIComponent(password));
  const path = database === undefined ? (dbPath ?? '') : `/${encodeURIComponent(database)}`;
  const rebuilt = `${scheme}${user ? `${user}@` : ''}${hosts}${path}${kept.length ? `?${kept.join('&')}` : ''}${fragment}`;
  return {
    dbname: rebuilt,
    env: password ? { PGPASSWORD: password } : {},
    secrets: secrets.filter((s) => s !== ''),
  };
}

/** Removes known secrets and anything shaped like a URL password or `password=` from tool output. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    out = out.replaceAll(secret, '[redacted]');
  return out
    .replace(/(postgres(?:ql)?:\/\/[^:@/\s]*:)[^@\s]*@/g, '$1[redacted]@')
    .replace(/(password=)[^\s&'"]+/gi, '$1[redacted]');
}
