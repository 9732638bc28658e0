export { type ComposeCli, detectComposeCli } from './cli.js';
export { type ComposeOutput, composeDown, composePull, composeUp, composeValidate } from './commands.js';
export { type ContainerObservation, observeContainers } from './observe.js';
export { renderOverride } from './override.js';
export { snapshotCompose } from './snapshot.js';
export { type ComposeTarget, OVERRIDE_FILE } from './target.js';
export { type ComposeVerdict, composeVerdict, stewardLabels, type VerdictOptions } from './verdict.js';
