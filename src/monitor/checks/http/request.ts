import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { type PeerCertificate, TLSSocket } from 'node:tls';

/** Enough body for body_contains/body_matches on a health endpoint; the rest is never read. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface RequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  rejectUnauthorized: boolean;
  ca?: string[];
  signal: AbortSignal;
}

export interface Response {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The first MAX_BODY_BYTES of the body, as UTF-8. */
  body: string;
  /** The peer certificate for https, read while the socket was still open. */
  cert?: PeerCertificate;
}

/**
 * One HTTP request, without redirects. A fresh socket every time (`agent: false`), closed when
 * the response is read: a health check must not keep connections the target counts as clients.
 * Rejects on any failure; on abort it rejects at once and destroys the socket.
 */
export function request(url: URL, opts: RequestOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const { signal } = opts;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: opts.method,
      headers: opts.headers,
      agent: false,
      signal,
      rejectUnauthorized: opts.rejectUnauthorized,
      ca: opts.ca,
    });
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      outcome();
    };
    const fail = (err: unknown) => finish(() => reject(err));
    // Node's own signal handling also destroys the request; this makes the rejection immediate
    // even while the body is streaming.
    const onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    req.on('error', fail);
    req.once('response', (res) => {
      const cert = res.socket instanceof TLSSocket ? res.socket.getPeerCertificate() : undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish(() =>
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            cert,
          }),
        );
      res.on('data', (chunk: Buffer) => {
        const room = MAX_BODY_BYTES - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        // Stop here: an endless or huge body must not be buffered; `finish` drops the socket.
        if (size >= MAX_BODY_BYTES) done();
      });
      res.once('end', done);
      res.on('error', fail);
      // A response cut off mid-body ends with 'close' and no 'end'.
      res.once('close', () => {
        if (!res.complete) fail(new Error('connection closed mid-response'));
      });
    });
    req.end(opts.body);
  });
}
