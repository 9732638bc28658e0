import http from 'node:http';
import { StewardError } from './errors.js';

const DEFAULT_SOCKET = '/var/run/docker.sock';
/** A container list of a big host is a few MiB; more means something other than dockerd answers. */
const MAX_BODY = 32 * 1024 * 1024;
const TIMEOUT_MS = 15_000;

export interface EngineAnswer {
  status: number;
  body: string;
}

/**
 * The unix socket a DOCKER_HOST names. Only unix:// is supported: talking to the Engine API
 * over tcp:// needs TLS client certificates, which Steward does not handle here.
 */
export function engineSocketPath(dockerHost: string | undefined): string {
  if (dockerHost === undefined || dockerHost === '') return DEFAULT_SOCKET;
  if (dockerHost.startsWith('unix://')) return dockerHost.slice('unix://'.length);
  throw new StewardError(
    'E_CONFIG',
    `unsupported DOCKER_HOST ${dockerHost}: only unix:// sockets are supported`,
    {
      hint: 'point DOCKER_HOST at the engine socket, e.g. unix:///var/run/docker.sock',
    },
  );
}

function unreachable(err: NodeJS.ErrnoException, socketPath: string): StewardError {
  const why =
    err.code === 'ENOENT'
      ? `no docker socket at ${socketPath}`
      : err.code === 'ECONNREFUSED'
        ? `docker is not listening on ${socketPath}`
        : err.code === 'EACCES'
          ? `permission denied on ${socketPath}`
          : `cannot reach docker at ${socketPath}: ${err.message}`;
  return new StewardError('E_EXTERNAL', why, {
    cause: err,
    hint: err.code === 'EACCES' ? 'add the steward user to the docker group' : 'is dockerd running?',
  });
}

/** One GET on its own connection (agent: false): nothing stays open between observations. */
export function engineGet(socketPath: string, path: string, signal?: AbortSignal): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path, method: 'GET', agent: false, signal, headers: { host: 'docker' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) req.destroy(new Error('the docker answer is too large'));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`docker did not answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.name === 'AbortError' ? err : unreachable(err, socketPath));
    });
    req.end();
  });
}

function apiMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the text itself says more than nothing.
  }
  return body.trim().slice(0, 200);
}

/** GET parsed as JSON; null on 404 (the object does not exist), StewardError on anything else but 200. */
export async function engineGetJson(
  socketPath: string,
  path: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const answer = await engineGet(socketPath, path, signal);
  if (answer.status === 404) return null;
  if (answer.status !== 200) {
    throw new StewardError(
      'E_EXTERNAL',
      `docker answered HTTP ${answer.status} for ${path}: ${apiMessage(answer.body)}`,
    );
  }
  try {
    return JSON.parse(answer.body) as unknown;
  } catch (err) {
    throw new StewardError('E_EXTERNAL', `docker answered ${path} with something other than JSON`, {
      cause: err,
    });
  }
}

/** Image references as compose writes them: name[:tag][@digest]; anything else is not sent in a URL path. */
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

/** Whether the engine already holds `image` (GET /images/<name>/json answers 200). */
export async function imagePresent(
  socketPath: string,
  image: string,
  signal?: AbortSignal,
): Promise<boolean> {
  if (!IMAGE_REF.test(image) || image.includes('..')) {
    throw new StewardError('E_CONFIG', `not an image reference: ${JSON.stringify(image)}`);
  }
  // The route is /images/{name:.*}/json: the slashes of a repository name go in as they are.
  return (await engineGetJson(socketPath, `/images/${image}/json`, signal)) !== null;
}
