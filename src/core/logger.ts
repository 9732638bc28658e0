import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Field names whose values are secrets wherever they appear in a log record. */
const secretKeys = [
  'token',
  'password',
  'secret',
  'authorization',
  'apiKey',
  'api_key',
  'privateKey',
  'identity',
  'url_with_credentials',
];

export const redactPaths = secretKeys
  .flatMap((k) => [k, `*.${k}`, `*.*.${k}`])
  .concat(['req.headers.authorization', 'req.headers.cookie', 'headers.authorization']);

export interface LoggerOptions {
  level?: string;
  /** Pretty, coloured lines when true; JSON lines (for journald/Loki) otherwise. */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.STEWARD_LOG_LEVEL ?? 'info';
  const base = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { name: 'steward' } };
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
    return pino(base, stream);
  }
  return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, dest as pino.DestinationStream);
}

/** A logger that drops everything, for commands and tests that do not want output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
