import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canDumpUnits, dumpUnit, SYSTEMD_ANALYZE, verifyUnit } from './test-support.js';
import { renderUnit, type UnitSpec, unitName } from './unit.js';

// systemd-analyze, systemd and setpriv are real test components: scripts/test-prereqs.mjs installs them.
const dir = fs.mkdtempSync(path.join(tmpdir(), 'steward-systemd-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function verify(spec: UnitSpec) {
  return verifyUnit(dir, unitName(spec.service), renderUnit(spec));
}

/** A command whose every character means something to systemd or to sh. */
const TRICKY = `printf '%s|' "hello  world" 'it''s' 100% \\back $PORT "\${HOME}" 'a"b' ; echo done`;

describe('rendered units pass the real systemd-analyze verify', () => {
  it('has the tools', () => {
    expect(fs.existsSync(SYSTEMD_ANALYZE)).toBe(true);
    expect(canDumpUnits()).toBe(true);
  });

  it('accepts the default unit (DynamicUser, direct exec)', () => {
    const r = verify({
      service: 'plain',
      execStart: '/bin/sleep 3600',
      workingDirectory: '/opt/plain/current',
    });
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
  });

  it('accepts every option at once', () => {
    const r = verify({
      service: 'full',
      description: 'Full 100% featured',
      execStart: TRICKY,
      workingDirectory: '/opt/full/current',
      user: 'steward-full', // verify does not look users up
      envFile: '/etc/steward/full.env',
      readWritePaths: ['/var/lib/full', '/var/lib/with space'],
      watchdogSec: 20,
    });
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
  });

  it('the check itself fails on a broken unit and on a warning', () => {
    const good = renderUnit({
      service: 'broken',
      execStart: '/bin/true',
      workingDirectory: '/opt/b/current',
    });
    const quote = verifyUnit(
      dir,
      'steward-broken.service',
      good.replace('ExecStart=/bin/true', 'ExecStart=/bin/true "'),
    );
    expect(quote.ok).toBe(false);
    expect(quote.exitCode).not.toBe(0);
    // An unknown key only warns (exit 0): the check must still call that a failure.
    const unknown = verifyUnit(
      dir,
      'steward-broken.service',
      good.replace('[Install]', 'Bogus=1\n\n[Install]'),
    );
    expect(unknown.exitCode).toBe(0);
    expect(unknown.ok).toBe(false);
    const missing = verifyUnit(dir, 'steward-broken.service', good.replace('/bin/true', '/nonexistent/app'));
    expect(missing.ok).toBe(false);
  });
});

describe('systemd parses the values back as written', () => {
  it('keeps a command with quotes, spaces, %, $ and backslashes byte for byte', () => {
    const spec: UnitSpec = {
      service: 'tricky',
      description: 'core at 100% "quoted"',
      execStart: TRICKY,
      workingDirectory: '/opt/tricky/current',
      readWritePaths: ['/var/lib/with space', '/var/lib/pct%d'],
      watchdogSec: 15,
    };
    const dump = dumpUnit(dir, unitName(spec.service), renderUnit(spec));
    expect(dump.execStart).toEqual([['/bin/sh', '-c', TRICKY]]);
    expect(dump.props.get('Description')).toEqual(['core at 100% "quoted"']);
    expect(dump.props.get('Type')).toEqual(['notify']);
    expect(dump.props.get('NotifyAccess')).toEqual(['all']);
    expect(dump.props.get('WatchdogSec')).toEqual(['15s']);
    expect(dump.props.get('DynamicUser')).toEqual(['yes']);
    expect(dump.props.get('ProtectSystem')).toEqual(['strict']);
    expect(dump.props.get('CapabilityBoundingSet')).toEqual(['']);
    // The dump joins the list with spaces, unquoted.
    expect(dump.props.get('ReadWritePaths')).toEqual(['/var/lib/with space /var/lib/pct%d']);
  });

  it('runs a plain command directly with its words as argv', () => {
    const spec: UnitSpec = {
      service: 'direct',
      execStart: '/bin/sleep 100%',
      workingDirectory: '/opt/direct/current',
      user: 'root',
    };
    const dump = dumpUnit(dir, unitName(spec.service), renderUnit(spec));
    expect(dump.execStart).toEqual([['/bin/sleep', '100%']]);
    expect(dump.props.get('Type')).toEqual(['simple']);
    expect(dump.props.get('WatchdogSec')).toEqual(['0']);
    expect(dump.props.get('User')).toEqual(['root']);
  });
});
