import type { Colors } from '../../cli/output.js';
import type { LintResult } from '../findings.js';

export interface ReportInput {
  result: LintResult;
  /** The printer's colours: NO_COLOR and TTY detection stay in cli/output.ts. */
  colors: Colors;
  toolVersion: string;
  /** More warnings than this fails the run; reporters that talk to people say so. */
  maxWarnings?: number;
}

/** Renders a whole report; the text ends in a newline unless there is nothing to print. */
export type Reporter = (input: ReportInput) => string;
