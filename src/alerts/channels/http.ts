import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { ChannelError } from './types.js';

/**
 * The one HTTP client of the channels: node:http/https, a fresh connection per delivery
 * (closed afterwards, so an aborted delivery leaves no pooled socket behind), the engine's
 * abort signal, a capped response, and errors mapped to {@link ChannelError} with every
 * secret of the channel config scrubbed from the message.
 */

/** Responses are read up to this many bytes; the rest is dropped (a channel only needs the start). */
export const RESPONSE_CAP = 1024 * 1024;

const REDACTED = '[redacted]';

/** Replaces every secret (and its URL-encoded form) in `text` with "[redacted]". */
export function scrub(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(encodeURI(s));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(REDACTED);
  return out;
}

/** A ChannelError whose message has the secrets scrubbed. */
export function channelError(message: string, retryable: boolean, secrets: readonly string[]): ChannelError {
  return new ChannelError(scrub(message, secrets), retryable);
}

/** 408, 429 and 5xx are worth retrying; every other non-2xx answer is not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The secrets a URL carries: the password of its user info (`https://user:pw@host/`). */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return u.password ? [u.password, decodeURIComponent(u.password)] : [];
  } catch {
    return [];
  }
}

/** The error for a non-2xx answer: "<what>: HTTP 503 from host:port: <start of the body>". */
export function statusError(
  what: string,
  res: HttpResponse,
  secrets: readonly string[],
  detail: string = res.body,
): ChannelError {
  const excerpt = detail.replace(/\s+/g, ' ').trim().slice(0, 300);
  const message = `${what}: HTTP ${res.status} from ${res.host}${excerpt ? `: ${excerpt}` : ''}`;
  return channelError(message, isRetryableStatus(res.status), secrets);
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
  /** Scrubbed from every error message. */
  secrets: readonly string[];
  /** Names the delivery in error messages, e.g. "slack". */
  what: string;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8, at most {@link RESPONSE_CAP} bytes of it. */
  body: string;
  /** host:port of the peer, safe to show. */
  host: string;
}

function abortMessage(what: string, signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return `${what}: delivery aborted (${why})`;
}

/** Sends one request and reads the (capped) answer, whatever its status. Throws ChannelError for network failures and aborts. */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const { what, secrets, signal } = req;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.reject(channelError(`${what}: invalid URL`, false, secrets));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(channelError(`${what}: unsupported URL scheme ${url.protocol}`, false, secrets));
  }
  if (signal.aborted) return Promise.reject(channelError(abortMessage(what, signal), true, secrets));

  const host = url.host;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string> = { 'user-agent': 'steward', ...req.headers };
  if (body) headers['content-length'] = String(body.length);
  const lib = url.protocol === 'https:' ? https : http;

  return new Promise<HttpResponse>((resolve, reject) => {
    let done = false;
    const finish = (err: ChannelError | null, res?: HttpResponse) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else if (res) resolve(res);
    };
    const onAbort = () => finish(channelError(abortMessage(what, signal), true, secrets));

    const request = lib.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: req.method ?? 'POST',
        headers,
        auth: url.username
          ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
          : undefined,
        // A connection of its own, closed after the answer: nothing lingers in a pool.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const complete = () => {
          const text = Buffer.concat(chunks).toString('utf8');
          finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: text, host });
        };
        res.on('data', (chunk: Buffer) => {
          if (done) return;
          const room = RESPONSE_CAP - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          if (size >= RESPONSE_CAP) {
            complete();
            res.destroy();
          }
        });
        res.on('end', complete);
        res.on('error', (err) =>
          finish(
            channelError(`${what}: reading the answer from ${host} failed: ${err.message}`, true, secrets),
          ),
        );
      },
    );
    request.on('error', (err) =>
      finish(channelError(`${what}: request to ${host} failed: ${err.message}`, true, secrets)),
    );
    signal.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

/** POSTs `body`; resolves on 2xx, else throws the mapped ChannelError. */
export async function postBody(
  url: string,
  body: string | Buffer,
  opts: Omit<HttpRequest, 'url' | 'body' | 'method'>,
): Promise<HttpResponse> {
  const res = await httpRequest({ ...opts, url, method: 'POST', body });
  if (res.status < 200 || res.status > 299) throw statusError(opts.what, res, opts.secrets);
  return res;
}

/** POSTs `payload` as JSON; resolves on 2xx, else throws the mapped ChannelError. */
export function postJson(
  url: string,
  payload: unknown,
  opts: Omit<HttpRequest, 'url' | 'body' | 'method'>,
): Promise<HttpResponse> {
  const headers = { 'content-type': 'application/json', ...opts.headers };
  return postBody(url, JSON.stringify(payload), { ...opts, headers });
}

/** Basic authorization header value. */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The secret part of a webhook URL that is itself the credential (Slack, Discord): its path and query. */
export function urlPathSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const out = [...urlSecrets(url)];
    if (u.pathname.length > 1) out.push(u.pathname);
    const last = u.pathname.split('/').pop() ?? '';
    if (last.length >= 8) out.push(last);
    if (u.search) out.push(u.search.slice(1));
    return out;
  } catch {
    return [];
  }
}

/** `base` (with or without a trailing slash, possibly with a path prefix) joined with `path`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
