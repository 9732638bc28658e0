import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { docUrl, type Finding, type SuppressedFinding } from '../findings.js';
import { metaRules, rules } from '../rules/index.js';
import type { Severity } from '../rules/types.js';
import type { StreamReporter } from './types.js';
import { portablePath } from './util.js';

const levels = { error: 'error', warning: 'warning', info: 'note' } as const;
// GitHub code scanning ranks security alerts by this CVSS-like score (critical ≥ 9, high ≥ 7, medium ≥ 4).
const securitySeverity = { error: '8.0', warning: '5.0', info: '2.0' } as const;
const metaSeverity: Record<keyof typeof metaRules, Severity> = {
  'invalid-compose': 'error',
  'invalid-ignore': 'warning',
  'expired-exception': 'warning',
};

interface RuleInfo {
  id: string;
  title: string;
  rationale: string;
  hint: string;
  severity: Severity;
  security: boolean;
}

const allRules: RuleInfo[] = [
  ...rules.map((r) => ({ ...r, severity: r.defaultSeverity })),
  ...Object.entries(metaRules).map(([id, r]) => ({
    id,
    ...r,
    severity: metaSeverity[id as keyof typeof metaRules],
    security: false,
  })),
];

const pascalCase = (id: string) =>
  id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

function descriptor(r: RuleInfo) {
  return {
    id: r.id,
    name: pascalCase(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale },
    // No web address for the docs yet, so no helpUri: the path in the repository instead.
    help: {
      text: `${r.rationale}\n\nFix: ${r.hint}\n\nDocumentation: ${docUrl(r.id)}`,
      markdown: `${r.rationale}\n\n**Fix:** ${r.hint}\n\nDocumentation: \`${docUrl(r.id)}\``,
    },
    defaultConfiguration: { level: levels[r.severity] },
    ...(r.security
      ? { properties: { tags: ['security'], 'security-severity': securitySeverity[r.severity] } }
      : {}),
  };
}

/** A relative URI reference under %SRCROOT%, each segment percent-encoded so spaces, `#` or `:` stay path. */
function artifactLocation(file: string) {
  const portable = portablePath(file);
  // Only a file on another Windows drive stays absolute: then a file: URI, with no base.
  if (path.isAbsolute(portable)) return { uri: pathToFileURL(file).href };
  return { uri: portable.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/**
 * What identifies a finding across edits: not its position, which moves when lines are added
 * above it. Line numbers inside messages (YAML errors) are masked for the same reason.
 */
function fingerprint(f: Finding, occurrence: number): string {
  const message = f.message.replace(/\b(line|column|col)\s*\d+/gi, '$1 #');
  const parts = [f.ruleId, portablePath(f.file), f.service ?? '', f.aspect ?? '', message];
  // Identical findings in one file still need distinct fingerprints; the first keeps the plain one.
  if (occurrence > 1) parts.push(String(occurrence));
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

const ruleIndexes = new Map(allRules.map((r, i) => [r.id, i]));

function toResult(f: Finding | SuppressedFinding, occurrence: number) {
  const ruleIndex = ruleIndexes.get(f.ruleId) ?? -1;
  const properties = {
    ...(f.service ? { service: f.service } : {}),
    ...(f.anchor ? { anchor: f.anchor } : {}),
    ...(f.aspect ? { aspect: f.aspect } : {}),
  };
  const suppression = 'suppression' in f ? f.suppression : undefined;
  return {
    ruleId: f.ruleId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: levels[f.severity],
    message: { text: f.service ? `[${f.service}] ${f.message}` : f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(f.file),
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
        },
      },
    ],
    partialFingerprints: { 'stewardFinding/v1': fingerprint(f, occurrence) },
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(suppression
      ? {
          suppressions: [
            {
              kind: suppression.kind === 'inline' ? 'inSource' : 'external',
              status: 'accepted',
              justification: suppression.reason,
              ...(suppression.expires ? { properties: { expires: suppression.expires } } : {}),
            },
          ],
        }
      : {}),
  };
}

const RESULTS = '"@results@"';

/**
 * SARIF 2.1.0 as GitHub code scanning takes it; suppressed findings go in marked as such.
 * The log is written around its results array, a result per line, project by project.
 */
export const sarif: StreamReporter = ({ toolVersion }) => {
  const seen = new Map<string, number>();
  let first = true;
  const root = pathToFileURL(process.cwd()).href;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'steward', semanticVersion: toolVersion, rules: allRules.map(descriptor) } },
        // Relative URIs resolve against the directory Steward ran in; the trailing slash makes it a directory.
        originalUriBaseIds: { '%SRCROOT%': { uri: root.endsWith('/') ? root : `${root}/` } },
        columnKind: 'utf16CodeUnits',
        results: '@results@',
      },
    ],
  };
  const [head = '', tail = ''] = JSON.stringify(log, null, 2).split(RESULTS);
  return {
    begin: () => `${head}[`,
    project(result) {
      let out = '';
      for (const f of [...result.findings, ...result.suppressed]) {
        const key = fingerprint(f, 1);
        const occurrence = (seen.get(key) ?? 0) + 1;
        seen.set(key, occurrence);
        out += `${first ? '' : ','}\n        ${JSON.stringify(toResult(f, occurrence))}`;
        first = false;
      }
      return out;
    },
    end: () => `${first ? '' : '\n      '}]${tail}\n`,
  };
};
