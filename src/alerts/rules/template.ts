/**
 * `{{name}}` placeholders in summaries and descriptions: {{rule}}, {{value}}, {{message}},
 * {{labels.<name>}}. Unknown names stay visible as written, so a typo shows in the message
 * instead of vanishing.
 */
export function renderTemplate(
  text: string,
  vars: { rule: string; value: number | null; message: string; labels: Record<string, string> },
): string {
  return text.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_.]*)\s*\}\}/g, (whole, name: string) => {
    if (name === 'rule') return vars.rule;
    if (name === 'value') return vars.value === null ? '' : formatValue(vars.value);
    if (name === 'message') return vars.message;
    if (name.startsWith('labels.')) return vars.labels[name.slice(7)] ?? '';
    return whole;
  });
}

export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : String(Number(value.toPrecision(4)));
}
