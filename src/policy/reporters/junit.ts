import type { Finding, SuppressedFinding } from '../findings.js';
import type { StreamReporter } from './types.js';
import { groupByFile } from './util.js';

// Characters XML 1.0 forbids even escaped (controls, lone surrogates, U+FFFE/U+FFFF).
const illegal = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(s: string): string {
  return s
    .replace(illegal, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** In attributes a parser turns raw line breaks and tabs into spaces; character references keep them. */
function attr(s: string): string {
  return escapeXml(s).replaceAll('\t', '&#9;').replaceAll('\n', '&#10;').replaceAll('\r', '&#13;');
}

function caseName(f: Finding): string {
  return [f.ruleId, f.service, `${f.line}:${f.column}`].filter(Boolean).join(' ');
}

function where(f: Finding): string {
  const service = f.service ? ` (service ${f.service}${f.anchor ? `, via anchor &${f.anchor}` : ''})` : '';
  return `at ${f.file}:${f.line}:${f.column}${service}`;
}

function failing(f: Finding): string {
  const body = [f.message, f.hint, where(f), `see ${f.docUrl}`].filter(Boolean).join('\n');
  return (
    `    <testcase classname="${attr(f.file)}" name="${attr(caseName(f))}">\n` +
    `      <failure message="${attr(f.message)}" type="${f.severity}">${escapeXml(body)}</failure>\n` +
    '    </testcase>'
  );
}

/** Suppressed findings are skipped tests: visible in the report, not failing it. */
function skipped(f: SuppressedFinding): string {
  const how = f.suppression.kind === 'inline' ? 'steward-ignore' : 'policy exception';
  return (
    `    <testcase classname="${attr(f.file)}" name="${attr(caseName(f))}">\n` +
    `      <skipped message="${attr(`suppressed by ${how}: ${f.suppression.reason}`)}"/>\n` +
    '    </testcase>'
  );
}

/**
 * JUnit XML for CI test tabs: a suite per file, a failing test per finding, suppressed findings
 * skipped. Written project by project, so the root element carries no totals (they are optional).
 */
export const junit: StreamReporter = () => ({
  begin: () => '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="steward">\n',
  project(result) {
    const files = [...new Set([...result.files, ...result.suppressed.map((f) => f.file)])];
    const suppressedByFile = groupByFile(files, result.suppressed);
    const suites: string[] = [];
    for (const [file, findings] of groupByFile(files, result.findings)) {
      const quiet = suppressedByFile.get(file) ?? [];
      const cases = [...findings.map(failing), ...quiet.map(skipped)];
      if (findings.length === 0) {
        cases.push(`    <testcase classname="${attr(file)}" name="${attr(`${file} has no findings`)}"/>`);
      }
      // tests counts the cases written, so tests ≥ failures + skipped holds for every consumer.
      suites.push(
        `  <testsuite name="${attr(file)}" tests="${cases.length}" failures="${findings.length}" ` +
          `errors="0" skipped="${quiet.length}">`,
        ...cases,
        '  </testsuite>',
      );
    }
    return suites.length ? `${suites.join('\n')}\n` : '';
  },
  end: () => '</testsuites>\n',
});
