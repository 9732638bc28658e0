// Copies the non-TypeScript files the runtime reads (tsc only emits .js) into dist/.
// Runs after `tsc` in `npm run build`. Paths are relative to the repository, not the cwd.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each entry mirrors the matching files of one source directory into one dist directory. */
const assets = [{ from: 'src/store/migrations', to: 'dist/store/migrations', ext: '.sql' }];

for (const { from, to, ext } of assets) {
  const src = path.join(root, from);
  const dest = path.join(root, to);
  fs.mkdirSync(dest, { recursive: true });
  const wanted = fs.readdirSync(src).filter((name) => name.endsWith(ext));
  // A file deleted from src must not live on in dist (a stale migration would still run).
  for (const name of fs.readdirSync(dest)) {
    if (name.endsWith(ext) && !wanted.includes(name)) fs.rmSync(path.join(dest, name));
  }
  for (const name of wanted) fs.copyFileSync(path.join(src, name), path.join(dest, name));
}
