// The baseline of bench/checks.ts: the same probes as Steward's checks at the same schedule, with
// nothing else. Check i (of N) has the fixed phase floor(i × interval / N) ms, anchored to the
// epoch like Steward's scheduler; even i are HTTP (global fetch, body read), odd i are TCP
// (net.connect, then end). No state, no storage, no concurrency limit.
//
//   node baseline.mjs HTTP_URL TCP_HOST TCP_PORT COUNT INTERVAL_MS TIMEOUT_MS
//
// stdin commands, one per line: `reset` zeroes the counters, `stats` prints them as one JSON
// line. Exits when stdin closes.
import net from 'node:net';
import readline from 'node:readline';

const [url, tcpHost, tcpPortText, countText, intervalText, timeoutText] = process.argv.slice(2);
const tcpPort = Number(tcpPortText);
const count = Number(countText);
const interval = Number(intervalText);
const timeout = Number(timeoutText);

let stats = { started: 0, ok: 0, failed: 0, inFlight: 0, maxInFlight: 0 };
let lags = [];

const nextAt = (phase, after) => (Math.floor((after - phase) / interval) + 1) * interval + phase;

async function probeHttp() {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
    await res.text();
    return res.ok;
  } catch {
    return false;
  }
}

function probeTcp() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: tcpHost, port: tcpPort });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeout);
    socket.on('error', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve(true);
    });
  });
}

function run(check) {
  stats.started++;
  stats.inFlight++;
  if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
  (check.http ? probeHttp() : probeTcp()).then((ok) => {
    stats.inFlight--;
    if (ok) stats.ok++;
    else stats.failed++;
  });
}

const now0 = Date.now();
const checks = Array.from({ length: count }, (_, i) => {
  const phase = Math.floor((i * interval) / count);
  return { http: i % 2 === 0, phase, at: nextAt(phase, now0) };
});
// Same interval for all: the due order is a fixed rotation of the array.
checks.sort((a, b) => a.at - b.at);
let head = 0;

function tick() {
  const now = Date.now();
  for (let c = checks[head]; c.at <= now; c = checks[head]) {
    lags.push(now - c.at);
    c.at = nextAt(c.phase, Math.max(now, c.at));
    run(c);
    head = (head + 1) % checks.length;
  }
  setTimeout(tick, Math.max(0, checks[head].at - Date.now()));
}
setTimeout(tick, Math.max(0, checks[0].at - Date.now()));

const quantile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'reset') {
    stats = { started: 0, ok: 0, failed: 0, inFlight: stats.inFlight, maxInFlight: stats.inFlight };
    lags = [];
  } else if (cmd === 'stats') {
    const sorted = Float64Array.from(lags).sort();
    const out = { ...stats, lagP50Ms: quantile(sorted, 0.5), lagP99Ms: quantile(sorted, 0.99) };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
