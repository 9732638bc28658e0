import type { CNode, Loc } from './compose/nodes.js';
import type { ComposeProject, ServiceModel, SourceFile } from './compose/project.js';
import type { ExceptionSetting, SeveritySetting } from './config-schema.js';
import {
  compareFindings,
  docUrl,
  type Finding,
  type LintResult,
  type SuppressedFinding,
} from './findings.js';
import { type InlineIgnore, inlineIgnores } from './ignores.js';
import { position } from './positions.js';
import { metaRules, rules, rulesById } from './rules/index.js';
import type { PolicyProfile, Rule, RuleContext, Severity } from './rules/types.js';

export interface LintOptions {
  profile?: PolicyProfile;
  severities?: Readonly<Partial<Record<string, SeveritySetting>>>;
  exceptions?: readonly ExceptionSetting[];
  publicServices?: readonly string[];
  /** Only services active under these compose profiles (services without profiles always are). */
  composeProfiles?: readonly string[];
  now?: Date;
}

/** The severity a rule runs at under a profile and the per-rule settings, or undefined when off. */
export function effectiveSeverity(rule: Rule, opts: LintOptions): Severity | undefined {
  const setting = opts.severities?.[rule.id];
  if (setting === 'off') return undefined;
  if (setting) return setting;
  const profile = opts.profile ?? 'baseline';
  if (rule.strictOnly && profile !== 'strict') return undefined;
  if (profile === 'strict' && rule.defaultSeverity === 'info') return 'warning';
  return rule.defaultSeverity;
}

function isPublic(service: ServiceModel, opts: LintOptions): boolean {
  if (opts.publicServices?.includes(service.name)) return true;
  const labels = service.node.entries.find((e) => e.key === 'labels')?.value;
  if (!labels) return false;
  const check = (v: string | undefined) => v === 'true';
  if (labels.kind === 'map') {
    const v = labels.entries.find((e) => e.key === 'steward.public')?.value;
    return check(v?.kind === 'scalar' ? String(v.value) : undefined);
  }
  if (labels.kind === 'seq') {
    return labels.items.some((i) => i.kind === 'scalar' && String(i.value) === 'steward.public=true');
  }
  return false;
}

/** Runs every enabled rule on every service, then applies inline ignores and exceptions. */
export function lintProject(project: ComposeProject, opts: LintOptions = {}): LintResult {
  const now = opts.now ?? new Date();
  const raw: Finding[] = [];
  const toFinding = (
    loc: Loc,
    ruleId: string,
    severity: Severity,
    message: string,
    hint: string,
    service?: string,
    aspect?: string,
  ): Finding => {
    const file = project.files[loc.file] as SourceFile;
    const start = position(file, loc.start);
    const end = position(file, Math.max(loc.end, loc.start));
    const finding: Finding = {
      ruleId,
      severity,
      message: loc.via ? `${message} (from anchor &${loc.via})` : message,
      file: file.path,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      hint,
      docUrl: docUrl(ruleId),
    };
    if (service !== undefined) finding.service = service;
    if (loc.via) finding.anchor = loc.via;
    if (aspect) finding.aspect = aspect;
    return finding;
  };

  for (const p of project.problems) {
    const loc = { file: p.file, start: p.offset, end: p.offset };
    raw.push(toFinding(loc, 'invalid-compose', 'error', p.message, p.hint));
  }

  const active = rules.flatMap((rule) => {
    const severity = effectiveSeverity(rule, opts);
    return severity ? [{ rule, severity }] : [];
  });
  const wanted = opts.composeProfiles;
  for (const service of project.services) {
    if (wanted && service.profiles.length > 0 && !service.profiles.some((p) => wanted.includes(p))) continue;
    // One context per service; the rule being run is swapped in (thousands of services × 21 rules).
    let current = active[0];
    const ctx: RuleContext = {
      project,
      service,
      profile: opts.profile ?? 'baseline',
      isPublic: isPublic(service, opts),
      report: (at: CNode | Loc, message: string, aspect?: string) => {
        if (!current) return;
        const loc = 'loc' in at ? at.loc : at;
        raw.push(
          toFinding(loc, current.rule.id, current.severity, message, current.rule.hint, service.name, aspect),
        );
      },
      reportMissing: (message: string, aspect?: string) => {
        if (!current) return;
        raw.push(
          toFinding(
            service.keyLoc,
            current.rule.id,
            current.severity,
            message,
            current.rule.hint,
            service.name,
            aspect,
          ),
        );
      },
    };
    for (const entry of active) {
      current = entry;
      entry.rule.check(ctx);
    }
  }

  return applySuppressions(project, raw, opts, now);
}

function applySuppressions(
  project: ComposeProject,
  raw: Finding[],
  opts: LintOptions,
  now: Date,
): LintResult {
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const ignoresByFile = new Map<string, InlineIgnore[]>();
  for (const file of project.files) {
    const ignores = inlineIgnores(file);
    ignoresByFile.set(file.path, ignores);
    for (const ig of ignores) {
      const unknown = ig.rules.filter((r) => !rulesById.has(r) && r !== 'all');
      const problem =
        ig.rules.length === 0
          ? 'steward-ignore names no rule'
          : unknown.length > 0
            ? `steward-ignore names unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`
            : ig.reason === undefined
              ? `steward-ignore ${ig.rules.join(', ')} gives no reason, so it is not applied`
              : undefined;
      if (problem) {
        findings.push({
          ruleId: 'invalid-ignore',
          severity: 'warning',
          message: problem,
          file: file.path,
          line: ig.line,
          column: ig.column,
          endLine: ig.line,
          endColumn: ig.endColumn,
          hint: metaRules['invalid-ignore'].hint,
          docUrl: docUrl('invalid-ignore'),
        });
      }
    }
  }

  const today = now.toISOString().slice(0, 10);
  const exceptionsGiven = (opts.exceptions?.length ?? 0) > 0;
  const expiredReported = new Set<ExceptionSetting>();
  for (const finding of raw) {
    // Nothing may hide that a file could not be checked at all.
    if (finding.ruleId in metaRules) {
      findings.push(finding);
      continue;
    }
    const fileIgnores = ignoresByFile.get(finding.file);
    if (!exceptionsGiven && (fileIgnores === undefined || fileIgnores.length === 0)) {
      findings.push(finding);
      continue;
    }
    const inline = (fileIgnores ?? []).find(
      (ig) =>
        ig.reason !== undefined &&
        (ig.line === finding.line || (ig.ownLine && ig.line === finding.line - 1)) &&
        (ig.rules.includes(finding.ruleId) || ig.rules.includes('all')),
    );
    if (inline?.reason) {
      suppressed.push({ ...finding, suppression: { kind: 'inline', reason: inline.reason } });
      continue;
    }
    const exceptions = (opts.exceptions ?? []).filter(
      (ex) =>
        finding.service &&
        (ex.service === finding.service || ex.service === '*') &&
        ex.rules.includes(finding.ruleId),
    );
    const live = exceptions.find((ex) => ex.expires === undefined || ex.expires >= today);
    if (live) {
      suppressed.push({
        ...finding,
        suppression: {
          kind: 'exception',
          reason: live.reason,
          ...(live.expires ? { expires: live.expires } : {}),
        },
      });
      continue;
    }
    const expired = exceptions[0];
    if (expired) {
      finding.message += ` (exception expired ${expired.expires}: ${expired.reason})`;
      if (!expiredReported.has(expired)) {
        expiredReported.add(expired);
        findings.push({
          ...finding,
          ruleId: 'expired-exception',
          severity: 'warning',
          message: `the exception for ${expired.service} (${expired.rules.join(', ')}) expired on ${expired.expires} and no longer applies`,
          hint: metaRules['expired-exception'].hint,
          docUrl: docUrl('expired-exception'),
        });
      }
    }
    findings.push(finding);
  }
  findings.sort(compareFindings);
  suppressed.sort(compareFindings);
  return { files: project.files.map((f) => f.path), services: project.services.length, findings, suppressed };
}
