import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exampleFindings,
  generateRuleDocs,
  lintExample,
  withInlineIgnores,
} from '../../../scripts/generate-rule-docs.js';
import { metaRules, rules } from './index.js';

const repoRoot = path.resolve(__dirname, '../../..');
const docPath = (id: string) => path.join(repoRoot, 'docs/rules', `${id}.md`);

// Every key a rule reads, each with a type compose would reject: rules must shrug, not throw.
const oddService = `services:
  odd:
    image: [1]
    build: 5
    user: {a: 1}
    ports: 5
    expose: {a: 1}
    volumes: {a: 1}
    environment: 7
    env_file: {a: 1}
    cap_add: {x: y}
    cap_drop: {x: 1}
    security_opt: true
    privileged: [1]
    read_only: {}
    tmpfs: 3
    deploy: [1]
    mem_limit: [1]
    cpus: {}
    pids_limit: {}
    healthcheck: "x"
    logging: []
    labels: 3
    restart: {}
    network_mode: [host]
    pid: {a: 1}
    ipc: [1]
    userns_mode: 2
    cgroup_parent: {}
    devices: true
  nested:
    image: app:1.0
    volumes:
      - {source: [1], target: {}, type: 3, bind: [1]}
      - 7
      - [a, b]
    ports:
      - {published: [1], target: {}, host_ip: 5}
      - [1]
    environment: [1, {a: b}, [c]]
    build: {args: [1, {a: b}]}
    deploy: {resources: {limits: [1]}, restart_policy: {condition: [1]}}
    healthcheck: {test: {a: 1}, disable: [1]}
    logging: {driver: [1], options: 3}
    labels: [1, {a: b}]
    security_opt: [1, {a: b}, [c]]
    cap_add: [{a: b}, [1]]
    cap_drop: [[ALL]]
`;

describe.each(rules.map((rule) => [rule.id, rule] as const))('rule %s', (id, rule) => {
  it('has a kebab-case id, a title, a rationale, a hint and a docs page', () => {
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title.trim()).not.toBe('');
    expect(rule.rationale.trim()).not.toBe('');
    expect(rule.hint.trim()).not.toBe('');
    expect(fs.existsSync(docPath(id)), `docs/rules/${id}.md`).toBe(true);
  });

  it('flags its bad example, with a usable location on every finding', () => {
    const lines = rule.examples.bad.split('\n');
    const findings = exampleFindings(rule, 'bad');
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.message.trim()).not.toBe('');
      expect(f.service).toBeTruthy();
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.line).toBeLessThanOrEqual(lines.length);
      expect(f.column).toBeGreaterThanOrEqual(1);
      expect(f.column).toBeLessThanOrEqual((lines[f.line - 1] ?? '').length + 1);
      expect(f.endLine).toBeGreaterThanOrEqual(f.line);
      expect(f.endLine).toBeLessThanOrEqual(lines.length);
      if (f.endLine === f.line) expect(f.endColumn).toBeGreaterThanOrEqual(f.column);
      expect(f.endColumn).toBeLessThanOrEqual((lines[f.endLine - 1] ?? '').length + 1);
    }
  });

  it('passes its good example, which no other rule flags either', () => {
    const result = lintExample(rule.examples.good, rule.examplesProfile);
    expect(result.findings.filter((f) => f.ruleId === rule.id)).toEqual([]);
    // The good example is the documented recommended form, so it should be clean throughout.
    expect(result.findings.map((f) => `${f.line} ${f.ruleId}: ${f.message}`)).toEqual([]);
  });

  it('honours the inline ignore its docs show', () => {
    const result = lintExample(withInlineIgnores(rule, 'a reason'), rule.examplesProfile);
    expect(result.findings.filter((f) => f.ruleId === rule.id || f.ruleId === 'invalid-ignore')).toEqual([]);
    expect(result.suppressed.some((f) => f.ruleId === rule.id)).toBe(true);
  });
});

describe('every rule', () => {
  it('has a unique id', () => {
    const ids = rules.map((r) => r.id);
    expect(ids.length).toBe(new Set(ids).size);
    expect(ids.filter((id) => id in metaRules)).toEqual([]);
  });

  it('never throws on a service whose keys have the wrong types', () => {
    for (const profile of ['baseline', 'strict'] as const) {
      // Strict enables every rule, so between the two profiles each one runs.
      const result = lintExample(oddService, profile);
      expect(result.services).toBe(2);
      expect(result.findings.filter((f) => f.ruleId === 'invalid-compose')).toEqual([]);
    }
  });

  it.each(Object.keys(metaRules))('meta rule %s has a docs page', (id) => {
    expect(fs.existsSync(docPath(id)), `docs/rules/${id}.md`).toBe(true);
  });
});

describe('docs/rules', () => {
  const generated = generateRuleDocs();

  it('matches what scripts/generate-rule-docs.ts writes (run it after changing a rule)', () => {
    for (const [file, content] of generated) {
      const onDisk = fs.existsSync(path.join(repoRoot, file))
        ? fs.readFileSync(path.join(repoRoot, file), 'utf8')
        : undefined;
      expect(onDisk, file).toBe(content);
    }
  });

  it('holds no page the generator no longer writes (a removed rule leaves none behind)', () => {
    const onDisk = fs.readdirSync(path.join(repoRoot, 'docs/rules')).map((f) => `docs/rules/${f}`);
    expect(onDisk.filter((f) => !generated.has(f))).toEqual([]);
  });
});
