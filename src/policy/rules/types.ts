import type { CNode, Loc } from '../compose/nodes.js';
import type { ComposeProject, ServiceModel } from '../compose/project.js';

export type Severity = 'error' | 'warning' | 'info';
export type PolicyProfile = 'baseline' | 'strict';

/** What a rule reports; the engine adds the file, line/column span, severity and links. */
export interface RuleReport {
  /** The offending node, or the service key when something is missing. */
  loc: Loc;
  message: string;
  /** A finer label when one rule checks several things (resource-limits: memory, cpus, pids). */
  aspect?: string;
}

export interface RuleContext {
  project: ComposeProject;
  service: ServiceModel;
  profile: PolicyProfile;
  /** Names of services marked public (ports-loopback lets them publish on every interface). */
  isPublic: boolean;
  report(node: CNode | Loc, message: string, aspect?: string): void;
  /** Report on the service key: the thing is missing altogether. */
  reportMissing(message: string, aspect?: string): void;
}

export interface Rule {
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** Why the rule exists, one or two sentences (shown in docs and SARIF help). */
  rationale: string;
  /** What to change, one line. */
  hint: string;
  /** Only in the strict profile. */
  strictOnly?: boolean;
  /** Security rules count in the benchmark's "security rules checked". */
  security: boolean;
  /**
   * Two complete compose files for the docs and the contract test: `bad` yields at least one
   * finding of this rule, `good` none (and reads as the recommended, hardened form).
   */
  examples: { bad: string; good: string };
  /** The profile the examples are linted under, for a rule that only fires in strict. */
  examplesProfile?: 'strict';
  /** What `steward lint --fix` does about a finding; absent when no change is safe to make unasked. */
  autoFix?: {
    what: string;
    /** True when the fix applies only in some cases. */
    partial?: boolean;
  };
  check(ctx: RuleContext): void;
}
