import { describe, expect, it } from 'vitest';
import { isStewardError } from '../../core/errors.js';
import { renderExecStart } from './exec-start.js';
import { renderUnit, type UnitSpec, unitName } from './unit.js';

const base: UnitSpec = {
  service: 'core',
  execStart: '/opt/core/current/bin/core start',
  workingDirectory: '/opt/core/current',
};

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isStewardError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a StewardError');
}

/** The lines of one [Section]. */
function section(unit: string, name: string): string[] {
  const lines = unit.split('\n');
  const start = lines.indexOf(`[${name}]`);
  expect(start, name).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('['));
  return (end < 0 ? rest : rest.slice(0, end)).filter((l) => l !== '');
}

describe('unitName', () => {
  it('names the unit steward-<service>.service', () => {
    expect(unitName('core')).toBe('steward-core.service');
    expect(unitName('mqtt_bridge-2.v1')).toBe('steward-mqtt_bridge-2.v1.service');
  });

  it('rejects names that are not one safe unit-name part', () => {
    for (const bad of ['', 'a/b', '../x', 'x@y', 'a b', '-x', '.x', 'a\nb', 'x'.repeat(129)]) {
      expect(
        usageError(() => unitName(bad)),
        bad,
      ).toBe('E_USAGE');
    }
  });
});

describe('renderUnit', () => {
  it('has the hardening, restart policy, start limits and install target', () => {
    const unit = renderUnit(base);
    expect(section(unit, 'Unit')).toEqual(
      expect.arrayContaining([
        'Description=Steward service core',
        'StartLimitIntervalSec=300',
        'StartLimitBurst=5',
      ]),
    );
    expect(section(unit, 'Service')).toEqual(
      expect.arrayContaining([
        'Type=simple',
        'ExecStart=/opt/core/current/bin/core start',
        'WorkingDirectory=/opt/core/current',
        'DynamicUser=yes',
        'SyslogIdentifier=core',
        'Restart=on-failure',
        'RestartSec=5s',
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
        'ProtectHome=yes',
        'PrivateTmp=yes',
        'PrivateDevices=yes',
        'ProtectKernelTunables=yes',
        'ProtectKernelModules=yes',
        'ProtectControlGroups=yes',
        'RestrictSUIDSGID=yes',
        'LockPersonality=yes',
        'RestrictRealtime=yes',
        'RestrictNamespaces=yes',
        'SystemCallArchitectures=native',
        'CapabilityBoundingSet=',
        'UMask=0077',
      ]),
    );
    expect(section(unit, 'Install')).toEqual(['WantedBy=multi-user.target']);
    expect(unit).not.toMatch(/^(User|Group|WatchdogSec|EnvironmentFile|ReadWritePaths|NotifyAccess)=/m);
  });

  it('uses User=/Group= when a user is given, DynamicUser otherwise', () => {
    const unit = renderUnit({ ...base, user: 'steward-core' });
    expect(section(unit, 'Service')).toEqual(
      expect.arrayContaining(['User=steward-core', 'Group=steward-core']),
    );
    expect(unit).not.toContain('DynamicUser');
    expect(usageError(() => renderUnit({ ...base, user: 'a b' }))).toBe('E_USAGE');
    expect(usageError(() => renderUnit({ ...base, user: 'nobody' }))).toBe('E_USAGE');
  });

  it('writes EnvironmentFile= and ReadWritePaths=, quoting a path with a space', () => {
    const unit = renderUnit({
      ...base,
      envFile: '/etc/steward/core.env',
      readWritePaths: ['/var/lib/core', '/srv/a b'],
    });
    expect(unit).toContain('EnvironmentFile=/etc/steward/core.env\n');
    expect(unit).toContain('ReadWritePaths=/var/lib/core "/srv/a b"\n');
  });

  it('sets WatchdogSec only when asked, and then Type=notify', () => {
    expect(renderUnit(base)).not.toContain('WatchdogSec');
    const watched = renderUnit({ ...base, watchdogSec: 30 });
    expect(watched).toContain('\nWatchdogSec=30s\n');
    expect(watched).toContain('\nType=notify\n');
    expect(renderUnit({ ...base, watchdogSec: 1.5 })).toContain('\nWatchdogSec=1500ms\n');
    const notifyOnly = renderUnit({ ...base, notify: true });
    expect(notifyOnly).toContain('\nType=notify\n');
    expect(notifyOnly).not.toContain('WatchdogSec');
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        usageError(() => renderUnit({ ...base, watchdogSec: bad })),
        String(bad),
      ).toBe('E_USAGE');
    }
  });

  it('escapes % as %% in the command and the description', () => {
    const unit = renderUnit({ ...base, description: 'core at 100%', execStart: '/usr/bin/date +%s' });
    expect(unit).toContain('Description=core at 100%%\n');
    expect(unit).toContain('ExecStart=/usr/bin/date +%%s\n');
  });

  it('rejects a newline, control character or trailing backslash in any value', () => {
    const cases: Array<Partial<UnitSpec>> = [
      { execStart: '/bin/app\nExecStartPre=/bin/rm -rf /' },
      { execStart: '/bin/app\r' },
      { execStart: '/bin/app\0' },
      { execStart: '/bin/app \\' },
      { description: 'two\nlines' },
      { description: 'ends with \\ ' },
      { workingDirectory: '/opt/x\n' },
      { envFile: '/etc/x\n.env' },
      { readWritePaths: ['/var/lib/x\n'] },
    ];
    for (const c of cases)
      expect(
        usageError(() => renderUnit({ ...base, ...c })),
        JSON.stringify(c),
      ).toBe('E_USAGE');
  });

  it('rejects relative paths and an empty command', () => {
    expect(usageError(() => renderUnit({ ...base, workingDirectory: 'current' }))).toBe('E_USAGE');
    expect(usageError(() => renderUnit({ ...base, envFile: 'core.env' }))).toBe('E_USAGE');
    expect(usageError(() => renderUnit({ ...base, readWritePaths: ['data'] }))).toBe('E_USAGE');
    expect(usageError(() => renderUnit({ ...base, execStart: '   ' }))).toBe('E_USAGE');
  });

  it('allows sd_notify from the shell’s child only when the command runs under sh', () => {
    expect(renderUnit({ ...base, notify: true })).not.toContain('NotifyAccess');
    expect(renderUnit({ ...base, notify: true, execStart: 'exec ./bin/core' })).toContain(
      '\nNotifyAccess=all\n',
    );
  });
});

describe('renderExecStart', () => {
  it('executes plain words directly', () => {
    expect(renderExecStart('/usr/bin/node server.js --port=8080')).toEqual({
      value: '/usr/bin/node server.js --port=8080',
      viaShell: false,
      argv: ['/usr/bin/node', 'server.js', '--port=8080'],
    });
  });

  it('runs shell syntax, relative paths and prefix characters under /bin/sh -c', () => {
    for (const cmd of [
      './bin/core start',
      'bin/core',
      'node server.js',
      'exec /usr/bin/node server.js',
      'PORT=1 /usr/bin/app',
      '/usr/bin/env PORT=1 app $X',
      'app --name "a b"',
      'PORT=1 app',
      'app $PORT',
      'a && b',
      'a | b',
      'a > log',
      '-app',
      '@app',
    ]) {
      const r = renderExecStart(cmd);
      expect(r.viaShell, cmd).toBe(true);
      expect(r.argv).toEqual(['/bin/sh', '-c', cmd]);
    }
  });

  it('quotes for systemd: backslash, double quote, dollar and percent', () => {
    expect(renderExecStart(`echo "a\\b" $HOME 5%`).value).toBe(`/bin/sh -c "echo \\"a\\\\b\\" $$HOME 5%%"`);
  });
});
