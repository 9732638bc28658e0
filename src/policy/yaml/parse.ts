import { parseWithYamlLib } from './from-yaml-lib.js';
import type { RawDocument } from './raw.js';

/** Every document of a YAML text as raw trees. */
export function parseYaml(src: string): RawDocument[] {
  return parseWithYamlLib(src);
}
