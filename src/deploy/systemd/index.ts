export { type ExecStartLine, renderExecStart } from './exec-start.js';
export { assertServiceName, renderUnit, type UnitSpec, unitName } from './unit.js';
