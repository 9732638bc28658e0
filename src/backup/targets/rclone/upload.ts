import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StewardError } from '../../../core/errors.js';
import { abortError } from '../../../core/exec.js';
import type { TargetUpload } from '../../types.js';
import { partialName } from '../names.js';
import { parseStat } from './lsjson.js';
import { joinRemote, redact } from './redact.js';
import { outcomeOf, type RcloneOutcome, rcloneError, rcloneOk, spawnRclone } from './run.js';
import type { RcloneTargetConfig } from './schema.js';

export interface RcloneOps {
  /** Deletes an object; a missing one is fine. */
  deleteIfPresent(path: string, signal?: AbortSignal): Promise<void>;
}

/**
 * Streams into `rclone rcat <remote>/<name>.partial`. The stream only finishes once rcat
 * exited 0, so a producer piping into it learns of a failed upload from the pipeline itself.
 */
export async function startRcloneUpload(
  target: string,
  config: RcloneTargetConfig,
  ops: RcloneOps,
  name: string,
  signal?: AbortSignal,
): Promise<TargetUpload> {
  signal?.throwIfAborted();
  const partialPath = joinRemote(config.remote, partialName(name));
  const finalPath = joinRemote(config.remote, name);
  const { child, tail } = await spawnRclone(
    config,
    { command: ['rcat'], paths: [partialPath] },
    { stdin: 'pipe', stdout: 'ignore', signal },
  );
  const exited: Promise<RcloneOutcome> = child.then((r) => outcomeOf(config, r, tail));
  const stdin = child.stdin;
  if (!stdin) throw new Error('rclone rcat started without stdin');
  // EPIPE when rcat dies early: the real reason is in its exit status, reported by failed().
  stdin.on('error', () => {});
  const failed = async () => rcloneError(target, `upload of ${name} (rclone rcat)`, await exited);

  let bytes = 0;
  const stream = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      stdin.write(chunk, (err) => {
        if (!err) {
          bytes += chunk.length;
          callback();
        } else failed().then(callback, callback);
      });
    },
    final(callback) {
      stdin.end();
      exited.then(
        (outcome) => (outcome.exitCode === 0 ? callback() : failed().then(callback, callback)),
        callback,
      );
    },
    destroy(err, callback) {
      if (child.exitCode === null) child.kill();
      callback(err);
    },
  });

  const onAbort = () => stream.destroy(abortError(`upload of ${name} to ${target} aborted`, signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });

  let state: 'writing' | 'moved' | 'committed' | 'aborted' = 'writing';
  return {
    stream,
    async commit() {
      if (state !== 'writing') throw new Error(`target ${target}: upload of ${name} is already ${state}`);
      if (stream.errored) throw stream.errored;
      if (!stream.writableEnded) {
        throw new Error(`target ${target}: commit of ${name} before its stream was ended`);
      }
      if (!stream.writableFinished) await finished(stream);
      signal?.removeEventListener('abort', onAbort);
      await rcloneOk(target, config, { command: ['moveto'], paths: [partialPath, finalPath] }, signal);
      state = 'moved';
      const stat = await rcloneOk(
        target,
        config,
        { command: ['lsjson', '--stat'], paths: [finalPath] },
        signal,
      );
      const landed = parseStat(target, stat.stdout).Size;
      // Some remotes cannot tell a size (-1); those we take on trust.
      if (landed >= 0 && landed !== bytes) {
        throw new StewardError(
          'E_EXTERNAL',
          `target ${target}: ${name} has ${landed} bytes on the remote, ${bytes} were written`,
        );
      }
      state = 'committed';
      return { location: redact(finalPath) };
    },
    async abort() {
      if (state === 'committed' || state === 'aborted') return;
      signal?.removeEventListener('abort', onAbort);
      if (!stream.destroyed) stream.destroy();
      await exited.catch(() => {});
      await ops.deleteIfPresent(partialPath);
      if (state === 'moved') await ops.deleteIfPresent(finalPath);
      state = 'aborted';
    },
  };
}
