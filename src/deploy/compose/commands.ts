import { parse } from 'yaml';
import { engineSocketPath, imagePresent } from '../../core/docker-engine.js';
import { type ErrorCode, StewardError } from '../../core/errors.js';
import { type ComposeCli, type ComposeRunResult, runCompose, tail } from './cli.js';
import { writeOverride } from './override.js';
import { type ComposeTarget, overrideExists, targetArgs } from './target.js';

export interface ComposeOutput {
  stdoutTail: string;
  stderrTail: string;
}

function run(
  cli: ComposeCli,
  t: ComposeTarget,
  args: string[],
  signal?: AbortSignal,
): Promise<ComposeRunResult> {
  return runCompose(cli, args, { env: t.env, cwd: t.projectDir, signal });
}

/** A failed compose run as an error: compose's own words first, the full tails in details. */
function failure(code: ErrorCode, what: string, cli: ComposeCli, result: ComposeRunResult): StewardError {
  const details = {
    exitCode: result.exitCode ?? null,
    stdoutTail: tail(result.stdout),
    stderrTail: tail(result.stderr),
  };
  if (result.exitCode === undefined) {
    return new StewardError('E_EXTERNAL', `${what}: could not run ${cli.command}`, {
      details,
      hint: `is ${cli.command} installed and on PATH?`,
    });
  }
  const said = (result.stderr.trim() || result.stdout.trim()).slice(-2000);
  return new StewardError(code, `${what}: ${said || `exit code ${result.exitCode}`}`, { details });
}

/** `config -q`: compose's own validation of the merged files (and env file). */
export async function composeValidate(
  cli: ComposeCli,
  t: ComposeTarget,
  signal?: AbortSignal,
): Promise<void> {
  const result = await run(cli, t, [...targetArgs(t), 'config', '-q'], signal);
  if (result.exitCode !== 0)
    throw failure('E_CONFIG', `compose project ${t.project} is invalid`, cli, result);
}

interface ServiceModel {
  image?: unknown;
  build?: unknown;
}

/** The merged, interpolated model as compose resolves it: the only safe source of image names. */
async function resolvedServices(
  cli: ComposeCli,
  t: ComposeTarget,
  signal?: AbortSignal,
): Promise<Record<string, ServiceModel>> {
  const result = await run(cli, t, [...targetArgs(t), 'config'], signal);
  if (result.exitCode !== 0)
    throw failure('E_CONFIG', `compose project ${t.project} is invalid`, cli, result);
  const model = parse(result.stdout) as { services?: Record<string, ServiceModel> } | null;
  return model?.services ?? {};
}

/**
 * Pulls the target services' images, except images the engine already holds (no registry may
 * be reachable, and a pinned local image needs no round trip) and services that are built.
 */
export async function composePull(
  cli: ComposeCli,
  t: ComposeTarget,
  signal?: AbortSignal,
): Promise<{ pulled: string[]; skipped: string[] }> {
  const services = await resolvedServices(cli, t, signal);
  const socketPath = engineSocketPath(t.env.DOCKER_HOST ?? process.env.DOCKER_HOST);
  const present = new Map<string, boolean>();
  const toPull: string[] = [];
  const pulled = new Set<string>();
  const skipped = new Set<string>();
  for (const name of t.services) {
    const service = services[name];
    if (service === undefined) {
      throw new StewardError('E_CONFIG', `compose project ${t.project} has no service ${name}`, {
        hint: `services defined: ${Object.keys(services).join(', ') || 'none'}`,
      });
    }
    const image = typeof service.image === 'string' ? service.image : undefined;
    if (service.build !== undefined) {
      // `up` builds it; a pull would look for an image that was never pushed.
      if (image !== undefined) skipped.add(image);
      continue;
    }
    if (image === undefined) throw new StewardError('E_CONFIG', `compose service ${name} has no image`);
    let has = present.get(image);
    if (has === undefined) {
      has = await imagePresent(socketPath, image, signal);
      present.set(image, has);
    }
    if (has) {
      skipped.add(image);
    } else {
      toPull.push(name);
      pulled.add(image);
    }
  }
  if (toPull.length > 0) {
    const result = await run(cli, t, [...targetArgs(t), 'pull', '-q', ...toPull], signal);
    if (result.exitCode !== 0) {
      throw failure('E_EXTERNAL', `pulling ${[...pulled].join(', ')} failed`, cli, result);
    }
  }
  return { pulled: [...pulled], skipped: [...skipped] };
}

/**
 * Writes the label override, then `up -d --no-deps` of the target services only: services
 * this deployment does not cover (dependencies included) are left as they run.
 */
export async function composeUp(
  cli: ComposeCli,
  t: ComposeTarget,
  opts: { forceRecreate?: boolean; signal?: AbortSignal } = {},
): Promise<ComposeOutput> {
  if (t.services.length === 0)
    throw new StewardError('E_CONFIG', `no compose services to start in ${t.project}`);
  writeOverride(t);
  const args = [...targetArgs(t, { override: true }), 'up', '-d', '--no-deps'];
  if (opts.forceRecreate) args.push('--force-recreate');
  const result = await run(cli, t, [...args, ...t.services], opts.signal);
  if (result.exitCode !== 0)
    throw failure('E_EXTERNAL', `compose up of ${t.services.join(', ')} failed`, cli, result);
  return { stdoutTail: tail(result.stdout), stderrTail: tail(result.stderr) };
}

/** `stop` then `rm -f` of the target services (tests and decommission); the project network stays. */
export async function composeDown(cli: ComposeCli, t: ComposeTarget, signal?: AbortSignal): Promise<void> {
  if (t.services.length === 0) return;
  // With the override when there is one, so that compose's model matches what `up` started.
  const base = targetArgs(t, { override: overrideExists(t) });
  for (const command of [['stop'], ['rm', '-f']]) {
    const result = await run(cli, t, [...base, ...command, ...t.services], signal);
    if (result.exitCode !== 0) {
      throw failure('E_EXTERNAL', `compose ${command[0]} of ${t.services.join(', ')} failed`, cli, result);
    }
  }
}
