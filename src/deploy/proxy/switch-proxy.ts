import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ErrorCode, StewardError } from '../../core/errors.js';
import type { ProxyContext, ProxyCounters, ProxyLogger } from './context.js';
import { forwardRequest, sendPlain } from './forward-request.js';
import { openTunnel, replyRaw } from './tunnel.js';
import { type ProxyTarget, Upstream } from './upstream.js';

export interface SwitchProxyOptions {
  /** Where to listen; the caller decides (loopback in the usual setup). Port 0 picks a free port. */
  listen: ProxyTarget;
  /** null: every request gets 503 until `switchTo` is called. */
  upstream: ProxyTarget | null;
  /** How long a switch waits for what is open to the previous upstream. Default 30 s. */
  drainTimeoutMs?: number;
  logger?: ProxyLogger;
}

export interface SwitchResult {
  /** False when the drain timed out and what was still open got aborted. */
  drained: boolean;
  inFlightAtSwitch: number;
}

export interface SwitchProxy {
  readonly address: ProxyTarget;
  readonly upstream: ProxyTarget | null;
  /**
   * Points new requests at `next` at once; resolves when every request/tunnel still using the
   * previous upstream has finished, or the drain timeout passed (then they are aborted: a request
   * without an answer yet gets 504, one mid-answer and tunnels are cut).
   */
  switchTo(next: ProxyTarget): Promise<SwitchResult>;
  /** Requests and tunnels currently open to any upstream. */
  inFlight(): number;
  stats(): ProxyCounters;
  /** Stops listening and cuts whatever is still open (no drain). */
  close(): Promise<void>;
}

function checkTarget(target: ProxyTarget, what: string): ProxyTarget {
  const { host, port } = target;
  if (typeof host !== 'string' || host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StewardError('E_USAGE', `${what}: invalid address ${String(host)}:${String(port)}`, {
      hint: 'give a host and a TCP port between 1 and 65535',
    });
  }
  return { host, port };
}

const listenErrors: Record<string, [ErrorCode, string]> = {
  EADDRINUSE: ['E_CONFLICT', 'another process already listens there; pick another port'],
  EACCES: ['E_FORBIDDEN', 'ports below 1024 need privileges; use a higher port'],
  EADDRNOTAVAIL: ['E_CONFIG', 'the host is not an address of this machine'],
};

async function listen(server: http.Server, at: ProxyTarget): Promise<ProxyTarget> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    const [code, hint] = listenErrors[err.code ?? ''] ?? ['E_INTERNAL', undefined];
    throw new StewardError(code, `proxy cannot listen on ${at.host}:${at.port}: ${err.message}`, {
      cause: err,
      ...(hint === undefined ? {} : { hint }),
    });
  });
  const bound = server.address() as AddressInfo;
  return { host: bound.address, port: bound.port };
}

export async function startSwitchProxy(opts: SwitchProxyOptions): Promise<SwitchProxy> {
  if (!Number.isInteger(opts.listen.port) || opts.listen.port < 0 || opts.listen.port > 65535) {
    throw new StewardError('E_USAGE', `proxy: invalid listen port ${String(opts.listen.port)}`);
  }
  const drainTimeoutMs = opts.drainTimeoutMs ?? 30_000;
  const logger = opts.logger;
  const ctx: ProxyContext = { counters: { requests: 0, failed: 0, upgrades: 0 }, logger };
  // Every generation not yet drained: the active one plus those still draining.
  const generations = new Set<Upstream>();
  let active: Upstream | null = null;
  if (opts.upstream) {
    active = new Upstream(checkTarget(opts.upstream, 'proxy upstream'));
    generations.add(active);
  }
  let closing: Promise<void> | undefined;

  const server = http.createServer();
  server.on('request', (req, res) => {
    // The upstream is chosen per request, so a keep-alive client follows a switch at once.
    if (active) {
      forwardRequest(req, res, active, ctx);
      return;
    }
    ctx.counters.requests++;
    ctx.counters.failed++;
    res.on('error', () => {});
    sendPlain(res, 503, 'service unavailable: no upstream set\n');
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (active) {
      openTunnel(req, socket, head, active, ctx);
      return;
    }
    ctx.counters.upgrades++;
    ctx.counters.failed++;
    socket.on('error', () => {});
    replyRaw(socket, 503, 'Service Unavailable');
  });
  server.on('error', (err) => logger?.warn({ err: err.message }, 'proxy: server error'));

  const address = await listen(server, opts.listen);
  logger?.info?.({ listen: address, upstream: active?.target ?? null }, 'proxy: listening');

  return {
    address,
    get upstream() {
      return active ? { ...active.target } : null;
    },
    async switchTo(next) {
      if (closing) throw new StewardError('E_CONFLICT', 'proxy: switchTo after close');
      const previous = active;
      active = new Upstream(checkTarget(next, 'proxy switchTo'));
      generations.add(active);
      logger?.info?.({ from: previous?.target ?? null, to: active.target }, 'proxy: switched upstream');
      if (!previous) return { drained: true, inFlightAtSwitch: 0 };
      const inFlightAtSwitch = previous.size;
      const drained = await previous.drain(drainTimeoutMs);
      generations.delete(previous);
      if (!drained) {
        logger?.warn(
          { upstream: previous.target, drainTimeoutMs },
          'proxy: drain timed out, aborted the rest',
        );
      }
      return { drained, inFlightAtSwitch };
    },
    inFlight() {
      let n = 0;
      for (const g of generations) n += g.size;
      return n;
    },
    stats() {
      return { ...ctx.counters };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const g of generations) {
          g.abortAll();
          g.agent.destroy();
        }
        // Idle keep-alive client connections would otherwise hold server.close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
