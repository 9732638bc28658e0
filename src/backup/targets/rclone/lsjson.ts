import { z } from 'zod';
import { StewardError } from '../../../core/errors.js';

/** The fields of `rclone lsjson` output we use (it has more; they are ignored). */
const entrySchema = z.object({
  Name: z.string(),
  Size: z.number(),
  ModTime: z.string(),
  IsDir: z.boolean(),
});

export type LsjsonEntry = z.infer<typeof entrySchema>;

function parse<T>(target: string, schema: z.ZodType<T>, text: string): T {
  try {
    return schema.parse(JSON.parse(text));
  } catch (err) {
    throw new StewardError('E_EXTERNAL', `target ${target}: unexpected rclone lsjson output`, {
      cause: err,
      details: { output: text.slice(0, 500) },
    });
  }
}

export const parseListing = (target: string, text: string): LsjsonEntry[] =>
  parse(target, z.array(entrySchema), text);

/** `lsjson --stat` prints one object. */
export const parseStat = (target: string, text: string): LsjsonEntry => parse(target, entrySchema, text);
