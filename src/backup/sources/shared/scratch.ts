import { rm } from 'node:fs/promises';
import path from 'node:path';

/** Names a driver claims in its scratch directory, so that `cleanup()` removes exactly those. */
export class ScratchFiles {
  readonly #dir: string;
  readonly #claimed: string[] = [];

  constructor(dir: string) {
    this.#dir = dir;
  }

  claim(name: string): string {
    const file = path.join(this.#dir, name);
    this.#claimed.push(file);
    return file;
  }

  async removeAll(): Promise<void> {
    for (const file of this.#claimed.splice(0)) await rm(file, { recursive: true, force: true });
  }
}
