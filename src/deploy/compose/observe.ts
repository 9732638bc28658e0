import { engineGetJson, engineSocketPath } from '../../core/docker-engine.js';

export interface ContainerObservation {
  id: string;
  /** Without docker's leading "/". */
  name: string;
  service: string;
  /** The image as the container was created from it (Config.Image), e.g. local/busybox:1. */
  image: string;
  /** running, exited, restarting, created, paused, dead, removing. */
  state: string;
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  restartCount: number;
  /** null while the container has not exited yet (created, running). */
  exitCode: number | null;
  startedAt: string | null;
  labels: Record<string, string>;
}

/** The parts of GET /containers/{id}/json read here. */
interface Inspect {
  Id?: string;
  Name?: string;
  RestartCount?: number;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: { Status?: string; ExitCode?: number; StartedAt?: string; Health?: { Status?: string } };
}

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
const ONEOFF_LABEL = 'com.docker.compose.oneoff';
/** Docker's zero time: the container never started. */
const NEVER = '0001-01-01T00:00:00Z';

function health(status: string | undefined): ContainerObservation['health'] {
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

function observation(info: Inspect): ContainerObservation | null {
  const labels = info.Config?.Labels ?? {};
  const service = labels[SERVICE_LABEL];
  if (info.Id === undefined || service === undefined) return null;
  const state = info.State?.Status ?? 'unknown';
  const startedAt = info.State?.StartedAt;
  return {
    id: info.Id,
    name: (info.Name ?? '').replace(/^\//, ''),
    service,
    image: info.Config?.Image ?? '',
    state,
    health: health(info.State?.Health?.Status),
    restartCount: info.RestartCount ?? 0,
    exitCode: state === 'created' || state === 'running' ? null : (info.State?.ExitCode ?? null),
    startedAt: startedAt === undefined || startedAt.startsWith(NEVER.slice(0, 10)) ? null : startedAt,
    labels,
  };
}

/**
 * The containers (running or not) of `services` in compose project `project`, found by the
 * labels compose puts on them; one inspect each for health, restarts and exit code.
 */
export async function observeContainers(
  dockerHost: string | undefined,
  project: string,
  services: string[],
): Promise<ContainerObservation[]> {
  const socketPath = engineSocketPath(dockerHost);
  // One label filter: several values of the same key would have to match all at once.
  const filters = encodeURIComponent(JSON.stringify({ label: [`${PROJECT_LABEL}=${project}`] }));
  const list = await engineGetJson(socketPath, `/containers/json?all=1&filters=${filters}`);
  if (!Array.isArray(list)) return [];
  const wanted = new Set(services);
  const ids = list
    .filter((c: { Id?: unknown; Labels?: Record<string, string> | null }) => {
      const service = c.Labels?.[SERVICE_LABEL];
      // `compose run` one-offs carry the service's labels but are not the service.
      if (c.Labels?.[ONEOFF_LABEL] === 'True') return false;
      return typeof c.Id === 'string' && service !== undefined && wanted.has(service);
    })
    .map((c: { Id: string }) => c.Id);
  const found: ContainerObservation[] = [];
  for (const id of ids) {
    // null: removed between the list and the inspect (compose replacing it); not there any more.
    const info = (await engineGetJson(
      socketPath,
      `/containers/${encodeURIComponent(id)}/json`,
    )) as Inspect | null;
    const seen = info === null ? null : observation(info);
    if (seen !== null) found.push(seen);
  }
  return found.sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}
