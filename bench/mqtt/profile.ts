/**
 * Where the daemon's time goes: its V8 CPU profile (`node --cpu-prof`, written when it exits)
 * summed by self time, per function and per area (package or source folder).
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time by area: a package under node_modules, a folder of dist/, node internals, GC, idle. */
  areas: { area: string; ms: number; share: number }[];
  /** The functions with the most self time. */
  functions: { fn: string; area: string; ms: number; share: number }[];
}

function area(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)' || fn === '(program)' || fn === '(root)') return fn;
  if (!url) return 'native';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const dist = /\/dist\/(.+)\/[^/]+$/.exec(url);
  if (dist) return `steward ${dist[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return path.basename(url);
}

/** Summarizes the newest .cpuprofile in `dir`; null when there is none. */
export function summarizeProfile(dir: string, top = 15): ProfileSummary | null {
  if (!fs.existsSync(dir)) return null;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  const file = files[0];
  if (!file) return null;
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Self time per node: each sample's delta is charged to the node it landed in.
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const areas = new Map<string, number>();
  const fns = new Map<string, { area: string; ms: number }>();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const a = area(url, functionName);
    if (a === '(idle)') continue;
    total += ms;
    areas.set(a, (areas.get(a) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    const f = fns.get(key) ?? { area: a, ms: 0 };
    f.ms += ms;
    fns.set(key, f);
  }
  const share = (ms: number) => (total > 0 ? ms / total : 0);
  return {
    file,
    totalMs: total,
    areas: [...areas].map(([a, ms]) => ({ area: a, ms, share: share(ms) })).sort((x, y) => y.ms - x.ms),
    functions: [...fns]
      .map(([fn, f]) => ({ fn: fn.trim(), area: f.area, ms: f.ms, share: share(f.ms) }))
      .sort((x, y) => y.ms - x.ms)
      .slice(0, top),
  };
}
