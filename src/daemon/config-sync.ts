import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';

/**
 * Brings the store's services and environment in line with the configuration and writes
 * one audit row when anything changed. Run at start and on every reload.
 */
export function syncConfigToStore(
  store: Store,
  config: ResolvedConfig,
  actor = 'system',
): { changed: boolean } {
  const services = store.services.sync(
    Object.entries(config.services).map(([name, s]) => ({
      name,
      kind: s.kind,
      critical: s.critical,
      description: s.description ?? null,
    })),
  );
  const environment = store.environments.upsert({
    name: config.environment.name,
    type: config.environment.type,
  });
  const changed =
    environment.changed ||
    services.added.length > 0 ||
    services.updated.length > 0 ||
    services.removed.length > 0;
  if (changed) {
    store.audit.append({
      actor,
      action: 'config.applied',
      target: `config:${config.source.file}`,
      details: { services, environment: environment.changed ? config.environment : undefined },
    });
  }
  return { changed };
}
