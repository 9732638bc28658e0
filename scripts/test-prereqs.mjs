#!/usr/bin/env node
// Makes sure the real components the test suite talks to are installed. As root on
// Debian/Ubuntu it installs what is missing with apt; otherwise it names what to install.
// A missing component always fails the run (with CI=true, and locally too): tests never skip.
import { execFileSync, spawnSync } from 'node:child_process';

/** command on PATH → Debian package that provides it */
const required = [
  ['sqlite3', 'sqlite3'],
  ['promtool', 'prometheus'],
  ['systemd-analyze', 'systemd'],
  ['systemd-notify', 'systemd'],
  // verify.test.ts reads units back with `systemd --test`, run as nobody through setpriv when root.
  ['/lib/systemd/systemd', 'systemd'],
  ['setpriv', 'util-linux'],
  ['python3', 'python3'],
  ['pgrep', 'procps'],
  ['age', 'age'],
  ['age-keygen', 'age'],
  ['pigz', 'pigz'],
  ['rclone', 'rclone'],
  ['restic', 'restic'],
  ['pg_dump', 'postgresql'],
  ['pg_restore', 'postgresql'],
  ['psql', 'postgresql'],
  // The server binaries are not on PATH in Debian; the tests start them from here.
  ['/usr/lib/postgresql/*/bin/initdb', 'postgresql'],
  ['dockerd', 'docker.io'],
  ['docker', 'docker.io'],
  ['docker-compose', 'docker-compose'],
  ['/bin/busybox', 'busybox-static'],
  ['mount', 'mount'],
  ['/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager'],
  ['openssl', 'openssl'],
  ['/usr/sbin/mosquitto', 'mosquitto'],
  ['mosquitto_passwd', 'mosquitto'],
  ['mosquitto_pub', 'mosquitto-clients'],
  ['mosquitto_sub', 'mosquitto-clients'],
];

const has = (cmd) =>
  spawnSync('sh', ['-c', cmd.startsWith('/') ? `ls ${cmd}` : `command -v ${cmd}`], { stdio: 'ignore' })
    .status === 0;
const missing = () => required.filter(([cmd]) => !has(cmd));

let absent = missing();
if (absent.length && process.getuid?.() === 0 && has('apt-get')) {
  const packages = [...new Set(absent.map(([, pkg]) => pkg))];
  process.stderr.write(`test-prereqs: installing ${packages.join(' ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
  absent = missing();
}

if (absent.length) {
  const list = absent.map(([cmd, pkg]) => `  ${cmd} (Debian package ${pkg})`).join('\n');
  process.stderr.write(
    `test-prereqs: missing components the tests need:\n${list}\nInstall them (as root: apt-get install ${[...new Set(absent.map(([, p]) => p))].join(' ')}) and run again.\n`,
  );
  process.exit(1);
}
process.stderr.write(
  `test-prereqs: ${required.map(([c]) => c).join(', ')} present${process.env.CI === 'true' ? ' (CI)' : ''}\n`,
);
