import { entry, get, getPath, text } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

// Only json-file grows without bound: local rotates by default (five files of 20 MB).
const growing = new Set(['json-file']);

export const loggingLimits: Rule = {
  id: 'logging-limits',
  title: 'Container logs are size-limited',
  defaultSeverity: 'warning',
  security: false,
  rationale:
    'The json-file driver keeps every line forever: on a small box a chatty service fills the disk (and takes the database with it) without a max-size.',
  hint: 'add `logging: { driver: json-file, options: { max-size: "10m", max-file: "3" } }` (steward lint --fix does it)',
  autoFix: {
    what: 'partly: when a service has no `logging:` at all, `steward lint --fix` adds json-file with `max-size: "10m"` and `max-file: "3"`; an existing logging section is left to you',
    partial: true,
  },
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          logging:
            driver: json-file
    `),
    good: hardenedExample({
      comment: { 'logging.options.max-size': 'at most three files of 10 MB, then the oldest goes' },
    }),
  },
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
