import { type EngineAnswer, engineGet } from '../../../core/docker-engine.js';
import { errorMessage } from '../../../core/errors.js';
import type { CheckDriver, ProbeResult } from '../types.js';
import type { DockerCheckConfig } from './schema.js';

export { type DockerCheckConfig, dockerCheckSchema } from './schema.js';

const DEFAULT_HOST = 'unix:///var/run/docker.sock';
const LINE_MAX = 200;

/** The parts of GET /containers/{id}/json this check reads. */
interface ContainerInspect {
  RestartCount?: number;
  Config?: { Image?: string };
  State?: {
    Status?: string;
    ExitCode?: number;
    Health?: { Status?: string; Log?: { ExitCode?: number; Output?: string }[] };
  };
}

function lastLine(text: string | undefined): string {
  const line =
    (text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? '';
  return line.length > LINE_MAX ? `${line.slice(0, LINE_MAX - 1)}…` : line;
}

function apiMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the text itself says more than nothing.
  }
  return lastLine(body);
}

/** Verdict on an inspected container: its state first, then its own healthcheck, if it has one. */
function verdict(info: ContainerInspect): Pick<ProbeResult, 'status' | 'message'> {
  const state = info.State?.Status ?? 'unknown';
  const code = info.State?.ExitCode;
  if (state !== 'running') {
    const withCode = ['exited', 'dead', 'restarting'].includes(state) && code !== undefined;
    return { status: 'down', message: withCode ? `${state} (code ${code})` : state };
  }
  const health = info.State?.Health;
  if (health?.Status === undefined || health.Status === 'none') {
    return { status: 'up', message: 'running (no healthcheck)' };
  }
  if (health.Status === 'healthy') return { status: 'up', message: 'running, healthy' };
  if (health.Status === 'starting') return { status: 'degraded', message: 'running, healthcheck starting' };
  const last = health.Log?.at(-1);
  const why = lastLine(last?.Output) || `healthcheck exited with code ${last?.ExitCode ?? '?'}`;
  return { status: 'down', message: `${health.Status}: ${why}` };
}

/** Talks to the Engine API directly: no docker CLI needed, and one request per probe. */
export const dockerCheck: CheckDriver<DockerCheckConfig> = {
  async probe(config, ctx): Promise<ProbeResult> {
    const timedOut: ProbeResult = { status: 'down', message: `timed out after ${ctx.timeoutMs} ms` };
    if (ctx.signal.aborted) return timedOut;
    const host = config.docker_host ?? (process.env.DOCKER_HOST || DEFAULT_HOST);
    if (!host.startsWith('unix://')) {
      return {
        status: 'down',
        message: `unsupported docker host ${host}: only unix:// sockets are supported`,
      };
    }
    const socketPath = host.slice('unix://'.length);

    const started = performance.now();
    let answer: EngineAnswer;
    try {
      answer = await engineGet(
        socketPath,
        `/containers/${encodeURIComponent(config.container)}/json`,
        ctx.signal,
      );
    } catch (err) {
      if (ctx.signal.aborted) return timedOut;
      return { status: 'down', message: errorMessage(err) };
    }
    const latencyMs = Math.round(performance.now() - started);

    if (answer.status === 404)
      return { status: 'down', message: `no such container: ${config.container}`, latencyMs };
    if (answer.status !== 200) {
      const message = `docker answered HTTP ${answer.status}: ${apiMessage(answer.body)}`;
      return { status: 'down', message, latencyMs };
    }
    let info: ContainerInspect;
    try {
      info = JSON.parse(answer.body) as ContainerInspect;
    } catch {
      return { status: 'down', message: 'docker answered with something other than JSON', latencyMs };
    }
    return {
      ...verdict(info),
      latencyMs,
      details: {
        state: info.State?.Status ?? 'unknown',
        health: info.State?.Health?.Status ?? 'none',
        restart_count: info.RestartCount ?? 0,
        image: info.Config?.Image ?? '',
      },
    };
  },
};
