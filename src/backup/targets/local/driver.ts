import { open, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StewardError } from '../../../core/errors.js';
import { ARCHIVE_READ_CHUNK } from '../../naming.js';
import type { BackupTarget, TargetDriver, TargetObject } from '../../types.js';
import { assertObjectName, isPartialName } from '../names.js';
import { checkLocalDir } from './check.js';
import { errnoCode, ignoreMissing } from './errors.js';
import type { LocalTargetConfig } from './schema.js';
import { startLocalUpload } from './upload.js';

async function listDir(target: string, dir: string): Promise<{ name: string; partial: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => ({ name: e.name, partial: isPartialName(e.name) }));
  } catch (err) {
    throw new StewardError('E_EXTERNAL', `target ${target}: cannot list ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function createLocalTarget(name: string, config: LocalTargetConfig): BackupTarget {
  const dir = config.path;
  const file = (object: string) => {
    assertObjectName(name, object);
    return path.join(dir, object);
  };

  const target: BackupTarget = {
    name,
    type: 'local',
    description: dir,

    async check(signal) {
      signal?.throwIfAborted();
      return checkLocalDir(dir, config.require_mount);
    },

    async upload(object, signal) {
      assertObjectName(name, object);
      return startLocalUpload(name, dir, object, signal);
    },

    async putSmall(object, content, signal) {
      const upload = await target.upload(object, signal);
      try {
        upload.stream.end(content);
        await upload.commit();
      } catch (err) {
        await upload.abort();
        throw err;
      }
    },

    async list(signal) {
      signal?.throwIfAborted();
      const objects: TargetObject[] = [];
      for (const entry of await listDir(name, dir)) {
        if (entry.partial) continue;
        try {
          const st = await stat(path.join(dir, entry.name));
          objects.push({ name: entry.name, size: st.size, modifiedAt: st.mtime });
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err; // removed since readdir
        }
      }
      return objects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async download(object, signal) {
      signal?.throwIfAborted();
      try {
        const fh = await open(file(object), 'r');
        return fh.createReadStream({ highWaterMark: ARCHIVE_READ_CHUNK, ...(signal ? { signal } : {}) });
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') {
          throw new StewardError('E_NOT_FOUND', `target ${name}: no object named ${object}`, { cause: err });
        }
        throw err;
      }
    },

    async remove(object, signal) {
      signal?.throwIfAborted();
      await ignoreMissing(unlink(file(object)));
    },

    async removePartials(signal) {
      signal?.throwIfAborted();
      const removed: string[] = [];
      for (const entry of await listDir(name, dir)) {
        if (!entry.partial) continue;
        await ignoreMissing(unlink(path.join(dir, entry.name)));
        removed.push(entry.name);
      }
      return removed;
    },
  };
  return target;
}

export const localTargetDriver: TargetDriver<LocalTargetConfig> = {
  type: 'local',
  create: (name, config) => createLocalTarget(name, config),
};
