import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../config/load.js';
import { uncoveredCriticalServices } from './coverage.js';

function config(yaml: string) {
  const result = checkConfigText(`version: 1\n${yaml}`, { file: '/tmp/steward.yaml', env: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const services = `services:
  core: { kind: native, critical: true }
  extra: { kind: native }
`;

describe('critical services without alert coverage (seed 003)', () => {
  it('flags a critical service that no check watches', () => {
    expect(uncoveredCriticalServices(config(services)).map((g) => g.service)).toEqual(['core']);
  });

  it('counts the built-in rule for a critical service with a check', () => {
    const c = config(
      `${services}checks:\n  core-tcp: { type: tcp, host: 127.0.0.1, port: 1, service: core }\n`,
    );
    expect(uncoveredCriticalServices(c)).toEqual([]);
  });

  it('flags it again with defaults off and no rule of its own, and accepts a rule of its own', () => {
    const base = `${services}checks:\n  core-tcp: { type: tcp, host: 127.0.0.1, port: 1, service: core }\n`;
    const gaps = uncoveredCriticalServices(config(`${base}alerts: { defaults: false }\n`));
    expect(gaps).toMatchObject([{ service: 'core', message: 'no alert rule covers critical service core' }]);
    const own = config(
      `${base}alerts:\n  defaults: false\n  rules:\n    core-down: { service: core, state: down, severity: critical }\n`,
    );
    expect(uncoveredCriticalServices(own)).toEqual([]);
  });
});
