import path from 'node:path';
import { runBackup } from '../backup/index.js';
import type { CommandContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { lintTargets } from '../policy/index.js';
import type { PlannedService } from './plan.js';
import type { Stack } from './render.js';

const rank = { info: 1, warning: 2, error: 3 } as const;

export interface PolicyGateResult {
  passed: boolean;
  threshold: string;
  /** Findings at or above the threshold on the services being deployed (excepted ones are not here). */
  blocking: {
    rule: string;
    severity: string;
    service: string | null;
    file: string;
    line: number;
    column: number;
    message: string;
  }[];
  excepted: number;
}

/** The compose policy (#6) on the desired compose files: findings at or above gate.policy block. */
export function policyGate(
  ctx: CommandContext,
  stack: Stack,
  planned: readonly PlannedService[],
): PolicyGateResult {
  const threshold = ctx.config.deploy.gate.policy;
  const result: PolicyGateResult = { passed: true, threshold, blocking: [], excepted: 0 };
  if (threshold === 'off') return result;
  const compose = planned.filter((p) => p.desired.compose);
  const targets = new Map<string, string[]>();
  const services = new Set<string>();
  for (const p of compose) {
    const files = p.desired.compose?.files.map((f) => path.join(stack.dir, f)) ?? [];
    targets.set(files.join('\0'), files);
    for (const s of p.desired.compose?.services ?? []) services.add(s);
  }
  if (targets.size === 0) return result;
  const lint = lintTargets(
    [...targets.values()].map((files) => ({ files })),
    { policy: ctx.config.policy, now: ctx.clock.now() },
  );
  const min = rank[threshold];
  for (const f of lint.findings) {
    if (rank[f.severity] < min) continue;
    if (f.service !== undefined && !services.has(f.service)) continue;
    result.blocking.push({
      rule: f.ruleId,
      severity: f.severity,
      service: f.service ?? null,
      file: path.relative(stack.dir, f.file) || f.file,
      line: f.line,
      column: f.column,
      message: f.message,
    });
  }
  result.excepted = lint.suppressed.filter((f) => f.service === undefined || services.has(f.service)).length;
  result.passed = result.blocking.length === 0;
  return result;
}

export interface BackupGateResult {
  passed: boolean;
  runs: { job: string; runId: string | null; state: string; error: string | null }[];
}

/** The backup jobs in gate.backups, one after another: a recovery point before anything changes. */
export async function backupGate(
  ctx: CommandContext,
  log: (message: string) => void,
): Promise<BackupGateResult> {
  const result: BackupGateResult = { passed: true, runs: [] };
  for (const job of ctx.config.deploy.gate.backups) {
    log(`backup ${job}: starting (recovery point before the deployment)`);
    try {
      const { run } = await runBackup(ctx, { job, trigger: 'deploy' });
      // degraded: the archive reached some targets, so a recovery point exists.
      const ok = run.state === 'completed' || run.state === 'degraded';
      result.runs.push({ job, runId: run.id, state: run.state, error: run.error });
      log(`backup ${job}: ${run.state}${run.error ? ` (${run.error})` : ''}`);
      if (!ok) {
        result.passed = false;
        break;
      }
    } catch (err) {
      result.runs.push({ job, runId: null, state: 'failed', error: errorMessage(err) });
      log(`backup ${job}: could not run: ${errorMessage(err)}`);
      result.passed = false;
      break;
    }
  }
  return result;
}
