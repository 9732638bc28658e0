/** Time comes through a clock so tests can move it; everything stored is UTC ISO-8601 with milliseconds. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function isoNow(clock: Clock = systemClock): string {
  return clock.now().toISOString();
}

/** A clock a test sets by hand. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string | number = Date.UTC(2026, 0, 1)) {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(to: Date | string | number): void {
    this.#ms = new Date(to).getTime();
  }
}
