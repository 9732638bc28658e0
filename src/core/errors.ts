/**
 * The few error classes Steward throws. Every error a user can cause carries a stable
 * code and, where we can say something useful, a hint. The CLI's one top-level catch
 * turns these into a message and an exit code; the HTTP layer into a status.
 */
export const errorCodes = {
  E_CONFIG: { exit: 2, http: 400 },
  E_USAGE: { exit: 2, http: 400 },
  E_NOT_FOUND: { exit: 1, http: 404 },
  E_CONFLICT: { exit: 1, http: 409 },
  E_LOCKED: { exit: 1, http: 409 },
  E_AUTH: { exit: 1, http: 401 },
  E_FORBIDDEN: { exit: 1, http: 403 },
  E_EXTERNAL: { exit: 1, http: 502 },
  /** Data that fails its checksums or structure checks (a corrupt or hostile archive). */
  E_INTEGRITY: { exit: 1, http: 422 },
  E_MIGRATION: { exit: 1, http: 500 },
  E_INTERNAL: { exit: 1, http: 500 },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface StewardErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured detail safe to print (never secrets). */
  details?: unknown;
}

export class StewardError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: StewardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StewardError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return errorCodes[this.code].exit;
  }

  get httpStatus(): number {
    return errorCodes[this.code].http;
  }
}

export function isStewardError(err: unknown): err is StewardError {
  return err instanceof StewardError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
