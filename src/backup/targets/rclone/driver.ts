import { StewardError } from '../../../core/errors.js';
import type { BackupTarget, TargetDriver, TargetReadiness } from '../../types.js';
import { assertObjectName, isPartialName } from '../names.js';
import { catStream } from './download.js';
import { type LsjsonEntry, parseListing, parseStat } from './lsjson.js';
import { joinRemote, redact } from './redact.js';
import { EXIT_DIR_NOT_FOUND, outcomeReason, rcloneError, runRclone } from './run.js';
import type { RcloneTargetConfig } from './schema.js';
import { startRcloneUpload } from './upload.js';

function createRcloneTarget(name: string, config: RcloneTargetConfig): BackupTarget {
  const remote = config.remote;
  const description = redact(remote);
  const objectPath = (object: string) => {
    assertObjectName(name, object);
    return joinRemote(remote, object);
  };

  /** The files directly under the remote path; a path that does not exist yet is empty. */
  async function listFiles(signal?: AbortSignal): Promise<LsjsonEntry[]> {
    const outcome = await runRclone(
      config,
      { command: ['lsjson', '--files-only', '--max-depth', '1', '--no-mimetype'], paths: [remote] },
      signal,
    );
    if (outcome.exitCode === EXIT_DIR_NOT_FOUND) return [];
    if (outcome.exitCode !== 0) throw rcloneError(name, `listing ${description}`, outcome);
    return parseListing(name, outcome.stdout).filter((e) => !e.IsDir);
  }

  /** `lsjson --stat` of one object, or null when it does not exist. */
  async function statObject(path: string, signal?: AbortSignal): Promise<LsjsonEntry | null> {
    const outcome = await runRclone(config, { command: ['lsjson', '--stat'], paths: [path] }, signal);
    if (outcome.exitCode === EXIT_DIR_NOT_FOUND) return null;
    if (outcome.exitCode !== 0) throw rcloneError(name, `rclone lsjson --stat ${redact(path)}`, outcome);
    return parseStat(name, outcome.stdout);
  }

  async function deleteIfPresent(path: string, signal?: AbortSignal): Promise<void> {
    // One attempt: "not found" is the common failure here and needs no retrying.
    const outcome = await runRclone(
      config,
      { command: ['deletefile', '--retries', '1'], paths: [path] },
      signal,
    );
    if (outcome.exitCode === 0) return;
    // rclone has no distinct exit code for a missing file; asking is reliable on every backend.
    if ((await statObject(path, signal)) === null) return;
    throw rcloneError(name, `rclone deletefile ${redact(path)}`, outcome);
  }

  return {
    name,
    type: 'rclone',
    description,

    async check(signal): Promise<TargetReadiness> {
      // One try each, short idle timeout: a pre-flight check answers in seconds, not minutes.
      const once = ['--retries', '1', '--low-level-retries', '1', '--timeout', '30s'];
      const listing = await runRclone(
        config,
        { command: ['lsjson', '--max-depth', '1', '--no-mimetype', ...once], paths: [remote] },
        signal,
      );
      if (listing.exitCode === 0) return { ready: true };
      if (listing.exitCode === EXIT_DIR_NOT_FOUND) {
        const made = await runRclone(config, { command: ['mkdir', ...once], paths: [remote] }, signal);
        if (made.exitCode === 0) return { ready: true };
        return { ready: false, reason: `cannot create ${description}: ${outcomeReason(made)}` };
      }
      return { ready: false, reason: `cannot reach ${description}: ${outcomeReason(listing)}` };
    },

    async upload(object, signal) {
      assertObjectName(name, object);
      return startRcloneUpload(name, config, { deleteIfPresent }, object, signal);
    },

    async putSmall(object, content, signal) {
      const upload = await this.upload(object, signal);
      try {
        upload.stream.end(content);
        await upload.commit();
      } catch (err) {
        await upload.abort();
        throw err;
      }
    },

    async list(signal) {
      return (await listFiles(signal))
        .filter((e) => !isPartialName(e.Name))
        .map((e) => ({ name: e.Name, size: e.Size, modifiedAt: new Date(e.ModTime) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async download(object, signal) {
      const path = objectPath(object);
      // Asking first turns a missing object into a clear error before any byte is read.
      const stat = await statObject(path, signal);
      if (stat === null || stat.IsDir) {
        throw new StewardError('E_NOT_FOUND', `target ${name}: no object named ${object}`);
      }
      return catStream(name, config, object, path, signal);
    },

    async remove(object, signal) {
      await deleteIfPresent(objectPath(object), signal);
    },

    async removePartials(signal) {
      const removed: string[] = [];
      for (const entry of await listFiles(signal)) {
        if (!isPartialName(entry.Name)) continue;
        await deleteIfPresent(joinRemote(remote, entry.Name), signal);
        removed.push(entry.Name);
      }
      return removed;
    },
  };
}

export const rcloneTargetDriver: TargetDriver<RcloneTargetConfig> = {
  type: 'rclone',
  create: (name, config) => createRcloneTarget(name, config),
};
