export { planSelftest, SELFTEST_LEVEL, type SelftestPlan, type SelftestSettings } from './plan.js';
export { runSelftest, type SelftestOptions, type SelftestResult } from './run.js';
