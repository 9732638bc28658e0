import { Cron } from 'croner';
import { z } from 'zod';
import { cronExpression, type FieldContext, fields } from '../../config/fields.js';
import { type Labels, type Matcher, matchersSchema, matches } from './matchers.js';

/**
 * Recurring maintenance windows from config: a cron schedule gives each window's start and a
 * duration its length. Like a silence, a window only holds back notifications.
 */

/** Used when a window names no time zone, so a window does not move with the host's zone. */
export const DEFAULT_TIMEZONE = 'UTC';

function timezoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone "${tz}"`;
  }
}

export function maintenanceSchema(ctx: FieldContext) {
  const f = fields(ctx);
  const timezone = z
    .string()
    .superRefine((tz, issue) => {
      const problem = timezoneProblem(tz);
      if (problem !== undefined) issue.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description: 'IANA time zone of the schedule (default UTC).',
      hint: 'for example Europe/Berlin',
    });

  const window = z
    .strictObject({
      name: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'What the window is for, shown with muted alerts.' }),
      schedule: cronExpression.meta({
        description: 'When each window starts (cron, 5 fields or 6 with seconds first).',
        hint: 'for example "0 3 * * *" (03:00 daily) or "0 2 * * 0" (Sundays 02:00)',
      }),
      duration: f.duration('How long each window lasts from its scheduled start.'),
      timezone: timezone.optional(),
      match: matchersSchema.prefault({}),
      comment: z.string().optional().meta({ description: 'Why; shown with muted alerts.' }),
    })
    .superRefine((w, issue) => {
      // Zod runs this even when a field failed, so each check only looks at what it owns.
      // cronExpression rejects any field count but 5–7; the 7-field (years) form is croner's
      // own extension that maintenance does not take.
      const parts = typeof w.schedule === 'string' ? w.schedule.trim().split(/\s+/).length : 0;
      if (parts === 7) {
        issue.addIssue({
          code: 'custom',
          path: ['schedule'],
          message: `expected 5 or 6 cron fields, got ${parts}`,
          params: { hint: 'minute hour day month weekday, optionally with seconds first' },
        });
      }
      // Still the written string when the duration did not parse (already reported).
      if (typeof w.duration === 'number' && !(w.duration > 0)) {
        issue.addIssue({
          code: 'custom',
          path: ['duration'],
          message: 'must be longer than 0',
          params: { hint: 'for example 2h' },
        });
      }
    })
    .meta({ description: 'A recurring window in which matching alerts do not notify.' });

  return z.array(window).default([]).meta({
    description: 'Recurring maintenance windows: matching alerts still fire but do not notify.',
  });
}

export type MaintenanceConfig = z.output<ReturnType<typeof maintenanceSchema>>;
export type MaintenanceWindow = MaintenanceConfig[number];

/** What the timing needs; tests and callers need not build a whole config entry. */
export interface WindowTiming {
  schedule: string;
  /** Milliseconds. */
  duration: number;
  timezone?: string | undefined;
}

// One Cron per window object: windows live as long as the loaded config, and parsing per
// evaluation would redo the pattern work for every alert.
const crons = new WeakMap<WindowTiming, Cron>();

function cronOf(w: WindowTiming): Cron {
  let cron = crons.get(w);
  if (cron === undefined) {
    cron = new Cron(w.schedule, {
      paused: true,
      timezone: w.timezone ?? DEFAULT_TIMEZONE,
      mode: '5-or-6-parts',
    });
    crons.set(w, cron);
  }
  return cron;
}

/** The latest scheduled start at or before now, in ms, or null when there is none. */
function lastStart(w: WindowTiming, nowMs: number): number | null {
  // previousRuns excludes a run at exactly the reference; one ms later includes it, and
  // runs fall on whole seconds, so nothing after now can slip in.
  const [start] = cronOf(w).previousRuns(1, new Date(nowMs + 1));
  return start === undefined ? null : start.getTime();
}

/** Whether now lies in [a scheduled start, start + duration). */
export function windowActive(w: WindowTiming, nowMs: number): boolean {
  const start = lastStart(w, nowMs);
  // Overlapping windows (duration longer than the interval) need no loop: the latest start
  // has the latest end.
  return start !== null && nowMs < start + w.duration;
}

/** The windows active at now whose matchers all hold for the labels. */
export function activeWindows<W extends WindowTiming & { match: Matcher[] }>(
  windows: readonly W[],
  labels: Labels,
  nowMs: number,
): W[] {
  return windows.filter((w) => windowActive(w, nowMs) && matches(w.match, labels));
}

/**
 * The earliest instant after now at which some window starts or ends, or null when no
 * schedule has a further run; the engine arms a timer there. With overlapping windows it may
 * return an instant at which nothing changes, which costs only a re-evaluation.
 */
export function nextWindowChange(windows: readonly WindowTiming[], nowMs: number): number | null {
  let next: number | null = null;
  const consider = (t: number) => {
    if (t > nowMs && (next === null || t < next)) next = t;
  };
  for (const w of windows) {
    const start = lastStart(w, nowMs);
    if (start !== null) consider(start + w.duration);
    const upcoming = cronOf(w).nextRun(new Date(nowMs));
    if (upcoming !== null) consider(upcoming.getTime());
  }
  return next;
}
