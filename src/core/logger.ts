import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';
import { redactSecrets } from './log-redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** Pretty, coloured lines when true; JSON lines (for journald/Loki) otherwise. */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.STEWARD_LOG_LEVEL ?? 'info';
  const base = {
    level,
    base: { name: 'steward' },
    // Our own copy-on-write redaction instead of pino's `redact` option, which copies every
    // record (see log-redact.ts). Child bindings: see redactChildBindings.
    formatters: { log: redactSecrets, bindings: redactSecrets },
  };
  const dest = options.destination ?? process.stdout;
  const wantPretty = options.pretty ?? (dest as NodeJS.WriteStream).isTTY === true;
  if (wantPretty) {
    // Loaded only for a terminal: most runs (daemon under systemd, scripts) never need it.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    const stream = pretty({
      colorize: !process.env.NO_COLOR,
      destination: dest,
      sync: true,
      ignore: 'pid,hostname,name',
      translateTime: 'SYS:HH:MM:ss.l',
    });
    return redactChildBindings(pino(base, stream));
  }
  return redactChildBindings(
    pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, dest as pino.DestinationStream),
  );
}

/**
 * pino applies `formatters.bindings` to the root's bindings only, so a child's are redacted on
 * the way in. Children inherit `child` from their parent, so this covers every descendant.
 */
function redactChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactSecrets(bindings), options);
  } as Logger['child'];
  return logger;
}

/** A logger that drops everything, for commands and tests that do not want output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
