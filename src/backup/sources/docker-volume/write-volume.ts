import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar, { type Pack } from 'tar-stream';
import { abortError } from '../../../core/exec.js';
import type { Logger } from '../../../core/logger.js';
import { startHelper } from './helper.js';
import type { DockerVolumeSourceConfig } from './schema.js';

/**
 * Unpacks next to the old content first and swaps only once the whole archive arrived, so a
 * restore that fails half-way (a full disk, a broken stream) leaves the volume as it was; the
 * price is room for both copies for a moment. $1 is the staging directory's name; the archive
 * ends with a marker file "$1.done", since tar accepts input cut off between two entries.
 */
export const REFILL_SCRIPT = `set -e
cd /volume
stage="$1"
rm -rf "./$stage"
mkdir "./$stage"
if ! tar -C "./$stage" -xf -; then
  rm -rf "./$stage"
  exit 1
fi
if ! [ -f "./$stage/$stage.done" ]; then
  rm -rf "./$stage"
  echo "the archive to restore arrived incomplete; volume left as it was" >&2
  exit 1
fi
rm -f "./$stage/$stage.done"
for f in .[!.]* ..?* *; do
  if [ "$f" != "$stage" ] && { [ -e "$f" ] || [ -L "$f" ]; }; then rm -rf -- "./$f"; fi
done
for f in "$stage"/.[!.]* "$stage"/..?* "$stage"/*; do
  if [ -e "$f" ] || [ -L "$f" ]; then mv -- "$f" .; fi
done
rmdir "./$stage"
`;

/** Replaces the volume's content with the tree in `dir`. */
export async function refillVolume(
  config: DockerVolumeSourceConfig,
  dir: string,
  ctx: { signal: AbortSignal; logger: Logger },
): Promise<void> {
  if (ctx.signal.aborted) throw abortError('aborted before refilling the volume', ctx.signal.reason);
  const stage = `.steward-restore-${process.pid}-${Date.now()}`;
  const helper = await startHelper(config, {
    readOnly: false,
    stdin: true,
    command: ['sh', '-c', REFILL_SCRIPT, 'sh', stage],
  });
  // The script prints nothing on success; whatever it prints must not block it.
  helper.stdout.resume();
  const onAbort = () => void helper.stop();
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  const pack = tar.pack();
  const piping = pipeline(pack, helper.stdin!).then(
    () => null,
    (err: unknown) => err,
  );
  let packError: unknown = null;
  try {
    await packTree(pack, dir, '', ctx.logger);
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: `${stage}.done`, mode: 0o600 }, '', (err) => (err ? reject(err) : resolve())),
    );
    pack.finalize();
  } catch (err) {
    packError = err;
    // Truncates the helper's input: its tar fails and the swap never happens.
    pack.destroy(err as Error);
  }
  const pipeError = await piping;
  const exit = await helper.exited;
  ctx.signal.removeEventListener('abort', onAbort);

  if (ctx.signal.aborted) throw abortError('refilling the volume was aborted', ctx.signal.reason);
  // Our own read errors explain a failed helper better than its "short read".
  if (packError !== null && isLocalFsError(packError)) throw packError;
  if (exit.exitCode !== 0) throw helper.error(exit, 'refilling');
  if (packError !== null) throw packError;
  if (pipeError !== null) throw pipeError;
}

function isLocalFsError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'path' in err && 'code' in err;
}

/** Adds `dir`'s tree to `pack` (names relative to it), directories before their contents. */
async function packTree(pack: Pack, root: string, rel: string, logger: Logger): Promise<void> {
  const names = (await fs.promises.readdir(path.join(root, rel))).sort();
  for (const name of names) {
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const full = path.join(root, relPath);
    const st = await fs.promises.lstat(full);
    const common = { name: relPath, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
    if (st.isDirectory()) {
      await addEntry(pack, { ...common, type: 'directory' });
      await packTree(pack, root, relPath, logger);
    } else if (st.isSymbolicLink()) {
      await addEntry(pack, { ...common, type: 'symlink', linkname: await fs.promises.readlink(full) });
    } else if (st.isFile()) {
      const sink = pack.entry({ ...common, type: 'file', size: st.size });
      await pipeline(fs.createReadStream(full), sink);
    } else {
      logger.warn({ path: relPath }, 'skipping a special file in the restored tree');
    }
  }
}

function addEntry(pack: Pack, header: Parameters<Pack['entry']>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
}
