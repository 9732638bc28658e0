import { z } from 'zod';

/** The archive's table of contents, written last into the tar as `steward-manifest.json`. */
export const MANIFEST_NAME = 'steward-manifest.json';
export const MANIFEST_FORMAT = 'steward-archive/1';

const entrySchema = z.object({
  path: z.string(),
  type: z.enum(['file', 'directory', 'symlink']),
  size: z.number().int().nonnegative(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  linkname: z.string().optional(),
});

const sourceSchema = z.object({
  name: z.string(),
  type: z.string(),
  bytes: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  duration_ms: z.number().nonnegative(),
  meta: z.record(z.string(), z.unknown()).optional(),
  warnings: z.array(z.string()).default([]),
});

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  job: z.string(),
  run_id: z.string(),
  host: z.string(),
  steward_version: z.string(),
  created_at: z.string(),
  compression: z.string(),
  sources: z.array(sourceSchema),
  entries: z.array(entrySchema),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestEntry = z.infer<typeof entrySchema>;
export type ManifestSource = z.infer<typeof sourceSchema>;

export function parseManifest(content: Buffer): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch (err) {
    throw new Error(`${MANIFEST_NAME} is not valid JSON: ${(err as Error).message}`);
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new Error(
      `${MANIFEST_NAME} is malformed at ${first?.path.join('.') || '(root)'}: ${first?.message}`,
    );
  }
  return r.data;
}
