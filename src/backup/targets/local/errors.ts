import { StewardError } from '../../../core/errors.js';

export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a filesystem error while writing `object` into a message a person can act on. */
export function writeError(target: string, object: string, err: unknown): StewardError {
  const code = errnoCode(err);
  const what =
    code === 'ENOSPC'
      ? 'no space left on device'
      : code === 'EDQUOT'
        ? 'disk quota exceeded'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : code === 'EIO'
            ? 'I/O error (is the disk failing or was it unplugged?)'
            : `${(err as Error).message ?? String(err)}`;
  return new StewardError('E_EXTERNAL', `target ${target}: ${what} while writing ${object}`, {
    cause: err,
    details: { code },
  });
}

export async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}
