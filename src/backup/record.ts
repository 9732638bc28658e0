import type { CommandContext } from '../core/context.js';
import type { ArchivePatch, ArchiveState, BackupArchive } from '../store/backup-archives.js';

/** Every archive transition goes through the lifecycle and into the audit log. */
export function recordArchiveState(
  ctx: CommandContext,
  id: string,
  to: ArchiveState,
  patch: ArchivePatch = {},
): BackupArchive {
  const before = ctx.store.archives.require(id);
  const after = ctx.store.archives.transition(id, to, patch);
  ctx.store.audit.append({
    actor: ctx.actor,
    action: `backup.archive.${to}`,
    target: `archive:${id}`,
    details: {
      from: before.state,
      job: after.job,
      target: after.target,
      file_name: after.fileName,
      ...(to === 'completed' ? { size: after.size, sha256: after.sha256 } : {}),
      ...(patch.error ? { error: patch.error } : {}),
    },
  });
  return after;
}
