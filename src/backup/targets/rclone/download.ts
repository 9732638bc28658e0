import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { outcomeOf, rcloneError, spawnRclone } from './run.js';
import type { RcloneTargetConfig } from './schema.js';

/**
 * `rclone cat` as a stream that ends only after rclone exited 0. Piping its stdout straight
 * through would end the reader's stream normally when rclone fails halfway, and a restore
 * would get a silently short archive.
 */
export function catStream(
  target: string,
  config: RcloneTargetConfig,
  name: string,
  path: string,
  signal?: AbortSignal,
): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  spawnRclone(config, { command: ['cat'], paths: [path] }, { stdin: 'ignore', stdout: 'pipe', signal })
    .then(({ child, tail }) => {
      const stdout = child.stdout;
      if (!stdout) throw new Error('rclone cat started without stdout');
      // A reader that gives up early must not leave rclone running.
      const stop = () => {
        if (child.exitCode === null) child.kill();
        stdout.resume(); // drain what is left so the pipe closes
      };
      if (out.destroyed) stop();
      else out.on('close', stop);
      stdout.pipe(out, { end: false });
      return Promise.all([finished(stdout).catch(() => {}), child]).then(([, result]) => {
        if (result.exitCode === 0) {
          out.end();
          return;
        }
        out.destroy(rcloneError(target, `download of ${name} (rclone cat)`, outcomeOf(config, result, tail)));
      });
    })
    .catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
