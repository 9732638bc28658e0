import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes `<name>.json` and the benchmark's README section: into bench/ by default, or into
 * `out` (with a copy of the README to edit) so a trial run leaves the committed files alone.
 */
export function saveResults(opts: {
  name: string;
  results: unknown;
  resultsFile: string;
  readme: string;
  out?: string | null | undefined;
  writeReadme(file: string): void;
}): void {
  const resultsFile = opts.out ? path.join(opts.out, `${opts.name}.json`) : opts.resultsFile;
  const readme = opts.out ? path.join(opts.out, 'README.md') : opts.readme;
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  if (opts.out) fs.copyFileSync(opts.readme, readme);
  fs.writeFileSync(resultsFile, `${JSON.stringify(opts.results, null, 2)}\n`);
  opts.writeReadme(readme);
  console.log(`\nwrote ${resultsFile} and ${readme}`);
}
