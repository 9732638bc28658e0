// The built CLI under the V8 sampling profiler, for `bench:mqtt --profile` (Node 20 refuses
// --cpu-prof in NODE_OPTIONS, and the daemon is spawned as `node <cli> daemon …`). Same argv as
// the CLI. The profiler starts on SIGUSR2 (sent once the daemon is ready, so start-up is left
// out) and the profile goes to $BENCH_MQTT_PROFILE_DIR/daemon.cpuprofile when the process exits.
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.BENCH_MQTT_PROFILE_DIR;
if (!dir) throw new Error('BENCH_MQTT_PROFILE_DIR is not set');
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
let started = false;
process.once('SIGUSR2', () => {
  started = true;
  session.post('Profiler.start');
});
process.once('exit', () => {
  if (!started) return;
  // An in-process session answers synchronously, so this runs to the end inside 'exit'.
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'daemon.cpuprofile'), JSON.stringify(result.profile));
  });
});
const here = path.dirname(fileURLToPath(import.meta.url));
await import(path.join(here, '../../dist/cli/main.js'));
