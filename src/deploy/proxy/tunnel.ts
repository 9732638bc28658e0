import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../../core/errors.js';
import type { ProxyContext } from './context.js';
import { requestHead, upstreamRequestHeaders } from './headers.js';
import type { Upstream } from './upstream.js';

/** An HTTP answer written straight onto a socket that node's HTTP server no longer manages. */
export function replyRaw(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${reason.toLowerCase()}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Ends a socket once what was written to it is flushed (so the peer gets the last bytes). */
function closeAfterFlush(socket: Duplex): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end();
}

/**
 * Carries an `Upgrade:` request (WebSocket and the like) to the upstream over a raw TCP connection
 * and then pipes bytes both ways. The tunnel counts as in-flight for `upstream` until both ends close.
 */
export function openTunnel(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  upstream: Upstream,
  ctx: ProxyContext,
): void {
  ctx.counters.upgrades++;
  const { host, port } = upstream.target;
  const server = net.connect({ host, port });
  let connected = false;
  let openEnds = 2;
  const release = upstream.track({
    abort: () => {
      server.destroy();
      client.destroy();
    },
  });
  const onEndClosed = (): void => {
    openEnds--;
    if (openEnds === 0) release();
  };

  client.on('error', () => server.destroy());
  server.on('error', (err) => {
    if (connected) {
      client.destroy();
      return;
    }
    ctx.counters.failed++;
    ctx.logger?.warn(
      { upstream: `${host}:${port}`, url: req.url, err: errorMessage(err) },
      'proxy: upgrade failed',
    );
    replyRaw(client, 502, 'Bad Gateway');
  });
  client.on('close', () => {
    if (connected) closeAfterFlush(server);
    else server.destroy();
    onEndClosed();
  });
  server.on('close', () => {
    if (connected) closeAfterFlush(client);
    onEndClosed();
  });
  server.on('connect', () => {
    connected = true;
    server.setNoDelay(true);
    server.write(requestHead(req, upstreamRequestHeaders(req, true)));
    if (head.length > 0) server.write(head);
    client.pipe(server);
    server.pipe(client);
  });
}
