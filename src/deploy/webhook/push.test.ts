import { describe, expect, it } from 'vitest';
import { parsePush } from './push.js';

const sha = '0123456789abcdef0123456789abcdef01234567';
const zero = '0'.repeat(40);
const none = { ref: null, branch: null, commit: null, pusher: null, repository: null };

// Trimmed from real deliveries: only the fields Steward reads, plus some that it ignores.
const githubPush = {
  ref: 'refs/heads/main',
  before: zero,
  after: sha,
  repository: { id: 1, name: 'stack', full_name: 'acme/stack', private: true },
  pusher: { name: 'octocat', email: 'octocat@example.test' },
  sender: { login: 'octocat', id: 2 },
  head_commit: { id: sha, message: 'bump' },
};

const giteaPush = {
  ref: 'refs/heads/release/1.x',
  before: zero,
  after: sha,
  repository: { full_name: 'home/infra', name: 'infra' },
  pusher: { id: 1, login: 'gitea-admin', full_name: '', username: 'gitea-admin' },
};

const gitlabPush = {
  object_kind: 'push',
  event_name: 'push',
  before: zero,
  after: sha,
  ref: 'refs/heads/main',
  checkout_sha: sha,
  user_name: 'Jane Ops',
  user_username: 'jane',
  project: { id: 15, path_with_namespace: 'ops/homelab/stack' },
  commits: [],
};

describe('parsePush', () => {
  it('reads a GitHub push', () => {
    expect(parsePush('github', 'push', githubPush)).toEqual({
      ref: 'refs/heads/main',
      branch: 'main',
      commit: sha,
      pusher: 'octocat',
      repository: 'acme/stack',
    });
  });

  it('reads a Gitea push (pusher by login)', () => {
    expect(parsePush('gitea', 'push', giteaPush)).toEqual({
      ref: 'refs/heads/release/1.x',
      branch: 'release/1.x',
      commit: sha,
      pusher: 'gitea-admin',
      repository: 'home/infra',
    });
  });

  it('reads a GitLab push', () => {
    expect(parsePush('gitlab', 'Push Hook', gitlabPush)).toEqual({
      ref: 'refs/heads/main',
      branch: 'main',
      commit: sha,
      pusher: 'jane',
      repository: 'ops/homelab/stack',
    });
  });

  it('infers from the body when no event header came', () => {
    expect(parsePush('github', null, githubPush).commit).toBe(sha);
    expect(parsePush('gitlab', null, gitlabPush).branch).toBe('main');
  });

  it('gives no branch for a tag and no commit for a deleted ref', () => {
    expect(parsePush('github', 'push', { ...githubPush, ref: 'refs/tags/v1.0' })).toMatchObject({
      ref: 'refs/tags/v1.0',
      branch: null,
      commit: sha,
    });
    expect(parsePush('github', 'push', { ...githubPush, after: zero, deleted: true }).commit).toBeNull();
    expect(
      parsePush('gitlab', 'Push Hook', { ...gitlabPush, after: zero, checkout_sha: null }).commit,
    ).toBeNull();
  });

  it('reads nothing from other events', () => {
    expect(parsePush('github', 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).toEqual(none);
    expect(parsePush('github', 'create', { ref: 'v1', ref_type: 'tag' })).toEqual(none);
    expect(parsePush('gitlab', 'Merge Request Hook', gitlabPush)).toEqual(none);
    expect(parsePush('gitlab', null, { ...gitlabPush, object_kind: 'merge_request' })).toEqual(none);
  });

  it('turns odd shapes into nulls without throwing', () => {
    const odd: unknown[] = [
      null,
      undefined,
      'refs/heads/main',
      42,
      true,
      [githubPush],
      [],
      {},
      { ref: 7, after: { x: 1 }, pusher: 'someone', repository: ['a'] },
      { ref: '', after: 'not-a-sha', pusher: { name: null }, repository: { full_name: 3 } },
      JSON.parse('{"__proto__": {"ref": "refs/heads/evil"}}'),
    ];
    for (const provider of ['github', 'gitea', 'gitlab'] as const) {
      for (const body of odd) expect(parsePush(provider, null, body)).toEqual(none);
    }
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(parsePush('github', 'push', hostile)).toEqual(none);
  });

  it('keeps the fields it can read when others are odd', () => {
    expect(parsePush('github', 'push', { ...githubPush, pusher: 'x', repository: null })).toEqual({
      ref: 'refs/heads/main',
      branch: 'main',
      commit: sha,
      pusher: 'octocat', // from sender.login
      repository: null,
    });
  });
});
