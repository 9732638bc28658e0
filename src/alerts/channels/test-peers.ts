import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';

/**
 * Loopback peers for the channel tests (test support, not used by the daemon): an HTTP server
 * that records what it gets and answers as the service would, and a TCP server that accepts
 * connections and never says a word (for the abort test).
 */

export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body as UTF-8. */
  body: string;
  /** The raw body bytes (signature checks). */
  raw: Buffer;
}

export interface Reply {
  status: number;
  body?: string | object;
  headers?: Record<string, string>;
}

export interface MimicServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  /** Returns and forgets the requests received so far. */
  drain(): RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records each request and answers with `handler`'s reply. */
export async function startMimic(
  handler: (req: RecordedRequest) => Reply | Promise<Reply>,
): Promise<MimicServer> {
  let requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: raw.toString(),
        raw,
      };
      requests.push(recorded);
      try {
        const reply = await handler(recorded);
        const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(reply.status, { 'content-type': type, ...reply.headers }).end(body);
      } catch (err) {
        res.writeHead(599).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    drain: () => {
      const out = requests;
      requests = [];
      return out;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface SilentServer {
  host: string;
  port: number;
  url: string;
  /** Connections the server still holds open (the client side has not closed them yet). */
  openConnections(): number;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers (no HTTP answer, no SMTP greeting). */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
    // A client that half-closes its side has let go of the connection as well.
    socket.on('end', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    openConnections: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (connection refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Parses a recorded JSON body, or returns the raw text. */
export function jsonOf(req: RecordedRequest): unknown {
  try {
    return JSON.parse(req.body) as unknown;
  } catch {
    return req.body;
  }
}

export interface HttpFixtureOptions<C> {
  /** How the service answers a good request. */
  answer(req: RecordedRequest): Reply | Promise<Reply>;
  /** The channel config pointing at a server base URL ("http://127.0.0.1:PORT"). */
  configFor(baseUrl: string): C;
  /** What the contract compares: defaults to the parsed JSON body. */
  view?(req: RecordedRequest): unknown;
  secrets: string[];
}

/**
 * The contract fixture of an HTTP channel: a mimic of the service, a twin answering 500 with
 * the request path and headers echoed back (so an unscrubbed error message would leak the
 * secrets), and a silent server for the abort test.
 */
export async function httpFixture<C>(opts: HttpFixtureOptions<C>) {
  const good = await startMimic(opts.answer);
  const failing = await startMimic((req) => ({
    status: 500,
    body: `internal error handling ${req.path} ${JSON.stringify(req.headers)} ${req.body.slice(0, 200)}`,
  }));
  const silent = await startSilentServer();
  return {
    config: opts.configFor(good.url),
    received: async () => good.drain().map(opts.view ?? jsonOf),
    failingConfig: opts.configFor(failing.url),
    hangingConfig: opts.configFor(silent.url),
    stillOpen: () => silent.openConnections(),
    secrets: opts.secrets,
    stop: async () => {
      await Promise.all([good.close(), failing.close(), silent.close()]);
    },
  };
}
