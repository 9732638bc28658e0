export { type DeviceSequenceState, SequenceTracker, type SequenceTrackerOptions } from './dedup.js';
export { type JsonPath, parseJsonPath } from './json-path.js';
export { MAX_JSON_DEPTH, SECONDS_BELOW } from './payload.js';
export {
  type CompileRulesOptions,
  compileRules,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type IngestRouter,
} from './rules.js';
export {
  type IngestFormat,
  type IngestRule,
  ingestFormats,
  ingestRuleSchema,
  type RouteResult,
  type Sample,
} from './schema.js';
export { type CompiledTopic, compileTopic } from './topic-pattern.js';
