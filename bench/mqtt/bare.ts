/** The bare subscriber: `mosquitto_sub … -C N > /dev/null`, the broker's delivery ceiling. */
import path from 'node:path';
import { type Child, cpuSeconds, memory, startChild } from '../checks/proc.js';
import { shq } from '../lib/measure.js';
import { type Broker, MOSQUITTO_SUB } from './broker.js';

export interface BareSub {
  child: Child;
  /** When it exited (wall-clock ms), null while it runs. */
  exitAt(): number | null;
  /** Exited by itself with status 0: it got its N messages. */
  complete(): boolean;
  /** Reads its CPU and peak RSS from /proc while it lives; after it exits the last reading stays. */
  sample(): { cpuS: number; hwmKiB: number };
  stop(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function startBare(broker: Broker, work: string, clientId: string, n: number): Promise<BareSub> {
  const argv = [MOSQUITTO_SUB, '-h', '127.0.0.1', '-p', String(broker.port), '-i', clientId];
  argv.push('-t', 'bench/#', '-q', '1', '-C', String(n));
  // exec: the pid is mosquitto_sub's own; its output (one line per message) goes to /dev/null.
  const child = startChild(['sh', '-c', `exec ${argv.map(shq).join(' ')} > /dev/null`], {
    log: path.join(work, `${clientId}.log`),
  });
  let exitAt: number | null = null;
  let stopped = false;
  void child.exited.then(() => {
    exitAt = now();
  });
  let last = { cpuS: 0, hwmKiB: 0 };
  const sample = () => {
    if (exitAt === null) {
      try {
        const reading = { cpuS: cpuSeconds(child.pid), hwmKiB: memory(child.pid).hwmKiB };
        // A zombie (exited, not yet reaped) has no VmHWM line: keep the last full reading.
        if (Number.isFinite(reading.hwmKiB) && reading.hwmKiB > 0) last = reading;
      } catch {
        // exited between the check and the read: keep the last reading
      }
    }
    return last;
  };
  await broker.waitSubscribed(clientId, 'bench/#');
  sample();
  return {
    child,
    exitAt: () => exitAt,
    complete: () => exitAt !== null && !stopped && child.proc.exitCode === 0,
    sample,
    async stop() {
      if (exitAt === null) stopped = true;
      await child.stop(2000);
    },
  };
}
