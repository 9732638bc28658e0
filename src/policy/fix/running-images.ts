import http from 'node:http';

/** What runs now: the repo tags of the image a service's container was started from. */
export interface RunningImages {
  /** Repo tags (`nginx:1.27.2`) of the image the service's container runs; [] when not known. */
  tagsFor(service: string, image: string): Promise<string[]>;
}

/** For when Docker is not to be asked: no tag is ever known, so no image is pinned. */
export const noRunningImages: RunningImages = {
  tagsFor: async () => [],
};

export interface DockerOptions {
  /** The compose project name; without it a service of the same name in another project could answer. */
  project?: string;
  timeoutMs?: number;
}

const MAX_BODY = 16 * 1024 * 1024;

/** GET over the Engine API's unix socket, parsed as JSON; rejects on anything but 200. */
function getJson(socketPath: string, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path, method: 'GET', headers: { Host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) req.destroy(new Error('docker answer too large'));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`docker answered ${res.statusCode} for ${path}`));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('docker did not answer in time')));
    req.on('error', reject);
    req.end();
  });
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Asks the Docker Engine which image the service's running container uses, then that image's
 * repo tags. Any failure (no socket, no permission, no container, several different images)
 * means "not known": [] and no fix, never an error.
 */
export function dockerRunningImages(
  socketPath = '/var/run/docker.sock',
  opts: DockerOptions = {},
): RunningImages {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return {
    async tagsFor(service: string): Promise<string[]> {
      try {
        const label = [`com.docker.compose.service=${service}`];
        if (opts.project) label.push(`com.docker.compose.project=${opts.project}`);
        const filters = encodeURIComponent(JSON.stringify({ label }));
        const containers = await getJson(socketPath, `/containers/json?filters=${filters}`, timeoutMs);
        if (!Array.isArray(containers)) return [];
        const ids = new Set(containers.map((c) => field(c, 'ImageID')));
        const [id] = ids;
        // Several images (two projects, or a rollout half done): which one to pin is not known.
        if (ids.size !== 1 || typeof id !== 'string' || !/^[A-Za-z0-9:]+$/.test(id)) return [];
        const tags = field(await getJson(socketPath, `/images/${id}/json`, timeoutMs), 'RepoTags');
        return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
      } catch {
        return [];
      }
    },
  };
}
