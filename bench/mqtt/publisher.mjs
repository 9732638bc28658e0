// The MQTT benchmark's publisher, in its own process: a minimal MQTT 3.1.1 client on node:net
// (no dependencies, so what is measured is the broker and the subscribers, not a client
// library). CONNECT, then pipelined PUBLISH packets; at QoS 1 at most `window` unacked packet
// ids, each freed by its PUBACK; DISCONNECT once every PUBACK is in.
//
//   node publisher.mjs '{"port":1883,"qos":1,"n":200000,"topic":"bench/q1/telemetry","base":1700000000000,"window":1000,"every":100}'
//
// Prints {"ready":true} once connected, waits for a line on stdin, publishes, then prints one
// JSON line: first/last send and last PUBACK times (wall clock, ms with sub-ms fraction), the
// send time of every `every`-th message (message k·every), and its CPU.
import net from 'node:net';
import readline from 'node:readline';

const o = JSON.parse(process.argv[2] ?? '{}');
const { port, qos, n, topic, base } = o;
const window = o.window ?? 1000;
const every = o.every ?? 100;
/** Messages per socket.write at QoS 0 (and at most per write at QoS 1). */
const chunk = o.chunk ?? 200;
/** Wall clock with sub-ms resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

function remainingLength(len) {
  const bytes = [];
  do {
    let b = len % 128;
    len = Math.floor(len / 128);
    if (len > 0) b |= 0x80;
    bytes.push(b);
  } while (len > 0);
  return Buffer.from(bytes);
}

function packet(type, body) {
  return Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);
}

function str(s) {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function connectPacket(clientId) {
  // Protocol "MQTT" level 4, clean session, keep-alive 0 (off: the run never idles long).
  const header = Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 0])]);
  return packet(0x10, Buffer.concat([header, str(clientId)]));
}

const topicBytes = str(topic);
/** Largest PUBLISH here: header (2) + topic + packet id (2) + payload (< 80 bytes). */
const maxPacket = 4 + topicBytes.length + 2 + 80;

/** Writes PUBLISH k (packet id `id` at QoS 1) into `buf` at `at`; returns the new offset. */
function writePublish(buf, at, k, id) {
  const payload = `{"seq":${k},"t":${base + k},"v":${k % 100}}`;
  const len = topicBytes.length + (qos > 0 ? 2 : 0) + payload.length;
  if (len >= 128) throw new Error('PUBLISH too long for a one-byte remaining length');
  buf[at++] = 0x30 | (qos << 1);
  buf[at++] = len;
  at += topicBytes.copy(buf, at);
  if (qos > 0) at = buf.writeUInt16BE(id, at);
  return at + buf.write(payload, at, 'latin1');
}

const socket = net.connect(port, '127.0.0.1');
socket.setNoDelay(true);

// Incoming packets: CONNACK and PUBACKs (4 bytes each); reads may split or join them.
let pending = Buffer.alloc(0);
let onConnack = null;
let inflight = 0;
let acked = 0;
let lastAckAt = 0;
let wake = null;
const freeIds = [];
for (let id = Math.min(window, 65535); id >= 1; id--) freeIds.push(id);

socket.on('data', (data) => {
  pending = pending.length ? Buffer.concat([pending, data]) : data;
  let at = 0;
  while (pending.length - at >= 2) {
    // Remaining length is one byte for every packet the broker sends here (< 128).
    const len = pending[at + 1];
    if (pending.length - at < 2 + len) break;
    const type = pending[at] >> 4;
    if (type === 2) onConnack?.(pending[at + 3]);
    else if (type === 4) {
      freeIds.push(pending.readUInt16BE(at + 2));
      inflight--;
      acked++;
      lastAckAt = now();
    }
    at += 2 + len;
  }
  pending = pending.subarray(at);
  if (wake) {
    const w = wake;
    wake = null;
    w();
  }
});
socket.on('error', (err) => {
  process.stderr.write(`publisher: ${err.message}\n`);
  process.exit(2);
});
socket.on('close', () => {
  if (!finished) {
    process.stderr.write(`publisher: the broker closed the connection after ${acked} PUBACKs\n`);
    process.exit(3);
  }
});

let finished = false;
const waitForWake = () => new Promise((resolve) => (wake = resolve));
const drain = () => new Promise((resolve) => socket.once('drain', resolve));

await new Promise((resolve, reject) => {
  socket.once('connect', resolve);
  socket.once('error', reject);
});
const rc = await new Promise((resolve) => {
  onConnack = resolve;
  socket.write(connectPacket(`bench-pub-${process.pid}`));
});
if (rc !== 0) {
  process.stderr.write(`publisher: CONNACK return code ${rc}\n`);
  process.exit(4);
}
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await new Promise((resolve) => readline.createInterface({ input: process.stdin }).once('line', resolve));

const stamps = new Array(Math.ceil(n / every)).fill(0);
const cpu0 = process.cpuUsage();
let firstAt = 0;
let k = 0;
// At QoS 1, wait for a quarter of the window (at most one chunk) to be free before writing:
// refilling one id per PUBACK would mean one small write per ack.
const minRoom = Math.max(1, Math.min(chunk, Math.floor(window / 4)));
while (k < n) {
  if (qos > 0 && window - inflight < Math.min(minRoom, n - k)) {
    await waitForWake();
    continue;
  }
  const room = qos > 0 ? Math.min(chunk, window - inflight) : chunk;
  const end = Math.min(n, k + room);
  const buf = Buffer.allocUnsafe((end - k) * maxPacket);
  let at = 0;
  const t = now();
  if (k === 0) firstAt = t;
  for (; k < end; k++) {
    if (k % every === 0) stamps[k / every] = t;
    if (qos > 0) inflight++;
    at = writePublish(buf, at, k, qos > 0 ? freeIds.pop() : 0);
  }
  if (!socket.write(buf.subarray(0, at))) await drain();
}
const lastSendAt = now();
while (qos > 0 && acked < n) await waitForWake();
finished = true;
await new Promise((resolve) => socket.end(Buffer.from([0xe0, 0]), resolve));
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ n, qos, window, every, firstAt, lastSendAt, lastAckAt: qos > 0 ? lastAckAt : null, acked, cpuS: (cpu.user + cpu.system) / 1e6, stamps })}\n`,
);
