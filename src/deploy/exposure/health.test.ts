import { describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { commandFor, serviceHealth } from './health.js';
import { exitCodeOf } from './run-command.js';

const checks = (...states: string[]) => states.map((state, i) => ({ name: `c${i}`, state }));

describe('serviceHealth', () => {
  it.each([
    [[], 'unknown'],
    [['unknown'], 'unknown'],
    [['up', 'unknown'], 'unknown'],
    [['up'], 'healthy'],
    [['up', 'up'], 'healthy'],
    [['up', 'down'], 'unhealthy'],
    [['up', 'degraded'], 'unhealthy'],
    [['unknown', 'down'], 'unhealthy'],
    [['paused'], 'unhealthy'],
  ])('%j → %s', (states, want) => {
    expect(serviceHealth(checks(...states))).toBe(want);
  });
});

describe('commandFor', () => {
  it('picks the transition’s command; blank or missing is none', () => {
    const spec = { on_healthy: 'tailscale funnel --bg 8085', on_unhealthy: '  ', debounce: 0 };
    expect(commandFor(spec, 'healthy')).toBe('tailscale funnel --bg 8085');
    expect(commandFor(spec, 'unhealthy')).toBeUndefined();
    expect(commandFor({ debounce: 0 }, 'healthy')).toBeUndefined();
  });
});

describe('exitCodeOf', () => {
  it('reads the code runShell puts in its message; none for timeouts and other errors', () => {
    expect(exitCodeOf(new StewardError('E_EXTERNAL', 'command exited with code 7: boom'))).toBe(7);
    expect(exitCodeOf(new StewardError('E_EXTERNAL', 'x', { details: { exitCode: 9 } }))).toBe(9);
    expect(exitCodeOf(new StewardError('E_EXTERNAL', 'command timed out after 5 ms'))).toBeNull();
    expect(exitCodeOf(new Error('command exited with code 3'))).toBeNull();
  });
});
