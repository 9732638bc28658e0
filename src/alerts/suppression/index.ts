/**
 * Alert suppression: label matchers, silences, maintenance windows and inhibition, with
 * Alertmanager semantics. Pure functions of their inputs and a clock value; the engine owns
 * state and timers.
 */
export {
  type InhibitConfig,
  type InhibitRule,
  inhibitedBy,
  inhibitingAlert,
  inhibitSchema,
} from './inhibit.js';
export {
  activeWindows,
  DEFAULT_TIMEZONE,
  type MaintenanceConfig,
  type MaintenanceWindow,
  maintenanceSchema,
  nextWindowChange,
  type WindowTiming,
  windowActive,
} from './maintenance.js';
export {
  formatMatchers,
  type Labels,
  labelName,
  type Matcher,
  type MatchOp,
  matcherFromEntry,
  matchersFromObject,
  matchersSchema,
  matches,
  parseMatcher,
  parseMatchers,
} from './matchers.js';
export {
  assertSilenceMatchers,
  nextSilenceChange,
  type Silence,
  silenceActive,
  silencedBy,
} from './silences.js';
