/**
 * Test fixture (crash.test.ts runs it in a child process, `node --import tsx`, and SIGKILLs it):
 * an ingest client writing to a SQLite file, the way Steward does. Reports on stdout, one line
 * each: `ready`, `received <n>`, `committed <n>`. STW_MODE=block gives it a sink that never
 * commits. SIGTERM stops it cleanly.
 */
import { startIngestClient } from './index.js';
import { openSeqDb } from './test-support.js';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const db = openSeqDb(env('STW_DB'));
const block = process.env.STW_MODE === 'block';
const say = (line: string) => process.stdout.write(`${line}\n`);

const client = await startIngestClient({
  url: env('STW_URL'),
  clientId: env('STW_CLIENT_ID'),
  subscriptions: [env('STW_TOPIC')],
  sink: block ? () => new Promise<void>(() => {}) : db.sink,
  stopTimeoutMs: 1_000,
});
client.on('batch', (b) => say(`committed ${b.committed}`));
let lastReceived = -1;
setInterval(() => {
  const { received } = client.stats();
  if (received !== lastReceived) say(`received ${received}`);
  lastReceived = received;
}, 20).unref();
process.once('SIGTERM', () => {
  void client.stop().then(() => {
    db.close();
    process.exit(0);
  });
});
say('ready');
// Keeps the process alive between messages (the MQTT socket alone may be unref'd on reconnect).
setInterval(() => {}, 1 << 30);
