import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A private Docker engine for tests: its own data/exec root and socket in a temp dir, so tests
 * never touch (or need) the machine's daemon. No registry is reachable, so the one image is
 * imported from the host's static busybox. One daemon per test process, shared by every caller.
 */
export interface TestDocker {
  /** unix:///…/docker.sock */
  host: string;
  /** { DOCKER_HOST } for the docker CLI. */
  env: Record<string, string>;
  /** A busybox image with the applets the tests and the backup helpers use. */
  image: string;
  stop(): Promise<void>;
}

const IMAGE = 'local/busybox:1';
const APPLETS = [
  'sh',
  'tar',
  'cat',
  'ls',
  'sleep',
  'mkdir',
  'rm',
  'rmdir',
  'mv',
  'cp',
  'find',
  'echo',
  'true',
  'ln',
  'chmod',
  'dd',
  'head',
];
const START_TIMEOUT_MS = 60_000;

/**
 * Runs dockerd ("$@") until our end of its stdin closes: on stop(), and also when the test
 * process dies in a way no 'exit' handler sees (vitest tearing down a worker). Exits with dockerd.
 */
const WATCHDOG = `exec 3<&0
"$@" </dev/null &
pid=$!
{ read -r _ <&3 || true; kill -TERM "$pid" 2>/dev/null; } &
wait "$pid"
`;

let running: Promise<TestDocker> | undefined;

export function startDocker(): Promise<TestDocker> {
  running ??= launch().catch((err: unknown) => {
    running = undefined;
    throw err;
  });
  return running;
}

function which(candidates: string[]): string {
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`none of ${candidates.join(', ')} exists (Debian package docker.io)`);
  return found;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function launch(): Promise<TestDocker> {
  const dockerd = which(['/usr/bin/dockerd', '/usr/sbin/dockerd']);
  const docker = which(['/usr/bin/docker', '/usr/local/bin/docker']);
  const busybox = which(['/bin/busybox', '/usr/bin/busybox']);

  // Unix socket paths are limited to ~108 bytes; a long TMPDIR would break the socket.
  const base = os.tmpdir().length <= 40 ? os.tmpdir() : '/tmp';
  const dir = fs.mkdtempSync(path.join(base, 'stw-dk-'));
  const host = `unix://${dir}/docker.sock`;
  const env = { DOCKER_HOST: host };
  const logFile = path.join(dir, 'dockerd.log');
  const log = fs.openSync(logFile, 'a');

  const child = spawn(
    '/bin/sh',
    [
      '-c',
      WATCHDOG,
      'sh',
      dockerd,
      '--data-root',
      `${dir}/data`,
      '--exec-root',
      `${dir}/exec`,
      '-H',
      host,
      '--pidfile',
      `${dir}/docker.pid`,
      '--storage-driver',
      'vfs',
      '--iptables=false',
      '--bridge=none',
      // Should dockerd find a system containerd and use it, keep our containers apart from others'.
      '--containerd-namespace',
      path.basename(dir),
      '--containerd-plugins-namespace',
      `${path.basename(dir)}-plugins`,
      // Leftover test containers must not hold up stop() for the default 15 s.
      '--shutdown-timeout',
      '2',
    ],
    // Own process group, so that stop() can make sure its containerd is gone too.
    { detached: true, stdio: ['pipe', log, log] },
  );
  fs.closeSync(log);
  // A crashing test process cannot wait: closing the watchdog's stdin makes it stop dockerd.
  const onExit = () => child.stdin?.destroy();
  process.on('exit', onExit);

  const tail = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  };
  const cli = (args: string[], input?: Buffer) =>
    spawnSync(docker, args, { env: { ...process.env, ...env }, input, timeout: 60_000 });

  const stop = async () => {
    process.off('exit', onExit);
    await terminate(child);
    cleanDir(dir);
    running = undefined;
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dockerd exited with code ${child.exitCode}`);
      if (cli(['version']).status === 0) break;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer within ${START_TIMEOUT_MS} ms`);
      await sleep(250);
    }

    const rootfs = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.copyFileSync(busybox, path.join(rootfs, 'bin/busybox'));
    fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
    for (const applet of APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
    const tarball = spawnSync('tar', ['-C', rootfs, '-cf', '-', '.'], { maxBuffer: 64 * 1024 * 1024 });
    if (tarball.status !== 0) throw new Error(`tar of the busybox rootfs failed: ${tarball.stderr}`);
    const imported = cli(['import', '-', IMAGE], tarball.stdout);
    if (imported.status !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
  } catch (err) {
    const message = `${(err as Error).message}\n--- dockerd log (tail) ---\n${tail()}`;
    await stop().catch(() => undefined);
    throw new Error(message, { cause: err });
  }

  return { host, env, image: IMAGE, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The watchdog sends dockerd SIGTERM: it stops containers and its containerd in order.
    child.stdin?.end();
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  // Its containerd is in the same group; make sure nothing of it outlives the daemon.
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is empty.
  }
}

/** vfs leaves many files, and a crashed daemon can leave mounts (netns, shm) that make rm fail with EBUSY. */
function cleanDir(dir: string): void {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mount): mount is string => mount?.startsWith(`${dir}/`) === true)
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) spawnSync('umount', ['-l', mount]);
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
    spawnSync('rm', ['-rf', dir]);
  }
}
