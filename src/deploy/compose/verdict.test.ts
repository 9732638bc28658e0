import { describe, expect, it } from 'vitest';
import type { ContainerObservation } from './observe.js';
import { composeVerdict, stewardLabels } from './verdict.js';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const LONG_AGO = '2025-06-01T11:00:00.000Z';

function container(service: string, over: Partial<ContainerObservation> = {}): ContainerObservation {
  return {
    id: `${service}-id`,
    name: `p_${service}_1`,
    service,
    image: 'local/busybox:1',
    state: 'running',
    health: 'none',
    restartCount: 0,
    exitCode: null,
    startedAt: LONG_AGO,
    labels: { [stewardLabels.configHash]: 'h1' },
    ...over,
  };
}

const judge = (obs: ContainerObservation[], services = ['web']) =>
  composeVerdict(obs, { services, configHash: 'h1' }, { now: NOW });

describe('composeVerdict', () => {
  it('is healthy when every service runs healthy or without a healthcheck, with the expected hash', () => {
    const v = judge([container('web', { health: 'healthy' }), container('db')], ['web', 'db']);
    expect(v.verdict).toBe('healthy');
    expect(v.reason).toMatch(/web, db/);
  });

  it('is never healthy for a running but unhealthy container', () => {
    const v = judge([container('web', { health: 'unhealthy' })]);
    expect(v.verdict).toBe('failed');
    expect(v.reason).toMatch(/unhealthy/);
    // Even next to a healthy sibling of the same service.
    expect(
      judge([
        container('web', { health: 'healthy' }),
        container('web', { name: 'p_web_2', health: 'unhealthy' }),
      ]).verdict,
    ).toBe('failed');
  });

  it('waits for a starting healthcheck', () => {
    const v = judge([container('web', { health: 'starting' })]);
    expect(v).toEqual({ verdict: 'pending', reason: expect.stringMatching(/healthcheck starting/) });
  });

  it('fails on exited and dead containers', () => {
    expect(judge([container('web', { state: 'exited', exitCode: 3 })]).reason).toMatch(/exited with code 3/);
    expect(judge([container('web', { state: 'dead', exitCode: 137 })]).verdict).toBe('failed');
  });

  it('fails a crash loop, and does not pass its moments of "running"', () => {
    const looping = judge([container('web', { state: 'restarting', restartCount: 2, exitCode: 3 })]);
    expect(looping).toEqual({ verdict: 'failed', reason: expect.stringMatching(/crash-looping/) });
    const glimpse = container('web', { restartCount: 2, startedAt: new Date(NOW - 500).toISOString() });
    expect(judge([glimpse]).verdict).toBe('pending');
    // Up for longer than the settle time after a restart: it recovered.
    expect(judge([container('web', { restartCount: 2 })]).verdict).toBe('healthy');
  });

  it('waits for a restarting container that has not restarted yet', () => {
    expect(judge([container('web', { state: 'restarting', restartCount: 0 })]).verdict).toBe('pending');
  });

  it('waits while the config hash differs, and ignores a failed container of an older configuration', () => {
    const stale = judge([container('web', { labels: { [stewardLabels.configHash]: 'h0' } })]);
    expect(stale).toEqual({
      verdict: 'pending',
      reason: expect.stringMatching(/config hash h1 \(running: h0\)/),
    });
    const old = container('web', { id: 'old', state: 'exited', exitCode: 0, labels: {} });
    expect(judge([old, container('web')]).verdict).toBe('healthy');
  });

  it('waits for a service without containers, and fails first when another one failed', () => {
    expect(judge([], ['web']).reason).toMatch(/web: no container yet/);
    const v = judge([container('db', { state: 'exited', exitCode: 1 })], ['web', 'db']);
    expect(v.verdict).toBe('failed');
    expect(v.reason).toMatch(/^db:/);
  });

  it('does not pass an empty list of services', () => {
    expect(composeVerdict([container('web')], { services: [], configHash: 'h1' }).verdict).toBe('failed');
  });
});
