import { parseYamlFast } from './fast-parse.js';
import { parseWithYamlLib } from './from-yaml-lib.js';
import type { RawDocument } from './raw.js';

/**
 * Every document of a YAML text as raw trees: the fast compose-subset scanner first (about
 * 30× the `yaml` library's speed, held to its output by a differential test), the library for
 * whatever the scanner declines — anything unusual, and every file with an error.
 */
export function parseYaml(src: string): RawDocument[] {
  let fast: RawDocument[] | null = null;
  try {
    fast = parseYamlFast(src);
  } catch {
    // A scanner bug must not cost a verdict: the library decides (its own tests catch the bug).
  }
  return fast ?? parseWithYamlLib(src);
}
