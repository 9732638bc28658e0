import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * A webhook receiver in a process of its own (so a test blocking its event loop cannot slow
 * it): records every request and answers per path — /dead always 500, /flaky 500 for its
 * first `flakyFailures` requests, anything else 200.
 */
export interface ReceivedHook {
  path: string;
  status: number;
  event: string;
  delivery: string;
  body: {
    kind: string;
    title: string;
    alerts: { rule: string; labels: Record<string, string>; acknowledgedBy: string | null }[];
  };
}

export interface WebhookReceiver {
  url: string;
  received(): Promise<ReceivedHook[]>;
  stop(): Promise<void>;
}

const SERVER = `
const http = require('node:http');
const flakyFailures = Number(process.argv[1]);
const got = [];
let flaky = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/_received') { res.setHeader('content-type', 'application/json'); return res.end(JSON.stringify(got)); }
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const status = req.url === '/dead' ? 500 : req.url === '/flaky' && flaky++ < flakyFailures ? 500 : 200;
    let parsed = null;
    try { parsed = JSON.parse(body); } catch {}
    got.push({ path: req.url, status, event: req.headers['x-steward-event'] || '', delivery: req.headers['x-steward-delivery'] || '', body: parsed });
    res.writeHead(status).end(status === 200 ? 'ok' : 'boom');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.on('disconnect', () => process.exit(0));
`;

export async function startWebhookReceiver(flakyFailures = 2): Promise<WebhookReceiver> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, String(flakyFailures)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${Number(line.toString())}`;
  return {
    url,
    received: async () => (await (await fetch(`${url}/_received`)).json()) as ReceivedHook[],
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
