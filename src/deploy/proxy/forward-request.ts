import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { errorMessage } from '../../core/errors.js';
import type { ProxyContext } from './context.js';
import { clientResponseHeaders, hasBody, upstreamRequestHeaders } from './headers.js';
import type { Upstream } from './upstream.js';

/**
 * Errors meaning the upstream closed an idle pooled socket just as we reused it: the request never
 * reached the application, so one retry on a fresh socket is safe when there is no body to resend.
 */
const staleSocketCodes = new Set(['ECONNRESET', 'EPIPE']);

/** A short text answer; when headers already went out, the client connection is dropped instead. */
export function sendPlain(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Forwards one request to `upstream` and streams the answer back; counts it in-flight until done. */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  ctx: ProxyContext,
): void {
  ctx.counters.requests++;
  const { host, port } = upstream.target;
  const headers = upstreamRequestHeaders(req, false);
  const withBody = hasBody(req);
  let current: http.ClientRequest | undefined;
  let responded = false;
  let retried = false;
  // Set once the outcome is decided (failed, or the client left): later events change nothing.
  let settled = false;
  const release = upstream.track({ abort: () => fail(504, 'gateway timeout: upstream drain timed out\n') });

  function fail(status: number, text: string, err?: unknown): void {
    if (settled) return;
    settled = true;
    ctx.counters.failed++;
    release();
    ctx.logger?.warn(
      {
        upstream: `${host}:${port}`,
        method: req.method,
        url: req.url,
        status,
        ...(err === undefined ? {} : { err: errorMessage(err) }),
      },
      'proxy: request failed',
    );
    current?.destroy();
    req.unpipe();
    // Read the rest of the client's body so its keep-alive connection can carry the next request.
    req.resume();
    sendPlain(res, status, text);
  }

  function relay(upstreamRes: IncomingMessage): void {
    responded = true;
    upstreamRes.on('error', (err) => fail(502, 'bad gateway\n', err));
    upstreamRes.on('close', () => {
      if (!upstreamRes.complete) fail(502, 'bad gateway: upstream response cut short\n');
    });
    if (settled) {
      upstreamRes.destroy();
      return;
    }
    res.writeHead(
      upstreamRes.statusCode ?? 502,
      upstreamRes.statusMessage,
      clientResponseHeaders(upstreamRes),
    );
    upstreamRes.pipe(res);
  }

  function send(): void {
    const proxyReq = http.request({
      host,
      port,
      method: req.method,
      path: req.url,
      headers,
      agent: upstream.agent,
    });
    current = proxyReq;
    proxyReq.on('error', (err: NodeJS.ErrnoException) => {
      if (settled || proxyReq !== current) return;
      const stale = proxyReq.reusedSocket && staleSocketCodes.has(err.code ?? '');
      if (stale && !retried && !withBody && !responded) {
        retried = true;
        send();
        return;
      }
      fail(502, 'bad gateway: upstream unreachable\n', err);
    });
    proxyReq.on('response', relay);
    if (withBody) req.pipe(proxyReq);
    else proxyReq.end();
  }

  req.on('error', () => {
    // The client went away mid-upload; res 'close' below does the cleanup.
  });
  res.on('error', () => {
    // Same: a write to a client that left. 'close' follows.
  });
  res.on('close', () => {
    if (!res.writableFinished && !settled) {
      // The client left before the answer was complete: stop the upstream side too.
      settled = true;
      current?.destroy();
    }
    release();
  });
  send();
}
