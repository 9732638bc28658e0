export type { ProxyCounters, ProxyLogger } from './context.js';
export {
  type SwitchProxy,
  type SwitchProxyOptions,
  type SwitchResult,
  startSwitchProxy,
} from './switch-proxy.js';
export type { ProxyTarget } from './upstream.js';
