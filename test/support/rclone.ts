import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './cli.js';

export interface RcloneWebdav {
  /** An rclone connection string for the served directory, usable without any rclone config. */
  remote: string;
  /** The server's base URL, e.g. http://127.0.0.1:40123/ */
  url: string;
  stop(): Promise<void>;
}

/** rclone config file for tests: empty, so a developer's own remotes never leak in. */
export const RCLONE_TEST_CONFIG = '/dev/null';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = exitOf(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

async function tryStart(dir: string): Promise<RcloneWebdav | { failed: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawn(
    'rclone',
    // No directory cache: tests plant files behind the server's back and expect to see them.
    [
      'serve',
      'webdav',
      dir,
      '--addr',
      `127.0.0.1:${port}`,
      '--config',
      RCLONE_TEST_CONFIG,
      '--dir-cache-time',
      '0s',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = exitOf(child);
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (gone) return { failed: stderr };
    if (await answers(url)) {
      return { remote: `:webdav,url='${url}':`, url, stop: () => stopChild(child) };
    }
    await sleep(50);
  }
  await stopChild(child);
  throw new Error(`rclone serve webdav did not answer on ${url} within 15 s: ${stderr}`);
}

/**
 * Serves `dir` over WebDAV with `rclone serve webdav` on a free loopback port, for tests of the
 * rclone target without any cloud account. Pass `config_file: RCLONE_TEST_CONFIG` to the target.
 */
export async function startRcloneWebdav(dir: string): Promise<RcloneWebdav> {
  let lastFailure = '';
  // The free port may be taken between probing and rclone binding it; try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = await tryStart(dir);
    if ('remote' in started) return started;
    lastFailure = started.failed;
  }
  throw new Error(`rclone serve webdav failed to start: ${lastFailure}`);
}
