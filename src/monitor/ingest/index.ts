export { MAX_JSON_ITEMS, parseJsonSamples } from './json.js';
export {
  DEFAULT_MAX_LINES,
  type LineProtocolOptions,
  MAX_LINE_BYTES,
  type Precision,
  parseLineProtocol,
} from './line-protocol.js';
export {
  isReservedLabelName,
  isValidLabelName,
  isValidMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
} from './names.js';
export type { IngestError, IngestResult, IngestSample } from './types.js';
