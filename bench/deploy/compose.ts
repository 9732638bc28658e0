/** (b) A compose redeploy: the window without a successful response, through Steward and with plain docker-compose. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execa } from 'execa';
import { sleep } from '../checks/proc.js';
import { deployNow, type World, waitFinished, webCompose } from './setup.js';

export interface OutageFigures {
  /** Longest time between a successful response and the next one, ms (the probe runs every 10 ms). */
  windowMs: number;
  probes: number;
  failures: number;
  /** Time the redeploy command or deployment took, ms. */
  tookMs: number;
}

export interface ComposeResult {
  trials: number;
  steward: OutageFigures[];
  plain: OutageFigures[];
  stewardMedianMs: number;
  plainMedianMs: number;
}

function probeOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 500 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Probes every 10 ms while `action` runs and a while after; returns the longest gap between successes. */
async function outage(port: number, action: () => Promise<void>): Promise<OutageFigures> {
  let stop = false;
  let lastOk = Date.now();
  let windowMs = 0;
  let probes = 0;
  let failures = 0;
  const loop = (async () => {
    while (!stop) {
      const ok = await probeOnce(port);
      probes++;
      const now = Date.now();
      if (ok) {
        windowMs = Math.max(windowMs, now - lastOk);
        lastOk = now;
      } else failures++;
      await sleep(10);
    }
  })();
  await sleep(300);
  const t0 = Date.now();
  await action();
  const tookMs = Date.now() - t0;
  // Until it answers again (a plain `up -d` returns before the new container listens).
  const deadline = Date.now() + 60_000;
  while (Date.now() - lastOk > 50 && Date.now() < deadline) await sleep(20);
  await sleep(300);
  stop = true;
  await loop;
  return { windowMs, probes, failures, tookMs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2
    : 0;
};

export async function composeRedeploy(w: World, trials: number): Promise<ComposeResult> {
  const plainDir = path.join(w.work, 'plain');
  fs.mkdirSync(plainDir, { recursive: true });
  const env = { ...process.env, ...w.docker.env };
  // Asynchronous: a synchronous spawn would stop the probe loop and count the wait as an outage.
  const plainUp = async () => {
    const r = await execa(
      'docker-compose',
      ['-p', 'benchplain', '-f', path.join(plainDir, 'compose.yaml'), 'up', '-d'],
      {
        env,
        reject: false,
      },
    );
    if (r.exitCode !== 0) throw new Error(`docker-compose up: ${String(r.stderr)}`);
  };
  fs.writeFileSync(path.join(plainDir, 'compose.yaml'), webCompose(w.plainPort, 'plain v0'));
  await plainUp();
  for (let i = 0; i < 100 && !(await probeOnce(w.plainPort)); i++) await sleep(100);
  for (let i = 0; i < 100 && !(await probeOnce(w.webPort)); i++) await sleep(100);

  const steward: OutageFigures[] = [];
  const plain: OutageFigures[] = [];
  for (let t = 1; t <= trials; t++) {
    // The same change both ways: the page's content, so the service definition (and container) changes.
    steward.push(
      await outage(w.webPort, async () => {
        w.commits++;
        await w.repo.commit(`web ${t}`, { 'stack/compose.yaml': webCompose(w.webPort, `web v${t + 1}`) });
        const d = await waitFinished(w, await deployNow(w, ['web']));
        if (d.state !== 'succeeded') throw new Error(`web deployment ${d.id}: ${d.state}`);
      }),
    );
    plain.push(
      await outage(w.plainPort, async () => {
        fs.writeFileSync(path.join(plainDir, 'compose.yaml'), webCompose(w.plainPort, `plain v${t}`));
        await plainUp();
      }),
    );
  }
  spawnSync('docker-compose', ['-p', 'benchplain', '-f', path.join(plainDir, 'compose.yaml'), 'down'], {
    env,
  });
  return {
    trials,
    steward,
    plain,
    stewardMedianMs: median(steward.map((s) => s.windowMs)),
    plainMedianMs: median(plain.map((s) => s.windowMs)),
  };
}

export { median };
