import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const unitFile = fileURLToPath(new URL('../../packaging/steward.service', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'steward-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('packaging/steward.service', () => {
  it('passes systemd-analyze verify', () => {
    // verify checks that ExecStart names an executable, so point it at one that exists here.
    const bin = join(dir, 'steward');
    writeFileSync(bin, '#!/bin/sh\nexit 0\n');
    chmodSync(bin, 0o755);
    const unit = join(dir, 'steward.service');
    const text = readFileSync(unitFile, 'utf8');
    expect(text).toContain('ExecStart=/usr/local/bin/steward ');
    writeFileSync(unit, text.replaceAll('/usr/local/bin/steward', bin));

    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    // Missing tool fails, never skips: the unit ships, so it must be checked (CI or not).
    expect(r.error, 'systemd-analyze is required (Debian package: systemd)').toBeUndefined();
    // Unknown keys and bad values are only warnings (exit 0), so read the output as well.
    const ours = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /steward/.test(l));
    expect(ours).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('declares what the daemon relies on', () => {
    const text = readFileSync(unitFile, 'utf8');
    for (const line of [
      'Type=notify',
      'NotifyAccess=all',
      'WatchdogSec=60s',
      'TimeoutStopSec=45s',
      'KillMode=mixed',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });
});
