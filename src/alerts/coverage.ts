import type { ResolvedConfig } from '../config/resolve.js';
import { checkDefinitions } from '../monitor/checks/definitions.js';
import type { Store } from '../store/index.js';
import type { AlertsConfig } from './config-schema.js';
import { activeRules } from './rules/active.js';

export interface CoverageGap {
  service: string;
  message: string;
  hint: string;
}

/**
 * Seed 003: every critical service must have alert rules. A critical service is covered when
 * some check watches it and some check rule (configured, or built in with `defaults`) selects
 * that check.
 */
export function uncoveredCriticalServices(config: ResolvedConfig): CoverageGap[] {
  const rules = activeRules(config.alerts as AlertsConfig).filter((r) => r.kind === 'check');
  // Definitions need a store only for probes that read it; none are run here.
  const checks = checkDefinitions(config, null as unknown as Store, { now: () => new Date() });
  const gaps: CoverageGap[] = [];
  for (const [service, spec] of Object.entries(config.services)) {
    if (!spec.critical) continue;
    const watching = checks.filter((c) => c.service === service);
    if (watching.length === 0) {
      gaps.push({
        service,
        message: `critical service ${service} has no check, so no alert can say it is down`,
        hint: `add a check with service: ${service} (http, tcp, docker …)`,
      });
      continue;
    }
    const covered = watching.some((c) =>
      rules.some((r) => r.selectsCheck?.({ name: c.name, service, criticalService: true, type: c.type })),
    );
    if (!covered) {
      gaps.push({
        service,
        message: `no alert rule covers critical service ${service}`,
        hint: `add a rule such as { check: ${watching[0]?.name}, state: down, severity: critical }, or set alerts.defaults: true`,
      });
    }
  }
  return gaps;
}
