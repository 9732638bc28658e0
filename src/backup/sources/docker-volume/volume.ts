import { StewardError } from '../../../core/errors.js';
import { DockerCommandError, type DockerTarget, docker } from './docker-cli.js';

export interface VolumeInfo {
  name: string;
  driver: string;
  mountpoint: string;
  createdAt?: string;
  labels: Record<string, string>;
}

interface InspectOutput {
  Name?: string;
  Driver?: string;
  Mountpoint?: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
}

/** `docker volume inspect`, or null when the daemon says the volume does not exist. */
export async function findVolume(
  config: DockerTarget,
  volume: string,
  signal?: AbortSignal,
): Promise<VolumeInfo | null> {
  let stdout: string;
  try {
    stdout = await docker(config, ['volume', 'inspect', '--format', '{{json .}}', volume], { signal });
  } catch (err) {
    if (err instanceof DockerCommandError && /no such volume/i.test(err.stderr)) return null;
    throw err;
  }
  const parsed = JSON.parse(stdout) as InspectOutput;
  return {
    name: parsed.Name ?? volume,
    driver: parsed.Driver ?? 'local',
    mountpoint: parsed.Mountpoint ?? '',
    createdAt: parsed.CreatedAt,
    labels: parsed.Labels ?? {},
  };
}

export async function requireVolume(
  config: DockerTarget,
  volume: string,
  signal?: AbortSignal,
): Promise<VolumeInfo> {
  const info = await findVolume(config, volume, signal);
  if (info === null) {
    throw new StewardError('E_NOT_FOUND', `docker volume "${volume}" does not exist`, {
      hint: 'check the name with `docker volume ls` (compose prefixes volumes with the project name)',
      details: { volume },
    });
  }
  return info;
}
