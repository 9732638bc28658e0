import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../compose/load.js';
import type { Finding } from '../findings.js';
import { lintProject } from '../lint.js';
import { type FileFix, planFixes, type RunningImages, writeFixes } from './index.js';

const fixed = ['no-new-privileges', 'restart-policy', 'logging-limits'];
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(text: string, name = 'compose.yaml'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-fix-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function lint(file: string): Finding[] {
  return lintProject(loadProject([file], { env: {} })).findings;
}

async function fixOnce(file: string, running?: RunningImages): Promise<FileFix | undefined> {
  const fixes = await planFixes(lint(file), running ? { running } : {});
  expect(fixes.length).toBeLessThanOrEqual(1);
  if (fixes[0]) writeFixes(fixes);
  return fixes[0];
}

/** Lines of `after` (with their breaks) that are not in `before`, which must be a subsequence of it. */
function addedLines(before: string, after: string): string[] {
  const old = before.split(/(?<=\n)/);
  let i = 0;
  const added: string[] = [];
  for (const line of after.split(/(?<=\n)/)) {
    if (i < old.length && line === old[i]) i++;
    else added.push(line);
  }
  expect(old.slice(i)).toEqual([]);
  return added;
}

const compose = `# Compose file for the test stack
x-defaults: &defaults
  environment:
    TZ: "Europe/Berlin"   # keep in sync with the host
  labels:
    - "com.example.team=ops"

services:
  # The public web front
  web:
    <<: *defaults
    image: 'nginx:1.27.2'  # pinned
    ports:
      - "127.0.0.1:8080:80"
    # healthcheck: later

  # Background worker
  worker:
    image: "example/worker:2.1.0"
    restart: on-failure
    security_opt:
      - "apparmor:docker-default"   # keep AppArmor
    logging:
      driver: json-file
      options:
        max-size: "5m"
    command: ["run", "--queue", 'default']

  cache:
    image: redis:7.4.1
    security_opt: [ "apparmor:docker-default" ]
    restart: "unless-stopped"
    logging: { driver: local, options: { max-size: "10m" } }
# trailing comment
`;

describe('planFixes', () => {
  it('only inserts text: every original byte stays, the fixed file lints clean, and a second run changes nothing', async () => {
    const file = tmpFile(compose);
    const findings = lint(file);
    const fix = await fixOnce(file);
    expect(fix?.applied).toEqual([
      { ruleId: 'logging-limits', service: 'web', line: 10 },
      { ruleId: 'no-new-privileges', service: 'web', line: 10 },
      { ruleId: 'restart-policy', service: 'web', line: 10 },
      { ruleId: 'no-new-privileges', service: 'worker', line: 21 },
      { ruleId: 'no-new-privileges', service: 'cache', line: 31 },
    ]);
    const after = fs.readFileSync(file, 'utf8');
    expect(after).toBe(fix?.after);
    // The one in-line insertion (the flow list) taken out, the rest must be whole new lines.
    const flowItem = ', "no-new-privileges:true" ]';
    expect(after.split(flowItem)).toHaveLength(2);
    expect(addedLines(compose, after.replace(flowItem, ' ]'))).toEqual([
      '    security_opt:\n',
      '      - no-new-privileges:true\n',
      '    restart: unless-stopped\n',
      '    logging:\n',
      '      driver: json-file\n',
      '      options:\n',
      '        max-size: "10m"\n',
      '        max-file: "3"\n',
      '      - "no-new-privileges:true"\n',
    ]);
    // New keys go after the service's own trailing comment, before the blank line and the next service.
    expect(after).toContain('    # healthcheck: later\n    security_opt:\n');
    expect(after).toContain(
      '    restart: on-failure\n    security_opt:\n      - "apparmor:docker-default"   # keep',
    );
    expect(lint(file).filter((f) => fixed.includes(f.ruleId))).toEqual([]);
    expect(await planFixes(lint(file))).toEqual([]);
    // Stale findings from before the fix do not insert twice: the file itself is checked.
    expect(await planFixes(findings)).toEqual([]);
  });

  it('keeps CRLF line breaks', async () => {
    const file = tmpFile(
      'services:\r\n  app:\r\n    image: redis:7.4.1\r\n    security_opt:\r\n      - seccomp:default\r\n',
    );
    const fix = await fixOnce(file);
    expect(fix?.after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(fix?.after).toContain(
      '      - seccomp:default\r\n      - no-new-privileges:true\r\n    restart: unless-stopped\r\n',
    );
    expect(lint(file).filter((f) => fixed.includes(f.ruleId))).toEqual([]);
  });

  it('keeps a file without a final newline without one, and one with it with it', async () => {
    const bare = 'services:\n  app:\n    image: redis:7.4.1\n    security_opt:\n      - seccomp:default  # c';
    const file = tmpFile(bare);
    const fix = await fixOnce(file);
    expect(fix?.after.endsWith('    max-file: "3"')).toBe(true);
    expect(
      fix?.after.startsWith(`${bare}\n      - no-new-privileges:true\n    restart: unless-stopped\n`),
    ).toBe(true);
    expect(lint(file).filter((f) => fixed.includes(f.ruleId))).toEqual([]);

    const withBreak = tmpFile(`${bare}\n`);
    expect((await fixOnce(withBreak))?.after.endsWith('    max-file: "3"\n')).toBe(true);
  });

  it('leaves no-new-privileges:false alone: someone turned it off', async () => {
    const text = 'services:\n  app:\n    image: redis:7.4.1\n    security_opt: ["no-new-privileges:false"]\n';
    const file = tmpFile(text);
    const fix = await fixOnce(file);
    expect(fix?.applied.map((a) => a.ruleId)).toEqual(['logging-limits', 'restart-policy']);
    expect(fix?.after).not.toContain('no-new-privileges:true');
    expect(fix?.after.startsWith(text)).toBe(true);
  });

  it('skips what it cannot change safely: flow services, aliased services, settings merged from an anchor', async () => {
    const text = `x-sec: &sec
  security_opt: [apparmor:docker-default]
  restart: always
services:
  flow: { image: "redis:7.4.1", restart: always }
  base: &base
    image: redis:7.4.1
    restart: always
  copy: *base
  merged:
    <<: *sec
    image: redis:7.4.1
    logging: { driver: json-file, options: { max-size: 1m } }
`;
    const file = tmpFile(text);
    const findings = lint(file);
    expect(findings.filter((f) => fixed.includes(f.ruleId)).length).toBeGreaterThan(3);
    expect(await planFixes(findings)).toEqual([]);
  });

  it('appends to an empty flow list and after a trailing comma, and uses the file indentation step', async () => {
    const file = tmpFile(
      'services:\n    a:\n        image: x:1\n        security_opt: []\n        restart: always\n',
    );
    const a = await fixOnce(file);
    expect(a?.after).toContain('security_opt: ["no-new-privileges:true"]\n');
    expect(a?.after).toContain(
      '        logging:\n            driver: json-file\n            options:\n                max-size',
    );
    const b = tmpFile(
      'services:\n  b:\n    image: x:1\n    restart: always\n    logging: {driver: local}\n    security_opt: [a, b,]\n',
    );
    expect((await fixOnce(b))?.after).toContain('security_opt: [a, b, "no-new-privileges:true",]\n');
  });
});

describe('planFixes with more than one file', () => {
  it('adds no restart where an override sets deploy.restart_policy, when given the merged project', async () => {
    const base = tmpFile('services:\n  app:\n    image: redis:7.4.1\n    logging: { driver: local }\n');
    const over = path.join(path.dirname(base), 'compose.override.yaml');
    fs.writeFileSync(over, 'services:\n  app:\n    deploy:\n      restart_policy: { max_attempts: 3 }\n');
    const project = loadProject([base, over], { env: {} });
    const findings = lintProject(project).findings;
    expect(findings.some((f) => f.ruleId === 'restart-policy')).toBe(true);
    const fixes = await planFixes(findings, { project });
    expect(fixes.map((f) => f.applied.map((a) => a.ruleId))).toEqual([['no-new-privileges']]);
  });

  it('keeps a byte-order mark', async () => {
    const file = tmpFile('\uFEFFservices:\n  app:\n    image: redis:7.4.1\n');
    const fix = await fixOnce(file);
    expect(
      fix?.after.startsWith('\uFEFFservices:\n  app:\n    image: redis:7.4.1\n    security_opt:\n'),
    ).toBe(true);
  });
});

describe('image pin', () => {
  // A fake: this unit test does not need Docker (running-images.test.ts covers the Engine API client).
  const fake = (tags: string[]): RunningImages => ({ tagsFor: async () => tags });
  const text = `services:
  web:
    image: "nginx:latest"  # front
    restart: always
    security_opt: [no-new-privileges:true]
    logging: { driver: local }
`;

  it('pins to the tag that is running, keeping the quotes', async () => {
    const file = tmpFile(text);
    const fix = await fixOnce(file, fake(['nginx:1.27', 'nginx:1.27.2', 'nginx:latest', 'other:9.9.9']));
    expect(fix?.after).toBe(text.replace('"nginx:latest"', '"nginx:1.27.2"'));
    expect(fix?.applied).toEqual([{ ruleId: 'image-pinned', service: 'web', line: 3 }]);
    expect(lint(fix?.file ?? '').filter((f) => f.ruleId === 'image-pinned')).toEqual([]);
  });

  it('does nothing when the running tag is not known', async () => {
    const findings = lint(tmpFile(text)).filter((f) => f.ruleId === 'image-pinned');
    expect(findings).toHaveLength(1);
    expect(await planFixes(findings, { running: fake([]) })).toEqual([]);
    expect(await planFixes(findings, { running: fake(['nginx:latest', 'nginx:stable']) })).toEqual([]);
    const failing: RunningImages = { tagsFor: () => Promise.reject(new Error('no socket')) };
    expect(await planFixes(findings, { running: failing })).toEqual([]);
    expect(await planFixes(findings)).toEqual([]);
  });
});
