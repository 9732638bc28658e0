// Prometheus naming rules shared by all ingest formats.
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Latest representable JS Date, in ms; timestamps beyond it cannot be stored or compared sensibly. */
export const MAX_TIMESTAMP_MS = 8_640_000_000_000_000;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/** `__`-prefixed label names are reserved for Prometheus internals (e.g. `__name__`). */
export function isReservedLabelName(name: string): boolean {
  return name.startsWith('__');
}

/** Invalid characters become `_` (one per code point, hence the `u` flag); a leading digit gets a `_` prefix. */
export function sanitizeMetricName(raw: string): string {
  const out = raw.replace(/[^a-zA-Z0-9_:]/gu, '_');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

export function sanitizeLabelName(raw: string): string {
  const out = raw.replace(/[^a-zA-Z0-9_]/gu, '_');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** JSON-quotes user text for error messages, truncated so a huge bad token can't bloat the report. */
export function quote(raw: string, max = 64): string {
  return JSON.stringify(raw.length > max ? `${raw.slice(0, max)}…` : raw);
}
