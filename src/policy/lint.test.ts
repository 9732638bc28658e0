import { describe, expect, it } from 'vitest';
import { loadProject } from './compose/load.js';
import { type LintOptions, lintProject } from './lint.js';

const text = `services:
  web:
    image: nginx:1.27.2
    ports: ["8080:8080"]
  proxy:
    image: caddy:2.8.4
    ports: ["8443:8443"]
    labels: { steward.public: "true" }
  debug:
    image: busybox:1.36.1
    profiles: [debug]
    read_only: false
`;

function lint(opts: LintOptions = {}) {
  const project = loadProject(['/virtual/compose.yaml'], { env: {}, read: () => Buffer.from(text) });
  return lintProject(project, opts).findings;
}
const of = (findings: ReturnType<typeof lint>, rule: string) =>
  findings.filter((f) => f.ruleId === rule).map((f) => `${f.service}:${f.severity}`);

describe('lintProject options', () => {
  it('ports-loopback spares services marked public, by label or by policy.public_services', () => {
    expect(of(lint(), 'ports-loopback')).toEqual(['web:warning']);
    expect(of(lint({ publicServices: ['web'] }), 'ports-loopback')).toEqual([]);
  });

  it('--compose-profile lints services without profiles and those in the named ones only', () => {
    const services = (f: ReturnType<typeof lint>) => [...new Set(f.map((x) => x.service))].sort();
    expect(services(lint())).toEqual(['debug', 'proxy', 'web']);
    expect(services(lint({ composeProfiles: ['prod'] }))).toEqual(['proxy', 'web']);
    expect(services(lint({ composeProfiles: ['debug'] }))).toEqual(['debug', 'proxy', 'web']);
  });

  it('per-rule severities and off; the strict profile turns info into warnings', () => {
    expect(of(lint(), 'read-only-rootfs')).toContain('debug:info');
    expect(of(lint({ profile: 'strict' }), 'read-only-rootfs')).toContain('debug:warning');
    expect(of(lint({ severities: { 'read-only-rootfs': 'error' } }), 'read-only-rootfs')).toContain(
      'debug:error',
    );
    expect(of(lint({ severities: { 'read-only-rootfs': 'off' } }), 'read-only-rootfs')).toEqual([]);
  });
});
