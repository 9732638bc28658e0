/** What the backup capability publishes on the bus (alerting subscribes to these). */
declare module '../core/events.js' {
  interface StewardEvents {
    'backup.started': { job: string; runId: string; trigger: string };
    'backup.completed': {
      job: string;
      runId: string;
      bytes: number;
      archiveBytes: number;
      durationMs: number;
    };
    /** At least one target was skipped or failed while another completed. */
    'backup.degraded': { job: string; runId: string; problems: string[] };
    'backup.failed': { job: string; runId: string; error: string };
    /** A target that is not ready (an unmounted require_mount path, an unreachable remote). */
    'backup.target_skipped': { job: string; runId: string; target: string; reason: string };
    'backup.verified': { job: string; archiveId: string; target: string; mode: 'full' | 'checksum' };
    'backup.verify_failed': { job: string; archiveId: string; target: string; error: string };
    'backup.pruned': { job: string; target: string; removed: number; kept: number };
    'drill.passed': { job: string; recoveryPointId: string; rtoMs: number };
    'drill.failed': { job: string; recoveryPointId: string; error: string };
    'drill.rto_exceeded': { job: string; recoveryPointId: string; rtoMs: number; limitMs: number };
  }
}

export {};
