/** A one-line progress bar on stderr, only when stderr is a terminal (never in logs or pipes). */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_done: number, _total: number | null) => {}, done: () => {} };
  let last = 0;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return {
    update(done: number, total: number | null) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      if (total) {
        const ratio = Math.min(1, done / total);
        const width = 30;
        const filled = Math.round(ratio * width);
        stream.write(
          `\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${mb(done)}`,
        );
      } else {
        stream.write(`\r${label} ${mb(done)}`);
      }
    },
    done() {
      stream.write('\r\u001b[K');
    },
  };
}
