import { countBySeverity } from '../findings.js';
import type { Reporter } from './types.js';

/** One JSON document for scripts; `version` changes only when a field changes meaning or goes away. */
export const json: Reporter = ({ result, toolVersion }) => {
  const counts = countBySeverity(result.findings);
  const report = {
    version: 1,
    tool: { name: 'steward', version: toolVersion },
    summary: {
      files: result.files.length,
      services: result.services,
      errors: counts.error,
      warnings: counts.warning,
      info: counts.info,
      suppressed: result.suppressed.length,
    },
    findings: result.findings,
    suppressed: result.suppressed,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};
