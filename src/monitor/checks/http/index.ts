import { caFileError, certFacts, certVerdict, trustedCas } from '../net-shared/cert.js';
import { describeNetError } from '../net-shared/errors.js';
import { timedOut } from '../net-shared/probe.js';
import type { CheckDriver, ProbeResult, ProbeStatus } from '../types.js';
import { type Response, request } from './request.js';
import type { HttpCheckConfig } from './schema.js';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: not sent on to another origin by a redirect. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** host:port of a URL, for messages: never its userinfo, path or query (tokens live there too). */
function origin(url: URL): string {
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

/** Follows redirects like a browser would (303, and 301/302 after POST, become GET). */
async function fetchFollowing(config: HttpCheckConfig, signal: AbortSignal, ca?: string[]) {
  let url = new URL(config.url);
  let method: string = config.method;
  let body = config.body;
  let headers = { ...config.headers };
  for (let hop = 0; ; hop++) {
    const response = await request(url, {
      method,
      headers,
      body,
      rejectUnauthorized: !config.insecure_skip_verify,
      ca,
      signal,
    });
    const location = response.headers.location;
    if (!config.follow_redirects || !REDIRECTS.has(response.statusCode) || !location) {
      return { response, url };
    }
    if (hop === MAX_REDIRECTS) throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new Error(`redirect to an unsupported scheme (${next.protocol})`);
    }
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(
        Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
      );
    }
    if (response.statusCode === 303 || (method === 'POST' && response.statusCode < 307)) {
      method = 'GET';
      body = undefined;
    }
    url = next;
  }
}

/** The status and body expectations; a string is the reason the response is down. */
function judgeResponse(config: HttpCheckConfig, response: Response): string | undefined {
  const { status, body_contains, body_matches } = config.expect;
  const code = response.statusCode;
  const statusOk = status ? status.includes(code) : code >= 200 && code < 300;
  if (!statusOk) return `HTTP ${code} (expected ${status ? status.join(', ') : '2xx'})`;
  if (body_contains !== undefined && !response.body.includes(body_contains)) {
    return `body does not contain ${JSON.stringify(body_contains)}`;
  }
  if (body_matches !== undefined && !new RegExp(body_matches).test(response.body)) {
    return `body does not match /${body_matches}/`;
  }
  return undefined;
}

/**
 * Blanks out anything secret that could reach a message: URL userinfo and header values. Messages
 * are built without them, but Node's error texts are not ours to vouch for.
 */
function redact(text: string, config: HttpCheckConfig): string {
  const url = new URL(config.url);
  const secrets = [url.username, url.password, ...Object.values(config.headers)];
  try {
    secrets.push(decodeURIComponent(url.username), decodeURIComponent(url.password));
  } catch {
    // Malformed %-escapes: Node sends them undecoded, which the raw values above already cover.
  }
  let out = text;
  for (const secret of secrets) {
    // Very short values (a header "1") would shred the message and are no secret worth the cost.
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

export const httpCheck: CheckDriver<HttpCheckConfig> = {
  async probe(config, ctx) {
    const target = origin(new URL(config.url));
    let ca: string[] | undefined;
    try {
      ca = await trustedCas(config.ca_file);
    } catch (err) {
      return { status: 'down', message: caFileError(config.ca_file ?? '', err) };
    }
    if (ctx.signal.aborted) return timedOut(ctx);
    const started = performance.now();
    let result: ProbeResult;
    try {
      const { response, url } = await fetchFollowing(config, ctx.signal, ca);
      const latencyMs = Math.round(performance.now() - started);
      const details: Record<string, number> = { status_code: response.statusCode };
      const facts = url.protocol === 'https:' ? certFacts(response.cert) : undefined;
      if (facts) details.cert_days_left = facts.daysLeft;

      let status: ProbeStatus = 'up';
      const notes: string[] = [];
      const failure = judgeResponse(config, response);
      if (failure) {
        status = 'down';
        notes.push(failure);
      }
      const slowerThan = config.expect.max_latency;
      if (status === 'up' && slowerThan !== undefined && latencyMs > slowerThan) {
        status = 'degraded';
        notes.push(`slower than ${slowerThan} ms`);
      }
      const cert = facts && certVerdict(facts, config.warn_days);
      if (cert?.message) {
        if (cert.status === 'down' || status === 'up') status = cert.status;
        notes.push(cert.message);
      }
      const head = failure ?? `HTTP ${response.statusCode} in ${latencyMs} ms`;
      const message = [head, ...notes.filter((n) => n !== failure)].join('; ');
      result = { status, message, latencyMs, details };
    } catch (err) {
      if (ctx.signal.aborted) return timedOut(ctx);
      result = { status: 'down', message: describeNetError(err, target) };
    }
    return { ...result, message: redact(result.message, config) };
  },
};
