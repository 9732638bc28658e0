import type { CommandContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { DeploymentState } from '../store/index.js';
import { type DeployDeps, type Outcome, rollout } from './rollout.js';

/**
 * Deployments a killed daemon left running: each service row is brought to exactly one
 * state. A row that never started fails; a row in progress is applied again and gated (the
 * process it started died with the daemon, or the container may be half made); a row in
 * Testing is gated again as it stands. The gate then makes it Live or rolls it back.
 */
export async function recoverInterrupted(ctx: CommandContext, deps: DeployDeps): Promise<number> {
  const store = ctx.store.deployments;
  const interrupted = store.running();
  for (const deployment of interrupted) {
    const log = (message: string, level: 'info' | 'warn' | 'error' = 'warn') =>
      store.log(deployment.id, level, message);
    log('the daemon stopped during this deployment; recovering');
    let worst: Outcome = 'live';
    const rows = store.servicesOf(deployment.id);
    if (rows.every((r) => r.state === 'planned')) {
      // Stopped in the plan or the gates: nothing changed yet, so the deployment starts over.
      for (const row of rows)
        store.transitionService(row.id, 'failed', { reason: 'interrupted before it started' });
      const again = store.enqueue({
        trigger: deployment.trigger === 'rollback' ? 'rollback' : 'recovery',
        actor: 'system:recovery',
        services: deployment.services,
        commit: deployment.commit,
        rollbackTo: deployment.rollbackTo,
      });
      log(`nothing had changed yet; queued again as ${again.id}`);
      store.transition(deployment.id, 'failed', {
        error: `interrupted before any service changed; queued again as ${again.id}`,
      });
      continue;
    }
    try {
      for (const row of rows) {
        if (row.state === 'planned') {
          store.transitionService(row.id, 'failed', { reason: 'interrupted before it started' });
          continue;
        }
        if (row.state !== 'in_progress' && row.state !== 'testing') {
          if (row.state === 'failed' || row.state === 'rolled_back') worst = row.state;
          continue;
        }
        const previousRow = row.previousId ? store.getService(row.previousId) : null;
        const previous = previousRow?.state === 'live' ? previousRow : null;
        const canApply = row.snapshotDir !== null;
        log(
          `${row.service}: was ${row.state.replace('_', ' ')}; ${canApply ? 'applying again and gating' : 'no snapshot'}`,
        );
        if (!canApply) {
          store.transitionService(row.id, 'failed', { reason: 'interrupted before its definition was kept' });
          worst = 'failed';
          continue;
        }
        const outcome = await rollout(ctx, deps, 'system:recovery', row, previous, {
          apply: row.kind === 'native' || row.state === 'in_progress',
          validate: false,
        });
        if (outcome !== 'live') worst = outcome;
      }
    } catch (err) {
      log(`recovery failed: ${errorMessage(err)}`, 'error');
      worst = 'failed';
    }
    const final: DeploymentState = worst === 'live' ? 'succeeded' : worst;
    store.transition(deployment.id, final, { error: 'interrupted by a daemon stop; recovered at restart' });
    ctx.store.audit.append({
      actor: 'system:recovery',
      action: `deploy.${final}`,
      target: `deployment:${deployment.id}`,
      details: { recovered: true },
    });
  }
  return interrupted.length;
}
