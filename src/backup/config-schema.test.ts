import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../config/load.js';

const recipient = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

function check(backups: string) {
  return checkConfigText(`version: 1\nbackups:\n${backups}`, {
    file: '/srv/steward.yaml',
    display: 'steward.yaml',
  });
}

describe('backups config', () => {
  it('accepts a full job and resolves paths, durations and defaults', () => {
    const r = check(`  encryption: { recipients: [${recipient}] }
  targets:
    local: { type: local, path: ./backups }
    usb: { type: local, path: /media/usb, require_mount: true }
  jobs:
    core:
      schedule: "0 3 * * *"
      sources:
        - { type: sqlite, name: core-db, path: ./data/core.db }
        - { type: path, name: config, path: ./config, exclude: ["*.tmp", "cache/"] }
      targets: [local, usb]
      retention: { keep_last: 2, keep_daily: 7 }
      target_retention: { usb: { keep_daily: 30 } }
      drill: { rto: 4h }
`);
    expect(r.ok, JSON.stringify(r.ok ? null : r.issues)).toBe(true);
    if (!r.ok) return;
    const job = r.config.backups.jobs.core;
    expect(job?.drill.rto).toBe(4 * 3600_000);
    expect(job?.verify.after_backup).toBe(true);
    expect(r.config.backups.targets.local).toMatchObject({ path: '/srv/backups', require_mount: false });
  });

  it('reports every problem at once with its line and a hint', () => {
    const r = check(`  encryption: { recipients: [age1nope] }
  targets:
    local: { type: local, path: ./backups }
  jobs:
    core:
      sources:
        - { type: sqlite, name: db, path: ./a.db }
        - { type: path, name: db, path: ./b }
      targets: [local, offsite]
      retention: {}
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i]));
    expect(byPath['backups.encryption.recipients[0]']?.message).toMatch(/age X25519 recipient/);
    expect(byPath['backups.encryption.recipients[0]']?.line).toBe(3);
    expect(byPath['backups.jobs.core.sources[1].name']?.message).toMatch(/duplicate source name "db"/);
    expect(byPath['backups.jobs.core.targets[1]']).toMatchObject({
      line: 11,
      message: 'unknown target "offsite"',
    });
    expect(byPath['backups.jobs.core.targets[1]']?.hint).toMatch(/local/);
    expect(byPath['backups.jobs.core.retention']?.message).toMatch(/keeps nothing/);
  });

  it('wants a recipient once a job exists', () => {
    const r = check(`  targets: { local: { type: local, path: ./b } }
  jobs: { core: { sources: [ { type: path, name: p, path: ./p } ], targets: [local] } }
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]?.hint).toMatch(/steward keygen/);
  });
});
