import type { AlertsConfig, RouteConfig } from './config-schema.js';
import { CHANNEL_FAILING_RULE } from './rules/defaults.js';
import { matches } from './suppression/index.js';

export interface ResolvedRoute {
  index: number;
  route: RouteConfig;
  /** The route's channels, minus a failing channel its own alert must not go through. */
  channels: string[];
}

/** With no routes configured, everything goes to every channel. */
function fallbackRoute(config: AlertsConfig): RouteConfig {
  return {
    match: [],
    notify: Object.keys(config.channels),
    continue: false,
    group_by: ['alertname'],
    group_wait: 0,
    repeat: 4 * 3_600_000,
    escalate: [],
    send_resolved: true,
  };
}

/** The routes an alert takes: the first that matches, and the ones after it while `continue` says so. */
export function routesFor(config: AlertsConfig, labels: Record<string, string>): ResolvedRoute[] {
  const routes = config.routes.length ? config.routes : [fallbackRoute(config)];
  const out: ResolvedRoute[] = [];
  const exclude = labels.alertname === CHANNEL_FAILING_RULE ? labels.channel : undefined;
  for (const [index, route] of routes.entries()) {
    if (!matches(route.match, labels)) continue;
    out.push({ index, route, channels: route.notify.filter((c) => c !== exclude) });
    if (!route.continue) break;
  }
  return out;
}

export function groupKeyOf(route: ResolvedRoute, labels: Record<string, string>): string {
  return `${route.index}:${route.route.group_by.map((l) => `${l}=${labels[l] ?? ''}`).join(',')}`;
}
