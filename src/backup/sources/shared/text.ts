/** The last lines of a tool's output: enough to explain a failure, short enough for a message. */
export function tailLines(text: string, maxLines = 8, maxChars = 1500): string {
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  const tail = lines.slice(-maxLines).join('\n');
  return tail.length > maxChars ? `…${tail.slice(tail.length - maxChars)}` : tail;
}

/** Single-quotes `value` for /bin/sh unless it is made of characters that need no quoting. */
export function shellQuote(value: string): string {
  // Plain paths go in bare, so that `"{dir}/x"` written inside double quotes still works.
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
