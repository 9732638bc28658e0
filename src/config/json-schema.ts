import { z } from 'zod';
import { configSchema } from './schema.js';

/** JSON Schema (draft 2020-12) of the written file, for editors and `steward schema`. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema({ baseDir: '/' }), {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return schema;
}
