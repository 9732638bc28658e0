export type AgeErrorCode =
  | 'E_AGE_HEADER'
  | 'E_AGE_NO_IDENTITY'
  | 'E_AGE_MAC'
  | 'E_AGE_CHUNK'
  | 'E_AGE_TRUNCATED'
  | 'E_AGE_KEY';

/**
 * Every failure of this module: malformed keys (E_AGE_KEY), and the ways an age file can
 * fail to decrypt. Callers map the code onto their own error kinds.
 */
export class AgeError extends Error {
  readonly code: AgeErrorCode;

  constructor(code: AgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgeError';
    this.code = code;
  }
}

export function isAgeError(err: unknown): err is AgeError {
  return err instanceof AgeError;
}
