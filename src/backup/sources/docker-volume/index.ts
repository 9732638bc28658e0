import type { SourceDriver, SourceSnapshot } from '../../types.js';
import { startAgain, stopRunning } from './containers.js';
import { docker } from './docker-cli.js';
import { drillTree } from './drill.js';
import { type ActiveReaders, volumeEntries } from './entries.js';
import type { DockerVolumeSourceConfig } from './schema.js';
import { findVolume, requireVolume } from './volume.js';
import { refillVolume } from './write-volume.js';

export { type DockerVolumeSourceConfig, dockerVolumeSourceSchema } from './schema.js';

/**
 * A Docker volume, read through a short-lived helper container (`tar` of the volume mounted
 * read-only), so it works for any volume driver and without access to Docker's data root.
 * Listed containers are stopped for the copy and always started again in cleanup().
 */
export const dockerVolumeSource: SourceDriver<DockerVolumeSourceConfig> = {
  type: 'docker-volume',

  async snapshot(config, ctx): Promise<SourceSnapshot> {
    const volume = await requireVolume(config, config.volume, ctx.signal);
    const stopped = await stopRunning(config, config.stop_containers, ctx);
    const active: ActiveReaders = new Set();
    let cleaned: Promise<void> | undefined;
    return {
      // Lazy: the helper starts when the engine starts reading, and streams entry by entry.
      entries: volumeEntries(config, ctx, active),
      meta: {
        volume: volume.name,
        driver: volume.driver,
        created_at: volume.createdAt,
        helper_image: config.helper_image,
        stopped_containers: stopped.map((c) => c.name),
      },
      cleanup() {
        cleaned ??= (async () => {
          // An engine that gave up mid-way may have left a helper reading; it goes before the restart.
          await Promise.all([...active].map((reader) => reader.abort()));
          active.clear();
          await startAgain(config, stopped, ctx.logger);
        })();
        return cleaned;
      },
    };
  },

  async restoreInPlace(config, extractedDir, ctx) {
    if ((await findVolume(config, config.volume, ctx.signal)) === null) {
      ctx.logger.info({ volume: config.volume }, 'volume does not exist; creating it');
      await docker(config, ['volume', 'create', config.volume], { signal: ctx.signal });
    }
    const stopped = await stopRunning(config, config.stop_containers, {
      ...ctx,
      warn: (message, details) => ctx.logger.warn(details ?? {}, message),
    });
    try {
      await refillVolume(config, extractedDir, ctx);
    } catch (err) {
      await startAgain(config, stopped, ctx.logger).catch((restartErr: unknown) =>
        ctx.logger.error({ err: restartErr }, 'could not start containers again after a failed restore'),
      );
      throw err;
    }
    await startAgain(config, stopped, ctx.logger);
  },

  async drillCheck(_config, extractedDir) {
    return drillTree(extractedDir);
  },
};
