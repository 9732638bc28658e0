import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Duplex, Readable } from 'node:stream';

/**
 * Helpers for the proxy tests (not used at run time): a real HTTP server on 127.0.0.1 that answers
 * with its colour, and small clients.
 *
 * Routes: /colour (colour + the upstream-side remote port of the connection), /headers (what
 * arrived, as JSON), /slow (six chunks over ~300 ms), /echo (request body back), /stuck (never
 * answers). An Upgrade request gets 101 and then its bytes echoed.
 * Events: 'slow-finished', 'stuck' (a /stuck request arrived), 'stuck-closed'.
 */
export interface ColourServer {
  colour: string;
  port: number;
  events: EventEmitter;
  close(): Promise<void>;
}

export async function startColourServer(colour: string): Promise<ColourServer> {
  const events = new EventEmitter();
  const upgraded = new Set<Duplex>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/colour') {
      res.setHeader('x-upstream-conn', String(req.socket.remotePort));
      res.setHeader('x-colour', colour);
      res.end(colour);
    } else if (url.pathname === '/headers') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-colour', colour);
      res.end(JSON.stringify({ colour, method: req.method, url: req.url, headers: req.headers }));
    } else if (url.pathname === '/slow') {
      res.writeHead(200, { 'x-colour': colour });
      let i = 0;
      const timer = setInterval(() => {
        res.write(`${colour}-${i}\n`);
        i++;
        if (i === 6) {
          clearInterval(timer);
          res.end(() => events.emit('slow-finished'));
        }
      }, 50);
      res.on('close', () => clearInterval(timer));
    } else if (url.pathname === '/echo') {
      res.writeHead(200, { 'x-colour': colour });
      req.pipe(res);
    } else if (url.pathname === '/stuck') {
      req.socket.once('close', () => events.emit('stuck-closed'));
      events.emit('stuck');
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  server.on('upgrade', (_req, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => upgraded.delete(socket));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    if (head.length > 0) socket.write(head);
    socket.on('data', (d: Buffer) => socket.write(d));
    socket.on('end', () => socket.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    colour,
    port: (server.address() as AddressInfo).port,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of upgraded) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  reusedSocket: boolean;
}

export interface RequestOptions {
  path: string;
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  agent?: http.Agent;
  body?: Buffer | Readable;
  /** Called with the response before its body is read (to observe streaming). */
  onResponse?: (res: http.IncomingMessage) => void;
}

export function request(port: number, opts: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: opts.path,
      method: opts.method ?? 'GET',
      headers: opts.headers,
      agent: opts.agent ?? false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      opts.onResponse?.(res);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          reusedSocket: req.reusedSocket,
        }),
      );
    });
    if (opts.body === undefined) req.end();
    else if (Buffer.isBuffer(opts.body)) req.end(opts.body);
    else opts.body.pipe(req);
  });
}

/** Reads from `socket` until `predicate` holds for what arrived so far. */
export function readUntil(socket: net.Socket, predicate: (got: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      if (predicate(got)) {
        cleanup();
        resolve(got);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`connection closed after ${JSON.stringify(got.toString())}`));
    };
    const cleanup = (): void => {
      // Paused again so bytes that arrive before the next read are kept, not dropped.
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onEnd);
    socket.resume();
  });
}

/** Opens a raw Upgrade request through `port`, sending `early` bytes right after the head. */
export async function openUpgrade(
  port: number,
  early = '',
): Promise<{ socket: net.Socket; head: string; rest: Buffer }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n${early}`,
  );
  const got = await readUntil(socket, (b) => b.includes('\r\n\r\n'));
  const end = got.indexOf('\r\n\r\n') + 4;
  return { socket, head: got.subarray(0, end).toString(), rest: got.subarray(end) };
}

/** Polls until `ready()` holds; throws after `ms` (a hang guard, not a timing assertion). */
export async function waitUntil(what: string, ready: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
