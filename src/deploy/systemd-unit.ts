import type { ResolvedConfig } from '../config/resolve.js';
import { StewardError } from '../core/errors.js';
import { renderUnit } from './systemd/index.js';

/** `steward systemd unit <service>`: the hardened unit for a native service with runner: systemd. */
export function unitForService(config: ResolvedConfig, service: string): string {
  const spec = config.services[service];
  const native = spec?.native;
  if (spec?.kind !== 'native' || !native) {
    throw new StewardError('E_NOT_FOUND', `${service} is not a native service`, {
      hint: 'units are for services with kind: native and a native: section',
    });
  }
  const port = native.port;
  return renderUnit({
    service,
    ...(spec.description ? { description: spec.description } : {}),
    execStart: native.run.replaceAll('{port}', port === undefined ? '' : String(port)),
    workingDirectory: native.current,
    ...(native.user ? { user: native.user } : {}),
    ...(native.env_file ? { envFile: native.env_file } : {}),
    ...(native.watchdog ? { watchdogSec: Math.max(1, Math.round(native.watchdog / 1000)) } : {}),
  });
}
