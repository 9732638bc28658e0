import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import type { Colors } from '../../cli/output.js';
import { loadProject } from '../compose/load.js';
import type { LintResult } from '../findings.js';
import { lintProject } from '../lint.js';
import { reporters } from './index.js';
import type { ReportInput } from './types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-reporters-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const composeFile = path.join(dir, 'compose.yaml');
const overrideFile = path.join(dir, 'compose.override.yaml');
// Line 6 reaches SYS_ADMIN through an alias; line 9 is ignored inline.
const compose = `x-defaults: &defaults
  cap_add:
    - SYS_ADMIN
services:
  web:
    <<: *defaults
    image: nginx:latest
    # steward-ignore no-privileged -- needs /dev/ttyUSB0
    privileged: true
`;
fs.writeFileSync(composeFile, compose);
fs.writeFileSync(overrideFile, 'services:\n  web:\n    ports:\n      - "8080:80"\n');

const result: LintResult = lintProject(loadProject([composeFile, overrideFile], { env: {} }));
const plain: Colors = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };
const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  result,
  colors: plain,
  toolVersion: '1.2.3',
  ...over,
});

describe('the linted fixture', () => {
  it('has every kind of finding the reporters must show', () => {
    const severities = new Set(result.findings.map((f) => f.severity));
    expect([...severities].sort()).toEqual(['error', 'info', 'warning']);
    expect(result.findings.find((f) => f.ruleId === 'cap-add-dangerous')?.anchor).toBe('defaults');
    expect(result.suppressed.map((f) => f.ruleId)).toEqual(['no-privileged']);
  });
});

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification: string }[];
  properties?: Record<string, string>;
}
interface SarifLog {
  runs: { tool: { driver: { rules: { id: string; properties?: unknown }[] } }; results: SarifResult[] }[];
}

describe('sarif', () => {
  const text = reporters.sarif(input());
  const log = JSON.parse(text) as SarifLog;
  const run = log.runs[0];
  if (!run) throw new Error('no run');

  it('validates against the official SARIF 2.1.0 schema', () => {
    const schemaPath = path.resolve(__dirname, '../../../test/fixtures/sarif/sarif-schema-2.1.0.json');
    // The vendored schema declares draft 2020-12 (see its README), hence Ajv2020.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
    const ok = validate(log);
    expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('marks the inline ignore as an in-source suppression with its reason', () => {
    const suppressed = run.results.find((r) => r.ruleId === 'no-privileged');
    // `    privileged: true` on line 9: the value `true` spans columns 17 to 20.
    expect(suppressed?.locations[0]?.physicalLocation.region).toEqual({
      startLine: 9,
      startColumn: 17,
      endLine: 9,
      endColumn: 21,
    });
    expect(suppressed?.suppressions).toEqual([
      { kind: 'inSource', status: 'accepted', justification: 'needs /dev/ttyUSB0' },
    ]);
    expect(run.results.filter((r) => r.suppressions).length).toBe(1);
  });

  it('points every ruleIndex at the rule with the same id', () => {
    expect(run.results.length).toBe(result.findings.length + result.suppressed.length);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex ?? -1]?.id).toBe(r.ruleId);
    const privileged = run.tool.driver.rules.find((r) => r.id === 'no-privileged');
    expect(privileged?.properties).toEqual({ tags: ['security'], 'security-severity': '8.0' });
    expect(run.tool.driver.rules.map((r) => r.id)).toContain('invalid-compose');
  });

  it('gives 1-based exact regions, relative URIs and the alias anchor', () => {
    const alias = run.results.find((r) => r.ruleId === 'cap-add-dangerous');
    const loc = alias?.locations[0]?.physicalLocation;
    // `    <<: *defaults` on line 6: the alias `*defaults` spans columns 9 to 17.
    expect(loc?.region).toEqual({ startLine: 6, startColumn: 9, endLine: 6, endColumn: 18 });
    expect(loc?.artifactLocation.uri).toBe(
      path.relative(process.cwd(), composeFile).split(path.sep).join('/'),
    );
    expect(alias?.properties).toMatchObject({ service: 'web', anchor: 'defaults' });
  });

  it('fingerprints findings without their position', () => {
    const fps = run.results.map((r) => r.partialFingerprints['stewardFinding/v1']);
    expect(new Set(fps).size).toBe(fps.length);
    const moved = { ...result, findings: result.findings.map((f) => ({ ...f, line: f.line + 3 })) };
    const again = JSON.parse(reporters.sarif(input({ result: moved }))) as SarifLog;
    expect(again.runs[0]?.results.map((r) => r.partialFingerprints['stewardFinding/v1'])).toEqual(fps);
  });
});

describe('json', () => {
  it('is one document whose summary matches the result', () => {
    const doc = JSON.parse(reporters.json(input())) as {
      version: number;
      tool: { version: string };
      summary: Record<string, number>;
      findings: unknown[];
      suppressed: unknown[];
    };
    const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
    expect(doc.version).toBe(1);
    expect(doc.tool.version).toBe('1.2.3');
    expect(doc.summary).toEqual({
      files: 2,
      services: 1,
      errors: count('error'),
      warnings: count('warning'),
      info: count('info'),
      suppressed: 1,
    });
    expect(doc.findings.length).toBe(result.findings.length);
    expect(doc.suppressed.length).toBe(1);
  });
});

describe('junit', () => {
  it('escapes markup and drops characters XML 1.0 forbids', () => {
    const [first, ...rest] = result.findings;
    if (!first) throw new Error('no findings');
    const odd = { ...first, message: `a <&"'> b\u0001c` };
    const xml = reporters.junit(input({ result: { ...result, findings: [odd, ...rest] } }));
    expect(xml).toContain('message="a &lt;&amp;&quot;&apos;&gt; bc"');
    expect(xml).not.toContain('\u0001');
    // Every `&` starts an entity or character reference, and `<` only ever opens markup.
    expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    expect(xml.replace(/<(\?xml|\/?(testsuites|testsuite|testcase|failure|skipped))\b/g, '')).not.toContain(
      '<',
    );
    expect(xml).toContain('<skipped message="suppressed by steward-ignore: needs /dev/ttyUSB0"/>');
    expect(xml.match(/<testsuite /g)?.length).toBe(2);
    expect(xml.match(/<failure /g)?.length).toBe(result.findings.length);
  });
});

describe('github', () => {
  it('escapes newlines in data and commas and colons in properties', () => {
    const [first] = result.findings;
    if (!first) throw new Error('no findings');
    const odd = { ...first, file: 'deploy,prod/a:b.yaml', message: 'two\nlines 100%' };
    const out = reporters.github(input({ result: { ...result, findings: [odd] } }));
    expect(out).toBe(
      `::${first.severity === 'info' ? 'notice' : first.severity} file=deploy%2Cprod/a%3Ab.yaml,` +
        `line=${first.line},col=${first.column},endLine=${first.endLine},endColumn=${first.endColumn},` +
        `title=${first.ruleId}::[web] two%0Alines 100%25%0A${first.hint}\n`,
    );
  });

  it('writes one annotation per finding, notices for info', () => {
    const lines = reporters.github(input()).trimEnd().split('\n');
    expect(lines.length).toBe(result.findings.length);
    expect(lines.some((l) => l.startsWith('::notice file='))).toBe(true);
  });
});

describe('text', () => {
  it('groups by file, has no escapes without colour, and ends with the summary', () => {
    const out = reporters.text(input());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes is the point
    expect(out).not.toMatch(/\u001b\[/);
    const lines = out.trimEnd().split('\n');
    const headers = lines.filter((l) => l === composeFile || l === overrideFile);
    expect(headers).toEqual([composeFile, overrideFile]);
    expect(out).toMatch(
      / {2}6:9 {2,}error {2,}\[web\] adds the SYS_ADMIN capability .* {2}cap-add-dangerous\n/,
    );
    const n = result.findings.length;
    const c = (s: string) => result.findings.filter((f) => f.severity === s).length;
    expect(lines.at(-1)).toBe(
      `✖ ${n} problems (${c('error')} error${c('error') === 1 ? '' : 's'}, ${c('warning')} warnings, ` +
        `${c('info')} info) in 2 files, 1 suppressed`,
    );
    expect(out).not.toContain('no-privileged');
  });

  it('says when there are too many warnings, and when there are no problems', () => {
    expect(
      reporters
        .text(input({ maxWarnings: 0 }))
        .trimEnd()
        .split('\n')
        .at(-1),
    ).toMatch(/too many warnings/);
    const clean = reporters.text(input({ result: { ...result, findings: [] } }));
    expect(clean).toBe('✔ no problems in 2 files (1 suppressed)\n');
  });

  it('colours severities when colours are on', () => {
    const red: Colors = { ...plain, red: (s) => `<r>${s}</r>` };
    expect(reporters.text(input({ colors: red }))).toContain('<r>error  </r>');
  });
});
