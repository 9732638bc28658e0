// The local peer of bench/alerts.ts, in its own process: a webhook receiver and a switchable
// health target on one HTTP port (127.0.0.1). Prints {"port":N} once listening; exits when its
// stdin closes (so it never outlives the benchmark).
//
//   POST <any other path>     a webhook: recorded as { at, path, kind, delivery, n, keys }, where
//                             `at` is the arrival of the request (wall ms, sub-ms precision, taken
//                             when its headers arrived), n the number of alerts and keys
//                             "<rule>:<labels.trial | labels.check | ''>" of the first 100 alerts
//   GET  /_received?from=I&wait=MS   records from index I; with wait, held until there is one
//   POST /_reset              forgets the records
//   GET  /health              200 "ok", or 503 while switched down
//   POST /_target/down|up     switch it; answers { at } (the switch time, same clock as `at`)
//   GET  /_target             { healthy, downAt, firstFailAt, probes }: firstFailAt is when the
//                             first 503 after the last switch down was served
import http from 'node:http';

const now = () => performance.timeOrigin + performance.now();
let received = [];
let waiters = [];
const target = { healthy: true, downAt: null, firstFailAt: null, probes: 0 };

function json(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function record(req, at, text) {
  let kind = null;
  let n = 0;
  let keys = [];
  try {
    const body = JSON.parse(text);
    kind = body.kind ?? null;
    const alerts = Array.isArray(body.alerts) ? body.alerts : [];
    n = alerts.length;
    keys = alerts.slice(0, 100).map((a) => `${a.rule}:${a.labels?.trial ?? a.labels?.check ?? ''}`);
  } catch {
    // not JSON: recorded with kind null
  }
  received.push({ at, path: req.url, kind, delivery: req.headers['x-steward-delivery'] ?? null, n, keys });
  const w = waiters;
  waiters = [];
  for (const wake of w) wake();
}

const server = http.createServer((req, res) => {
  const at = now();
  const url = new URL(req.url ?? '/', 'http://x');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /health') {
      target.probes++;
      if (!target.healthy && target.firstFailAt === null) target.firstFailAt = at;
      res.writeHead(target.healthy ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(target.healthy ? 'ok' : 'down');
    } else if (route === 'POST /_target/down' || route === 'POST /_target/up') {
      target.healthy = route.endsWith('/up');
      if (!target.healthy) {
        target.downAt = at;
        target.firstFailAt = null;
      }
      json(res, 200, { at });
    } else if (route === 'GET /_target') {
      json(res, 200, target);
    } else if (route === 'GET /_received') {
      const from = Number(url.searchParams.get('from') ?? 0);
      const wait = Number(url.searchParams.get('wait') ?? 0);
      const answer = () => json(res, 200, { next: received.length, records: received.slice(from) });
      if (received.length > from || wait <= 0) return answer();
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== wake);
        answer();
      }, wait);
      const wake = () => {
        clearTimeout(timer);
        answer();
      };
      waiters.push(wake);
    } else if (route === 'POST /_reset') {
      received = [];
      json(res, 200, { ok: true });
    } else if (req.method === 'POST') {
      record(req, at, Buffer.concat(chunks).toString('utf8'));
      json(res, 200, { ok: true });
    } else json(res, 404, { error: 'not found' });
  });
});
server.on('clientError', (_err, socket) => socket.destroy());
server.keepAliveTimeout = 30_000;

server.listen({ port: 0, host: '127.0.0.1' }, () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
