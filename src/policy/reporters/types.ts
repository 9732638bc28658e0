import type { Colors } from '../../cli/output.js';
import type { LintResult } from '../findings.js';

export interface ReportContext {
  /** The printer's colours: NO_COLOR and TTY detection stay in cli/output.ts. */
  colors: Colors;
  toolVersion: string;
  /** More warnings than this fails the run; reporters that talk to people say so. */
  maxWarnings?: number;
}

export interface ReportInput extends ReportContext {
  result: LintResult;
}

/** What the end of a report needs to know about everything before it. */
export interface Totals {
  files: number;
  services: number;
  errors: number;
  warnings: number;
  info: number;
  suppressed: number;
}

/**
 * A report written as it goes: the start, one piece per compose project (printed and then
 * dropped, so memory does not grow with the number of files), and the end with the totals.
 */
export interface ReportStream {
  begin(): string;
  project(result: LintResult): string;
  end(totals: Totals): string;
}

export type StreamReporter = (ctx: ReportContext) => ReportStream;

/** Renders a whole report at once; the text ends in a newline unless there is nothing to print. */
export type Reporter = (input: ReportInput) => string;
