import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../compose/load.js';
import { lintProject } from '../lint.js';
import { deliberateDifferences, kicsMapping, type RuleRef } from './kics-mapping.js';

// A verbatim copy of ../shared/external/kics-compose (Apache-2.0, LICENSE inside), so a clean clone has it.
const corpus = path.resolve(__dirname, '../../../test/fixtures/kics-compose');

interface Expected {
  line: number;
  filename: string;
}

function lintFile(file: string) {
  return lintProject(loadProject([file], { env: {} }), { profile: 'strict' }).findings;
}

/**
 * KICS reports a list's key (`ports:`), Steward the offending item in it. When the expected
 * line is a key with a block value and the finding sits inside that block, they point at the
 * same thing; the test counts these apart from exact-line matches.
 */
function insideBlockOf(lines: string[], keyLine: number, findingLine: number): boolean {
  const key = lines[keyLine - 1] ?? '';
  if (!/^\s*[\w.-]+:\s*(#.*)?$/.test(key) || findingLine <= keyLine) return false;
  const indent = key.search(/\S/);
  let childIndent = -1;
  for (let l = keyLine + 1; l <= findingLine; l++) {
    const line = lines[l - 1] ?? '';
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const lineIndent = line.search(/\S/);
    if (lineIndent < indent || (lineIndent === indent && !line.trim().startsWith('-'))) return false;
    if (childIndent === -1) childIndent = lineIndent;
  }
  // Only a list item directly under the key: not any finding somewhere deeper in it.
  const found = lines[findingLine - 1] ?? '';
  return found.search(/\S/) === childIndent && found.trim().startsWith('-');
}

function matches(f: { ruleId: string; aspect?: string }, refs: RuleRef[]): boolean {
  return refs.some((r) => r.rule === f.ruleId && (r.aspect === undefined || r.aspect === f.aspect));
}

describe('KICS docker-compose conformance', () => {
  const queries = fs.readdirSync(corpus).filter((d) => fs.statSync(path.join(corpus, d)).isDirectory());

  it('maps every KICS query to a Steward rule', () => {
    expect(queries.filter((q) => !kicsMapping[q])).toEqual([]);
  });

  it('agrees with every expected finding and negative file, except the documented differences', () => {
    const disagreements: string[] = [];
    let files = 0;
    let filesMatched = 0;
    let expectedTotal = 0;
    let expectedMatched = 0;
    let itemMatched = 0;
    const usedDifferences = new Set<object>();
    for (const query of queries) {
      const refs = kicsMapping[query] ?? [];
      const dir = path.join(corpus, query, 'test');
      const expected = JSON.parse(
        fs.readFileSync(path.join(dir, 'positive_expected_result.json'), 'utf8'),
      ) as Expected[];
      for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))) {
        files++;
        const findings = lintFile(path.join(dir, name)).filter((f) => matches(f, refs));
        const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n');
        let fileOk = true;
        if (name.startsWith('negative')) {
          if (findings.length > 0) {
            const diff = deliberateDifferences.find(
              (d) => d.query === query && d.file === name && d.line === undefined,
            );
            if (diff) usedDifferences.add(diff);
            else {
              fileOk = false;
              disagreements.push(
                `${query}/${name}: negative file flagged: ${findings.map((f) => `${f.line} ${f.ruleId} ${f.message}`).join('; ')}`,
              );
            }
          }
        } else {
          for (const exp of expected.filter((e) => e.filename === name)) {
            expectedTotal++;
            if (findings.some((f) => f.line === exp.line)) {
              expectedMatched++;
              continue;
            }
            if (findings.some((f) => insideBlockOf(lines, exp.line, f.line))) {
              expectedMatched++;
              itemMatched++;
              continue;
            }
            const diff = deliberateDifferences.find(
              (d) => d.query === query && d.file === name && d.line === exp.line,
            );
            if (diff) usedDifferences.add(diff);
            else {
              fileOk = false;
              disagreements.push(
                `${query}/${name}:${exp.line} not reported (got ${findings.map((f) => `${f.line} ${f.ruleId}`).join(', ') || 'nothing'})`,
              );
            }
          }
        }
        if (fileOk) filesMatched++;
      }
    }
    // The agreement figure the issue asks for, printed on every run.
    console.log(
      `KICS agreement: files ${filesMatched}/${files}, expected findings ${expectedMatched}/${expectedTotal} (${itemMatched} on the list item under KICS's key line), documented differences ${usedDifferences.size}`,
    );
    expect(disagreements).toEqual([]);
    expect(deliberateDifferences.filter((d) => !usedDifferences.has(d))).toEqual([]);
  });
});
