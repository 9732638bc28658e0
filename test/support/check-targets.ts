import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Targets for check tests, in a child process of their own so that a test blocking its event
 * loop (spawnSync of the CLI) cannot make them look slow: an HTTP server whose answers the
 * test controls, and a TCP server that accepts connections and never answers (a hung service).
 */
export interface CheckTargets {
  httpPort: number;
  hangPort: number;
  /** A port nothing listens on. */
  closedPort: number;
  /** What /switch answers from now on: 200 "ok" when true, 503 otherwise. */
  setHealthy(healthy: boolean): Promise<void>;
  /** Requests /flap has answered (it alternates 200 and 503). */
  flapCount(): Promise<number>;
  stop(): Promise<void>;
}

const SERVER = `
const http = require('node:http');
const net = require('node:net');
let flaps = 0;
let healthy = true;
const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
const web = http.createServer((req, res) => {
  if (req.url === '/control/flaps') return res.end(String(flaps));
  if (req.url === '/control/healthy') { healthy = true; return res.end('ok'); }
  if (req.url === '/control/unhealthy') { healthy = false; return res.end('ok'); }
  const good = req.url === '/flap' ? flaps++ % 2 === 0 : req.url === '/switch' ? healthy : true;
  res.writeHead(good ? 200 : 503, { 'content-type': 'text/plain', connection: 'close' });
  res.end(good ? 'ok' : 'unavailable');
});
const hang = net.createServer((socket) => socket.on('error', () => {}));
// A released ephemeral port can be handed to another test's listen(0) minutes later (a flake
// seen in CI: "refused" turned up). A port below the kernel's ephemeral range is never handed
// out, so nothing takes it unless it asks for it by number.
const ephemeralLow = Number(require('node:fs').readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\\s+/)[0]) || 32768;
const bindable = (port) => new Promise((r) => {
  const s = net.createServer();
  s.once('error', () => r(false));
  s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
});
async function closedPortOutsideEphemeral() {
  for (let tries = 0; tries < 100; tries++) {
    const port = 20000 + Math.floor(Math.random() * Math.max(1, ephemeralLow - 20000));
    if (await bindable(port)) return port;
  }
  throw new Error('no free port below the ephemeral range');
}
(async () => {
  const closedPort = await closedPortOutsideEphemeral();
  const ports = { httpPort: await listen(web), hangPort: await listen(hang), closedPort };
  process.stdout.write(JSON.stringify(ports) + '\\n');
})();
process.on('disconnect', () => process.exit(0));
`;

export async function startCheckTargets(): Promise<CheckTargets> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const ports = JSON.parse(line.toString()) as { httpPort: number; hangPort: number; closedPort: number };
  const control = (path: string) =>
    fetch(`http://127.0.0.1:${ports.httpPort}/control/${path}`).then((r) => r.text());
  return {
    ...ports,
    async setHealthy(healthy) {
      await control(healthy ? 'healthy' : 'unhealthy');
    },
    flapCount: async () => Number(await control('flaps')),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
