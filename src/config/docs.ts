/**
 * docs/config.md, generated from the JSON Schema so the reference cannot drift from the
 * schema. A unit test fails when the committed file is stale (`npm run gen` rewrites it).
 */
type JsonSchema = {
  type?: string | string[];
  description?: string;
  hint?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  required?: string[];
  anyOf?: JsonSchema[];
  minimum?: number;
};

interface Row {
  key: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

export function renderConfigDocs(schema: JsonSchema, intro: string): string {
  const lines: string[] = [intro.trimEnd(), ''];
  const top = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  for (const [key, node] of Object.entries(top)) {
    lines.push(`## \`${key}\``, '');
    if (node.description) lines.push(node.description, '');
    const rows: Row[] = [];
    collect(key, node, required.has(key), rows);
    lines.push('| key | type | required | default | description |', '|---|---|---|---|---|');
    for (const row of rows) {
      lines.push(
        `| \`${row.key}\` | ${row.type} | ${row.required ? 'yes' : ''} | ${row.default} | ${escapeCell(row.description)} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function collect(key: string, node: JsonSchema, required: boolean, rows: Row[]): void {
  const description = [node.description, node.hint ? `*Hint: ${node.hint}.*` : undefined]
    .filter(Boolean)
    .join(' ');
  rows.push({ key, type: typeOf(node), required, default: defaultOf(node), description });
  if (node.properties) {
    const req = new Set(node.required ?? []);
    for (const [child, childNode] of Object.entries(node.properties)) {
      collect(`${key}.${child}`, childNode, req.has(child), rows);
    }
  }
  if (node.propertyNames && typeof node.additionalProperties === 'object') {
    collect(`${key}.<name>`, node.additionalProperties, false, rows);
  }
  if (node.items?.properties) collect(`${key}[]`, node.items, false, rows);
}

function typeOf(node: JsonSchema): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  if (node.propertyNames) return 'map of name → object';
  const t = Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
  if (t === 'array' && node.items) return `list of ${typeOf(node.items)}`;
  return t;
}

function defaultOf(node: JsonSchema): string {
  if (node.default === undefined) return '';
  const text = JSON.stringify(node.default);
  return text === '{}' ? '' : `\`${text}\``;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
