import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { type FetchedRevision, GitSource } from './git-source.js';
import { type GitPoller, pollGitSource } from './poll.js';
import { type GitFixture, gitFixture } from './test-support.js';

let fx: GitFixture;
let n = 0;
const pollers: GitPoller[] = [];
const cache = () => path.join(fx.root, `cache-${++n}`);

beforeAll(async () => {
  fx = await gitFixture();
  await fx.commit('initial', { 'stack/compose.yaml': 'services: {}\n' });
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});
afterAll(() => fx?.cleanup());

/** Resolves when `predicate` holds; a hang guard, not a timing assertion. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

function recorder() {
  const changes: FetchedRevision[] = [];
  const errors: unknown[] = [];
  return {
    changes,
    errors,
    handlers: {
      onChange: (rev: FetchedRevision) => void changes.push(rev),
      onError: (e: unknown) => void errors.push(e),
    },
  };
}

describe('pollGitSource', () => {
  it('reports the first head, then only heads that moved', async () => {
    const src = new GitSource({ url: fx.url, branch: 'main', path: 'stack' }, cache());
    const r = recorder();
    const poller = pollGitSource(src, 0, r.handlers);
    pollers.push(poller);
    await until(() => r.changes.length === 1, 'the first head');
    const head = (await fx.git(['rev-parse', 'HEAD'])).trim();
    expect(r.changes[0]?.commit).toBe(head);

    await poller.pollNow();
    await poller.pollNow();
    expect(r.changes).toHaveLength(1);

    const next = await fx.commit('next', { 'stack/compose.yaml': 'services:\n  a: {}\n' });
    await poller.pollNow();
    expect(r.changes.map((c) => c.commit)).toEqual([head, next]);
    expect(r.changes[1]?.subject).toBe('next');
    expect(r.errors).toEqual([]);
  });

  it('picks up a push on its interval', async () => {
    const src = new GitSource({ url: fx.url, branch: 'main' }, cache());
    const r = recorder();
    pollers.push(pollGitSource(src, 20, r.handlers));
    await until(() => r.changes.length === 1, 'the first head');
    const pushed = await fx.commit('on the interval', { 'stack/x.txt': 'x\n' });
    await until(() => r.changes.length === 2, 'the pushed head');
    expect(r.changes[1]?.commit).toBe(pushed);
  });

  it('reports errors and keeps polling until the repository becomes reachable', async () => {
    const later = path.join(fx.root, 'later.git');
    const src = new GitSource({ url: `file://${later}`, branch: 'main' }, cache());
    const r = recorder();
    pollers.push(pollGitSource(src, 20, r.handlers));
    await until(() => r.errors.length >= 2, 'two failed polls');
    expect(r.errors[0]).toBeInstanceOf(StewardError);
    expect((r.errors[0] as StewardError).message).toMatch(/^git fetch failed/);
    expect(r.changes).toEqual([]);

    await fx.git(['clone', '--quiet', '--bare', fx.remote, later], fx.root);
    await until(() => r.changes.length === 1, 'the head once reachable');
  });

  it('sends a failing onChange to onError without repeating it for the same head', async () => {
    const src = new GitSource({ url: fx.url, branch: 'main' }, cache());
    const errors: unknown[] = [];
    let calls = 0;
    const poller = pollGitSource(src, 0, {
      onChange() {
        calls++;
        throw new Error('deploy failed');
      },
      onError: (e) => errors.push(e),
    });
    pollers.push(poller);
    await poller.pollNow();
    await poller.pollNow();
    expect(calls).toBe(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(['deploy failed']);
  });

  it('never overlaps runs, and stops cleanly', async () => {
    const src = new GitSource({ url: fx.url, branch: 'main' }, cache());
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const errors: unknown[] = [];
    const poller = pollGitSource(src, 5, {
      async onChange() {
        calls++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 30));
        active--;
      },
      onError: (e) => errors.push(e),
    });
    await fx.commit('a', { 'stack/a.txt': 'a\n' });
    await Promise.all([poller.pollNow(), poller.pollNow(), poller.pollNow()]);
    await fx.commit('b', { 'stack/b.txt': 'b\n' });
    await Promise.all([poller.pollNow(), poller.pollNow()]);
    expect(maxActive).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    await poller.stop();
    const after = calls;
    await fx.commit('c', { 'stack/c.txt': 'c\n' });
    await poller.pollNow();
    expect(calls).toBe(after);
  });
});
