import fs from 'node:fs';
import path from 'node:path';
import { parseListen } from '../../../config/schema.js';
import { StewardError } from '../../../core/errors.js';
import { readEnvFile } from '../../../policy/index.js';
import { installRelease, pruneReleases, type ReleaseLayout, switchCurrent } from '../../releases/index.js';
import type { DeployDriver, DeployUnit, DriverContext, Verdict } from '../types.js';
import { httpOk, systemctl } from './probe.js';

interface NativeDetail {
  version: string;
  source?: string;
  port?: number | null;
}

function nativeOf(unit: DeployUnit) {
  const native = unit.spec.native;
  if (!native) throw new StewardError('E_CONFIG', `${unit.service} has no native: settings`);
  return native;
}

function layoutOf(unit: DeployUnit): ReleaseLayout {
  const n = nativeOf(unit);
  return { releasesDir: n.releases_dir, current: n.current, keep: n.keep };
}

function detailOf(unit: DeployUnit): NativeDetail {
  const d = unit.detail as Partial<NativeDetail>;
  if (!d.version)
    throw new Error(`deployment ${unit.deploymentId} of ${unit.service} has no release version recorded`);
  return { version: d.version, ...(d.source ? { source: d.source } : {}), port: d.port ?? null };
}

const blueGreen = (unit: DeployUnit) =>
  unit.spec.strategy === 'blue-green' && unit.spec.blue_green !== undefined;

/** The port the unit runs on: its recorded colour, else the idle one of the pair, else native.port. */
function portFor(ctx: DriverContext, unit: DeployUnit, previous: DeployUnit | null): number | null {
  const recorded = (unit.detail as { port?: number | null }).port;
  if (typeof recorded === 'number') return recorded;
  const bg = unit.spec.blue_green;
  if (blueGreen(unit) && bg) {
    const live =
      (previous?.detail as { port?: number } | undefined)?.port ??
      ctx.runtime.proxy(unit.service)?.upstream?.port;
    const [first, second] = bg.ports;
    return (live === first ? second : first) ?? null;
  }
  return nativeOf(unit).port ?? null;
}

async function startProcess(ctx: DriverContext, unit: DeployUnit, port: number | null): Promise<void> {
  const native = nativeOf(unit);
  const cwd = path.join(native.releases_dir, detailOf(unit).version);
  const env: Record<string, string> = native.env_file ? readEnvFile(native.env_file) : {};
  if (port !== null) env.PORT = String(port);
  await ctx.runtime.startProcess(unit.service, port ?? 0, {
    command: native.run.replaceAll('{port}', port === null ? '' : String(port)),
    cwd,
    env,
    maxLogBytes: native.log_max_size,
    keepLogFiles: native.log_files,
  });
}

/**
 * Native services: a release unpacked under releases_dir, `current` switched atomically, run by
 * Steward (supervised) or systemd. Blue/green starts the new release on the idle port beside the
 * live one, gates it there, then switches the proxy and drains the old one.
 */
export const nativeDriver: DeployDriver = {
  kind: 'native',
  async validate(_ctx, unit) {
    const d = detailOf(unit);
    const releaseDir = path.join(nativeOf(unit).releases_dir, d.version);
    if (!fs.existsSync(releaseDir) && !(d.source && fs.existsSync(d.source))) {
      throw new StewardError(
        'E_NOT_FOUND',
        `release ${d.version} of ${unit.service} is neither installed nor in the stack`,
      );
    }
  },

  async apply(ctx, unit, previous) {
    const native = nativeOf(unit);
    const d = detailOf(unit);
    const layout = layoutOf(unit);
    if (!fs.existsSync(path.join(native.releases_dir, d.version))) {
      if (!d.source) throw new StewardError('E_NOT_FOUND', `release ${d.version} is not installed any more`);
      await installRelease(layout, d.version, d.source);
      ctx.log(`installed release ${d.version}`);
    }
    const port = portFor(ctx, unit, previous);
    if (native.runner === 'systemd') {
      switchCurrent(layout, d.version);
      await systemctl(['restart', unitName(unit.service)], ctx.env);
      ctx.log(`current → ${d.version}; systemctl restart ${unitName(unit.service)}`);
      return { version: d.version, port };
    }
    if (blueGreen(unit) && port !== null) {
      ctx.log(`starting ${d.version} on the idle port ${port}`);
      await startProcess(ctx, unit, port);
      return { version: d.version, port };
    }
    // recreate: the old process stops, current moves, the new one starts in its place.
    switchCurrent(layout, d.version);
    await startProcess(ctx, unit, port);
    ctx.log(`current → ${d.version}; started${port === null ? '' : ` on port ${port}`}`);
    return { version: d.version, port };
  },

  async observe(ctx, unit): Promise<Verdict> {
    const native = nativeOf(unit);
    const port = (unit.detail as { port?: number | null }).port ?? null;
    if (native.runner === 'systemd') {
      const state = await systemctl(['is-active', unitName(unit.service)], ctx.env, { allowFailure: true });
      if (state === 'active') return { verdict: 'healthy', reason: `${unitName(unit.service)} is active` };
      if (state === 'failed') return { verdict: 'failed', reason: `${unitName(unit.service)} failed` };
      return { verdict: 'pending', reason: `${unitName(unit.service)} is ${state || 'unknown'}` };
    }
    const proc = ctx.runtime.process(unit.service, port ?? 0);
    if (!proc) return { verdict: 'failed', reason: 'the process is not running' };
    if (proc.state === 'crash-loop')
      return { verdict: 'failed', reason: `crash loop (${proc.restarts} restarts)` };
    if (proc.restarts > 0)
      return { verdict: 'failed', reason: `the process exited and was restarted ${proc.restarts} time(s)` };
    if (proc.state !== 'running') return { verdict: 'pending', reason: `process ${proc.state}` };
    if (blueGreen(unit) && port !== null) {
      const bg = unit.spec.blue_green;
      const probe = await httpOk(`http://127.0.0.1:${port}${bg?.health_path ?? '/'}`);
      return probe.ok
        ? { verdict: 'healthy', reason: `port ${port} answers ${probe.detail}` }
        : { verdict: 'pending', reason: `port ${port}: ${probe.detail}` };
    }
    return { verdict: 'healthy', reason: `pid ${proc.pid} running` };
  },

  async promote(ctx, unit, previous) {
    const d = detailOf(unit);
    const layout = layoutOf(unit);
    const port = (unit.detail as { port?: number | null }).port ?? null;
    const bg = unit.spec.blue_green;
    if (blueGreen(unit) && bg && port !== null) {
      const proxy = await ctx.runtime.ensureProxy(unit.service, parseListen(bg.listen), bg.drain_timeout);
      const old = proxy.upstream?.port ?? null;
      const result = await proxy.switchTo({ host: '127.0.0.1', port });
      ctx.log(
        `traffic on ${bg.listen} → port ${port} (${result.inFlightAtSwitch} request(s) in flight on the old colour, ${result.drained ? 'drained' : 'cut at the drain timeout'})`,
      );
      switchCurrent(layout, d.version);
      if (old !== null && old !== port) await ctx.runtime.stopProcess(unit.service, old);
    }
    const protect = previous ? [(previous.detail as { version?: string }).version ?? ''].filter(Boolean) : [];
    const removed = pruneReleases(layout, protect);
    if (removed.length) ctx.log(`pruned releases ${removed.join(', ')}`);
  },

  async abandon(ctx, unit, previous) {
    const native = nativeOf(unit);
    const port = (unit.detail as { port?: number | null }).port ?? null;
    if (native.runner === 'systemd') return { reapplyPrevious: true };
    if (blueGreen(unit) && port !== null) {
      await ctx.runtime.stopProcess(unit.service, port);
      const prevPort = (previous?.detail as { port?: number } | undefined)?.port;
      const stillRunning =
        prevPort !== undefined && ctx.runtime.process(unit.service, prevPort) !== undefined;
      return { reapplyPrevious: !stillRunning };
    }
    await ctx.runtime.stopProcess(unit.service, port ?? 0);
    return { reapplyPrevious: true };
  },

  async resume(ctx, unit) {
    const native = nativeOf(unit);
    if (native.runner === 'systemd') return;
    const port = (unit.detail as { port?: number | null }).port ?? native.port ?? null;
    await startProcess(ctx, unit, port);
    const bg = unit.spec.blue_green;
    if (blueGreen(unit) && bg && port !== null) {
      const proxy = await ctx.runtime.ensureProxy(unit.service, parseListen(bg.listen), bg.drain_timeout);
      await proxy.switchTo({ host: '127.0.0.1', port });
    }
  },

  async shutdown(ctx, service) {
    await ctx.runtime.stopService(service);
  },
};

export function unitName(service: string): string {
  return `steward-${service}.service`;
}
