import { composeDriver } from './compose/index.js';
import { nativeDriver } from './native/index.js';
import type { DeployDriver } from './types.js';

/** The deploy drivers by service kind; adding one is a folder and a line here. */
export const drivers = { compose: composeDriver, native: nativeDriver } satisfies Record<
  string,
  DeployDriver
>;

export function driverFor(kind: 'compose' | 'native'): DeployDriver {
  return drivers[kind];
}
