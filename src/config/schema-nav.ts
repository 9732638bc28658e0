import { type ZodType, z } from 'zod';

/**
 * Walks a zod 4 schema along a key path, so an error at `services.db.kind` can be given
 * the hint and the list of known keys of the node that rejected it. Reads zod's public
 * `_zod.def` structure; wrappers (optional, default, pipe…) are looked through.
 */
interface Def {
  type: string;
  innerType?: ZodType;
  in?: ZodType;
  shape?: Record<string, ZodType>;
  valueType?: ZodType;
  keyType?: ZodType;
  element?: ZodType;
  options?: ZodType[];
}

function defOf(schema: ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const wrappers = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema with wrappers removed, keeping every layer's metadata reachable through `metaOf`. */
export function unwrap(schema: ZodType): ZodType[] {
  const layers: ZodType[] = [schema];
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const next = wrappers.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
    if (!next) return layers;
    layers.push(next);
    current = next;
  }
}

export function schemaAt(schema: ZodType, path: readonly PropertyKey[]): ZodType | undefined {
  let current: ZodType | undefined = schema;
  for (const segment of path) {
    if (!current) return undefined;
    const layers = unwrap(current);
    const base = layers[layers.length - 1] as ZodType;
    const def = defOf(base);
    if (def.type === 'object' && def.shape) current = def.shape[String(segment)];
    else if (def.type === 'record') current = def.valueType;
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'union' && def.options) {
      current = def.options.map((o) => schemaAt(o, [segment])).find((s) => s !== undefined);
    } else return undefined;
  }
  return current;
}

export interface FieldMeta {
  description?: string;
  hint?: string;
}

export function metaOf(schema: ZodType | undefined): FieldMeta {
  if (!schema) return {};
  const merged: FieldMeta = {};
  for (const layer of unwrap(schema).reverse()) {
    const meta = z.globalRegistry.get(layer) as FieldMeta | undefined;
    if (meta?.description) merged.description = meta.description;
    if (meta?.hint) merged.hint = meta.hint;
  }
  return merged;
}

/** The keys an object schema accepts, for did-you-mean. */
export function objectKeys(schema: ZodType | undefined): string[] {
  if (!schema) return [];
  const layers = unwrap(schema);
  const def = defOf(layers[layers.length - 1] as ZodType);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** For a record whose keys are checked (names), the key schema's metadata. */
export function recordKeyMeta(schema: ZodType | undefined): FieldMeta {
  if (!schema) return {};
  const layers = unwrap(schema);
  const def = defOf(layers[layers.length - 1] as ZodType);
  return def.type === 'record' && def.keyType ? metaOf(def.keyType) : {};
}

export function enumValues(schema: ZodType | undefined): string[] | undefined {
  if (!schema) return undefined;
  const layers = unwrap(schema);
  const def = defOf(layers[layers.length - 1] as ZodType) as Def & { entries?: Record<string, string> };
  return def.type === 'enum' && def.entries ? Object.values(def.entries) : undefined;
}
