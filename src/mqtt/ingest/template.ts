// `{label}` templates for metric names and device keys: "sensor_{metric}", "node_{field}".
// Parsed once at rule compile time; rendering is a join.

type Part = { text: string } | { name: string };

export interface Template {
  readonly source: string;
  /** Placeholder names, in order of appearance (may repeat). */
  readonly names: readonly string[];
  render(values: Readonly<Record<string, string>>): string;
}

const PLACEHOLDER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Returns the template, or a problem description (the caller words the config error). */
export function parseTemplate(source: string): Template | string {
  const parts: Part[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{', i);
    const close = source.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) return `unmatched "}" at offset ${close}`;
    if (open === -1) {
      parts.push({ text: source.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: source.slice(i, open) });
    if (close === -1) return `unclosed "{" at offset ${open}`;
    const name = source.slice(open + 1, close);
    if (!PLACEHOLDER.test(name)) return `placeholder {${name}} is not a label name`;
    parts.push({ name });
    i = close + 1;
  }
  const names = parts.flatMap((p) => ('name' in p ? [p.name] : []));
  return {
    source,
    names,
    render: (values) =>
      parts
        .map((p) => ('name' in p ? (Object.hasOwn(values, p.name) ? values[p.name] : '') : p.text))
        .join(''),
  };
}
