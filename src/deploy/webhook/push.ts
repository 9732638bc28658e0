import { z } from 'zod';
import type { WebhookProvider } from './verify.js';

export interface PushInfo {
  /** refs/heads/main, refs/tags/v1 … */
  ref: string | null;
  /** The branch, when ref names one. */
  branch: string | null;
  /** The new head; null when the push deleted the ref. */
  commit: string | null;
  pusher: string | null;
  /** owner/name (GitHub, Gitea) or group/…/project (GitLab). */
  repository: string | null;
}

const empty: PushInfo = { ref: null, branch: null, commit: null, pusher: null, repository: null };

/**
 * Lenient on purpose: every field is optional and a field of the wrong type reads as null, so a
 * provider adding, renaming or retyping a field degrades to "unknown", never to an exception.
 */
const text = z.string().trim().min(1).max(1024).nullable().catch(null);
const obj = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape).nullable().catch(null);

const githubLike = z.looseObject({
  ref: text,
  after: text,
  pusher: obj({ name: text, login: text, username: text }),
  sender: obj({ login: text, username: text }),
  repository: obj({ full_name: text }),
});

const gitlab = z.looseObject({
  object_kind: text,
  ref: text,
  after: text,
  checkout_sha: text,
  user_username: text,
  user_name: text,
  project: obj({ path_with_namespace: text }),
  repository: obj({ name: text }),
});

/** Events that are pushes; anything else named explicitly is not one (a `create` event also has `ref`). */
const pushEvents: Record<WebhookProvider, readonly string[]> = {
  github: ['push'],
  gitea: ['push'],
  gitlab: ['push hook', 'push', 'tag push hook', 'tag_push'],
};

function commitId(sha: string | null): string | null {
  if (sha === null || !/^[0-9a-fA-F]{40,64}$/.test(sha)) return null;
  // All zeros: the ref was deleted, there is nothing to deploy.
  return /^0+$/.test(sha) ? null : sha.toLowerCase();
}

function withRef(ref: string | null, rest: Omit<PushInfo, 'ref' | 'branch'>): PushInfo {
  const branch = ref?.startsWith('refs/heads/') && ref.length > 11 ? ref.slice(11) : null;
  return { ref, branch, ...rest };
}

/** What a push webhook says was pushed: ref, branch, new head, who, where. Never throws. */
export function parsePush(provider: WebhookProvider, event: string | null, body: unknown): PushInfo {
  try {
    return parse(provider, event, body);
  } catch {
    // safeParse does not throw on data, but a hostile object (a throwing getter, a Proxy) could.
    return { ...empty };
  }
}

function parse(provider: WebhookProvider, event: string | null, body: unknown): PushInfo {
  if (event !== null && !pushEvents[provider].includes(event.trim().toLowerCase())) return { ...empty };
  if (provider === 'gitlab') {
    const r = gitlab.safeParse(body);
    if (!r.success) return { ...empty };
    const b = r.data;
    if (b.object_kind !== null && b.object_kind !== 'push' && b.object_kind !== 'tag_push')
      return { ...empty };
    return withRef(b.ref, {
      // checkout_sha is null on deletion; `after` is the zero id then.
      commit: commitId(b.checkout_sha ?? b.after),
      pusher: b.user_username ?? b.user_name,
      repository: b.project?.path_with_namespace ?? null,
    });
  }
  const r = githubLike.safeParse(body);
  if (!r.success) return { ...empty };
  const b = r.data;
  return withRef(b.ref, {
    commit: commitId(b.after),
    // GitHub names the pusher `name`; Gitea fills `login`/`username` (and `name` only sometimes).
    pusher:
      b.pusher?.name ??
      b.pusher?.login ??
      b.pusher?.username ??
      b.sender?.login ??
      b.sender?.username ??
      null,
    repository: b.repository?.full_name ?? null,
  });
}
