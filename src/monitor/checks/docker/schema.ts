import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';

export function dockerCheckSchema(ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('docker').meta({ description: 'A Docker container is running and healthy.' }),
      ...commonCheckFields(ctx),
      container: z
        .string()
        .min(1, { message: 'expected a container name or id' })
        .meta({ description: 'The container to watch: its name (as `docker ps` shows it) or id.' }),
      docker_host: z
        .string()
        .regex(/^unix:\/\/\/./, {
          message: 'expected unix:///path/to/docker.sock (only unix sockets are supported)',
        })
        .optional()
        .meta({
          description:
            'The Docker Engine socket. Defaults to the DOCKER_HOST environment variable, else unix:///var/run/docker.sock. Only unix:// sockets are supported.',
          hint: 'for example unix:///run/user/1000/docker.sock for rootless Docker',
        }),
    })
    .meta({
      description:
        'Asks the Docker Engine API about a container: up when it runs and its own healthcheck (if it has one) says healthy, degraded while that healthcheck is starting, down otherwise.',
    });
}

export type DockerCheckConfig = z.output<ReturnType<typeof dockerCheckSchema>>;
