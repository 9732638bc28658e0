import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/**
 * What every command function receives. The CLI, the HTTP API, the scheduler and the
 * tests build one and call the same functions; `actor` is who the audit log names
 * (`cli:<user>`, `token:<name>`, `system`, `webhook:<provider>`).
 */
export interface CommandContext {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly actor: string;
  readonly clock: Clock;
  readonly logger: Logger;
}
