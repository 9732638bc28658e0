import v8 from 'node:v8';

/**
 * V8 heap settings for the daemon, which runs for months next to other services. V8's defaults
 * suit short bursts on big machines: the young generation grows to 2 × 16 MiB and the old one to up to 4× its live
 * size before a full GC, so a daemon with a 50 MB live heap sat at 200+ MB RSS.
 * - `--semi-space-growth-factor=1` keeps the young generation at its initial 2 × 1 MiB.
 * - `--heap-growing-percent=30` lets the old generation grow 30% past its live size before the
 *   next full GC (V8 picks 10%–300% by its own heuristics otherwise).
 * Both are read by the GC each time it runs, so setting them at start-up takes effect (a test
 * checks this, as setFlagsFromString can silently stop working across Node versions).
 */
export const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=30'] as const;

const GROWTH = '--semi-space-growth-factor';
let youngGenPinned = false;
let roomHolders = 0;

/** Applies HEAP_FLAGS, except one the user already gave node (command line or NODE_OPTIONS). */
export function tuneHeap(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): void {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.split('=')[0]?.replaceAll('_', '-'));
  for (const flag of HEAP_FLAGS) {
    const name = flag.split('=')[0];
    if (given.includes(name)) continue;
    v8.setFlagsFromString(flag);
    if (name === GROWTH) youngGenPinned = true;
  }
}

/**
 * Lets the young generation grow (V8's default) until the returned release is called, for a
 * request that builds tens of thousands of short-lived objects at once (a 10,000-sample ingest
 * batch, a 43,200-point query). In a 2 × 1 MiB young generation those objects outlive a
 * scavenge and are copied to the old one: ingest ran ~25% slower. V8 shrinks the young
 * generation again once the allocation rate drops. Release is idempotent; nested holders count.
 */
export function roomToAllocate(): () => void {
  if (!youngGenPinned) return () => {};
  if (roomHolders++ === 0) v8.setFlagsFromString(`${GROWTH}=2`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--roomHolders === 0) v8.setFlagsFromString(`${GROWTH}=1`);
  };
}
