import { entry, get, getPath, text } from '../compose/nodes.js';
import type { Rule } from './types.js';

const growing = new Set(['json-file', 'local']);

export const loggingLimits: Rule = {
  id: 'logging-limits',
  title: 'Container logs are size-limited',
  defaultSeverity: 'warning',
  security: false,
  rationale:
    'The json-file driver keeps every line forever: on a small box a chatty service fills the disk (and takes the database with it) without a max-size.',
  hint: 'add `logging: { driver: json-file, options: { max-size: "10m", max-file: "3" } }` (steward lint --fix does it)',
  check(ctx) {
    const logging = entry(ctx.service.node, 'logging');
    if (!logging) {
      ctx.reportMissing('logs are not size-limited (no logging options; json-file keeps growing)');
      return;
    }
    const driver = text(get(logging.value, 'driver')) ?? 'json-file';
    if (!growing.has(driver)) return;
    if (!getPath(logging.value, 'options', 'max-size')) {
      ctx.report(logging.keyLoc, `logging driver ${driver} without options.max-size`);
    }
  },
};
