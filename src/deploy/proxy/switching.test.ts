import { once } from 'node:events';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SwitchProxy, startSwitchProxy } from './index.js';
import { type ColourServer, openUpgrade, request, startColourServer, waitUntil } from './test-support.js';

let blue: ColourServer;
let green: ColourServer;
let proxy: SwitchProxy;
const at = (s: ColourServer) => ({ host: '127.0.0.1', port: s.port });

beforeAll(async () => {
  blue = await startColourServer('blue');
  green = await startColourServer('green');
  proxy = await startSwitchProxy({ listen: { host: '127.0.0.1', port: 0 }, upstream: at(blue) });
});

afterAll(async () => {
  await proxy?.close();
  await blue?.close();
  await green?.close();
});

beforeEach(async () => {
  if (proxy.upstream?.port !== blue.port) await proxy.switchTo(at(blue));
});

describe('switch proxy: switching', () => {
  it('sends the next request of a keep-alive client to the new upstream', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await request(proxy.address.port, { path: '/colour', agent });
      expect(before.body.toString()).toBe('blue');
      await proxy.switchTo(at(green));
      expect(proxy.upstream).toEqual(at(green));
      const after = await request(proxy.address.port, { path: '/colour', agent });
      expect(after.reusedSocket).toBe(true);
      expect(after.body.toString()).toBe('green');
    } finally {
      agent.destroy();
    }
  });

  it('never reuses a pooled upstream connection from before a switch, even to the same upstream', async () => {
    const first = await request(proxy.address.port, { path: '/colour' });
    const second = await request(proxy.address.port, { path: '/colour' });
    // The proxy does keep upstream connections alive...
    expect(second.headers['x-upstream-conn']).toBe(first.headers['x-upstream-conn']);
    await proxy.switchTo(at(blue));
    const third = await request(proxy.address.port, { path: '/colour' });
    // ...but not across a switch.
    expect(third.headers['x-upstream-conn']).not.toBe(first.headers['x-upstream-conn']);
  });

  it('lets a response in flight finish on the old upstream; switchTo resolves after it', async () => {
    let slowFinished = false;
    blue.events.once('slow-finished', () => {
      slowFinished = true;
    });
    let firstChunk!: () => void;
    const gotFirstChunk = new Promise<void>((r) => {
      firstChunk = r;
    });
    const slow = request(proxy.address.port, {
      path: '/slow',
      onResponse: (res) => res.once('data', firstChunk),
    });
    await gotFirstChunk;

    let stateAtResolve: { slowFinished: boolean; inFlight: number } | undefined;
    const switching = proxy.switchTo(at(green)).then((result) => {
      stateAtResolve = { slowFinished, inFlight: proxy.inFlight() };
      return result;
    });
    const fresh = await request(proxy.address.port, { path: '/colour' });
    expect(fresh.body.toString()).toBe('green');

    expect(await switching).toEqual({ drained: true, inFlightAtSwitch: 1 });
    expect(stateAtResolve).toEqual({ slowFinished: true, inFlight: 0 });
    const slowReply = await slow;
    expect(slowReply.status).toBe(200);
    expect(slowReply.body.toString()).toBe('blue-0\nblue-1\nblue-2\nblue-3\nblue-4\nblue-5\n');
  });

  it('aborts what is still open when the drain times out', async () => {
    const short = await startSwitchProxy({
      listen: { host: '127.0.0.1', port: 0 },
      upstream: at(blue),
      drainTimeoutMs: 200,
    });
    try {
      const arrived = once(blue.events, 'stuck');
      const closedAtBlue = once(blue.events, 'stuck-closed');
      const stuck = request(short.address.port, { path: '/stuck' });
      await arrived;
      const tunnel = await openUpgrade(short.address.port);
      expect(tunnel.head).toMatch(/^HTTP\/1\.1 101 /);
      expect(short.inFlight()).toBe(2);

      expect(await short.switchTo(at(green))).toEqual({ drained: false, inFlightAtSwitch: 2 });
      expect(short.inFlight()).toBe(0);
      expect((await stuck).status).toBe(504);
      await closedAtBlue;
      tunnel.socket.resume();
      if (!tunnel.socket.destroyed) await once(tunnel.socket, 'close');
      expect(short.stats().failed).toBe(1);
      expect((await request(short.address.port, { path: '/colour' })).body.toString()).toBe('green');
    } finally {
      await short.close();
    }
  });

  it('loses no request while switching blue→green→blue five times under load', async () => {
    const failedBefore = proxy.stats().failed;
    const agents = Array.from({ length: 4 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const problems: string[] = [];
    const seen = new Set<string>();
    let completed = 0;
    let stop = false;

    const loop = async (agent: http.Agent, n: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        try {
          if (n === 0) {
            // Slow answers keep something in flight at most switches.
            const r = await request(proxy.address.port, { path: '/slow', agent });
            const colour = String(r.headers['x-colour']);
            const want = [0, 1, 2, 3, 4, 5].map((k) => `${colour}-${k}\n`).join('');
            if (r.status !== 200 || r.body.toString() !== want) problems.push(`slow: ${r.status} ${r.body}`);
            seen.add(colour);
          } else if (i % 3 === 0) {
            const body = Buffer.from(`loop ${n} request ${i}`);
            const r = await request(proxy.address.port, { path: '/echo', method: 'POST', body, agent });
            if (r.status !== 200 || !r.body.equals(body)) problems.push(`echo: ${r.status} ${r.body}`);
            seen.add(String(r.headers['x-colour']));
          } else {
            const r = await request(proxy.address.port, { path: '/colour', agent });
            if (r.status !== 200) problems.push(`colour: ${r.status} ${r.body}`);
            seen.add(r.body.toString());
          }
          completed++;
        } catch (err) {
          problems.push(`loop ${n}: ${String(err)}`);
        }
      }
    };
    const loops = agents.map((agent, n) => loop(agent, n));
    const more = async (n: number): Promise<void> => {
      const target = completed + n;
      await waitUntil(`${n} more responses`, () => completed >= target || problems.length > 0, 20_000);
    };

    try {
      for (let round = 0; round < 5; round++) {
        await more(30);
        expect((await proxy.switchTo(at(green))).drained).toBe(true);
        await more(30);
        expect((await proxy.switchTo(at(blue))).drained).toBe(true);
      }
      await more(30);
    } finally {
      stop = true;
      await Promise.all(loops);
      for (const a of agents) a.destroy();
    }
    expect(problems).toEqual([]);
    expect([...seen].sort()).toEqual(['blue', 'green']);
    expect(proxy.stats().failed).toBe(failedBefore);
    await waitUntil('nothing in flight', () => proxy.inFlight() === 0);
  }, 60_000);
});
