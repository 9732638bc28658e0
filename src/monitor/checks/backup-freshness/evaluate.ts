import { Cron } from 'croner';
import type { BackupRun } from '../../../store/index.js';
import { formatAge } from '../heartbeat/evaluate.js';
import type { ProbeResult } from '../types.js';

export interface FreshnessInput {
  schedule: string;
  timezone?: string;
  /** Time a run may take and still count as on time. */
  slackMs: number;
  lastSuccess: BackupRun | null;
  /** When the check first existed: the reference while no run has completed. */
  since: string;
  now: number;
}

/**
 * Is the newest completed archive of a scheduled job fresh? It is late once the scheduled
 * start after it (plus the slack a run may take) has passed without a newer one; this follows
 * irregular schedules (weekdays only, first of the month) exactly. A run that completed with
 * a target failing counts as degraded.
 */
export function evaluateFreshness(input: FreshnessInput): ProbeResult | null {
  const cron = new Cron(input.schedule, { paused: true, timezone: input.timezone });
  try {
    const last = input.lastSuccess;
    const reference = last ? Date.parse(last.startedAt) : Date.parse(input.since);
    const due = cron.nextRun(new Date(reference));
    if (!due) return { status: 'up', message: 'the schedule has no further runs' };
    const deadline = due.getTime() + input.slackMs;
    if (input.now > deadline) {
      const what = last
        ? `last completed archive is ${formatAge(input.now - reference)} old`
        : 'no completed archive yet';
      return {
        status: 'down',
        message: `${what}; the run due ${due.toISOString()} has not completed`,
        details: { due: due.toISOString() },
      };
    }
    if (!last) return null;
    const age = formatAge(input.now - Date.parse(last.finishedAt ?? last.startedAt));
    if (last.state === 'degraded') {
      return { status: 'degraded', message: `last archive ${age} ago reached only some targets` };
    }
    return { status: 'up', message: `last archive completed ${age} ago` };
  } finally {
    cron.stop();
  }
}
