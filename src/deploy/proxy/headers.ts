import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1): a proxy must not pass
 * them on, since its connection to the upstream is a different one (own keep-alive, own framing).
 */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** Header names listed in `Connection:` are hop-by-hop for this message too. */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    joined
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
}

function endToEnd(headers: IncomingHttpHeaders, keep: ReadonlySet<string>): OutgoingHttpHeaders {
  const dropped = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if ((hopByHop.has(name) || dropped.has(name)) && !keep.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const keepNone: ReadonlySet<string> = new Set();
const keepUpgrade: ReadonlySet<string> = new Set(['upgrade']);

/** True when the request carries a body (length known or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * The headers sent upstream: end-to-end headers of the client's request (Host kept as the client
 * sent it) plus X-Forwarded-*. For an upgrade, Upgrade is kept and Connection says so.
 * X-Forwarded-Proto/Host already present are kept: a TLS terminator in front of us knows better.
 */
export function upstreamRequestHeaders(req: IncomingMessage, upgrade: boolean): OutgoingHttpHeaders {
  const out = endToEnd(req.headers, upgrade ? keepUpgrade : keepNone);
  const client = req.socket.remoteAddress ?? 'unknown';
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  out['x-forwarded-proto'] ??= 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  if (req.headers.host !== undefined) out['x-forwarded-host'] ??= req.headers.host;
  if (upgrade) {
    out.connection = 'Upgrade';
  } else if (req.headers['transfer-encoding'] !== undefined) {
    // A body of unknown length: node frames it again as chunked when told to (it would not for
    // GET/DELETE by default, and would then send the bytes unframed).
    delete out['content-length'];
    out['transfer-encoding'] = 'chunked';
  }
  return out;
}

/** The upstream response's end-to-end headers; node picks the framing towards the client. */
export function clientResponseHeaders(res: IncomingMessage): OutgoingHttpHeaders {
  return endToEnd(res.headers, keepNone);
}

/** The request line and headers of an upgrade request, written by hand onto a raw tunnel socket. */
export function requestHead(req: IncomingMessage, headers: OutgoingHttpHeaders): string {
  // Header values come from node's parser (or from us) and cannot contain CR/LF.
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}
