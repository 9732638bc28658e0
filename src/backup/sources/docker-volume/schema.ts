import { z } from 'zod';
import { type FieldContext, nameKey } from '../../../config/fields.js';

/**
 * A named Docker volume, read and refilled through a short-lived helper container. `ctx` is
 * unused (no paths here) but taken so that every source schema is built the same way.
 */
export function dockerVolumeSourceSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('docker-volume').meta({ description: 'Back up the contents of a Docker volume.' }),
      name: nameKey.meta({
        description: 'Name of this source; its files go under sources/<name>/ in the archive.',
      }),
      volume: z
        .string()
        .min(1, { message: 'expected a volume name' })
        .meta({ description: 'Name of the Docker volume, as `docker volume ls` shows it.' }),
      stop_containers: z.array(z.string().min(1)).default([]).meta({
        description:
          'Containers (names or ids) to stop while the volume is copied or restored, for a consistent copy. Only those running are stopped, and they are always started again afterwards.',
      }),
      helper_image: z.string().min(1).default('busybox:stable').meta({
        description:
          "Image of the short-lived container that reads the volume (and refills it on restore), so that Steward needs no access to the volume's mountpoint. Must contain sh and tar, plus rm, mkdir and mv for restores (busybox has all of them); it runs without network.",
      }),
      docker: z
        .string()
        .min(1)
        .default('docker')
        .meta({ description: 'The docker CLI binary: a name on PATH or an absolute path.' }),
      host: z.string().min(1).optional().meta({
        description:
          'Docker daemon to talk to (DOCKER_HOST), e.g. unix:///run/docker.sock; the CLI default when unset.',
      }),
    })
    .meta({ description: 'A Docker volume.' });
}

export type DockerVolumeSourceConfig = z.output<ReturnType<typeof dockerVolumeSourceSchema>>;
