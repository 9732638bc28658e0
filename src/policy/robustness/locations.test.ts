import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyException } from '../config-schema.js';
import { lintMemory, only, span } from './harness.js';

// Every expected position below is counted by hand from the literal text beside it: 1-based
// lines, columns in UTF-16 code units, the end just past the last character of the node.
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('findings through anchors point at the alias use', () => {
  it('locates a merged key at the `*defaults` in the service and names the anchor', () => {
    const { result } = lintMemory({
      'compose.yaml': yaml(
        'x-defaults: &defaults', //   1
        '  privileged: true', //      2
        '  restart: unless-stopped', // 3
        'services:', //               4
        '  web:', //                  5
        '    <<: *defaults', //       6: `*defaults` at columns 9-17
        '    image: nginx:1.27', //   7
      ),
    });
    const f = only(result.findings, 'no-privileged');
    expect(span(f)).toBe('6:9-6:18');
    expect(f.file).toBe('compose.yaml');
    expect(f.anchor).toBe('defaults');
    expect(f.message).toContain('&defaults');
    expect(f.service).toBe('web');
  });

  it('locates every item of a plain alias value at the `*caps`', () => {
    const { result } = lintMemory({
      'compose.yaml': yaml(
        'x-caps: &caps [SYS_ADMIN, NET_ADMIN]', // 1
        'services:', //                            2
        '  web:', //                               3
        '    image: nginx:1.27', //                4
        '    cap_add: *caps', //                   5: `*caps` at columns 14-18
      ),
    });
    const caps = result.findings.filter((f) => f.ruleId === 'cap-add-dangerous');
    expect(caps.map(span)).toEqual(['5:14-5:19', '5:14-5:19']);
    expect(caps.map((f) => f.anchor)).toEqual(['caps', 'caps']);
    expect(caps.every((f) => f.message.includes('&caps'))).toBe(true);
  });
});

describe('several documents and several -f files', () => {
  it('locates a finding of the second document in the file', () => {
    const { result } = lintMemory({
      'compose.yaml': yaml(
        'services:', //             1
        '  web:', //                2
        '    image: nginx:1.27', // 3
        '---', //                   4
        'services:', //             5
        '  web:', //                6
        '    privileged: true', //  7: `true` at columns 17-20
      ),
    });
    expect(span(only(result.findings, 'no-privileged'))).toBe('7:17-7:21');
    // The service key of the first document is where "missing" findings go.
    expect(span(only(result.findings, 'healthcheck-required'))).toBe('2:3-2:6');
  });

  it('locates each finding in the -f file that wrote it', () => {
    const { result } = lintMemory({
      'a.yaml': yaml(
        'services:', //              1
        '  web:', //                 2: `web` at columns 3-5
        '    image: nginx:1.27', //  3
        '    cap_add: [SYS_ADMIN]', // 4: `SYS_ADMIN` at columns 15-23
      ),
      'b.yaml': yaml(
        'services:', //              1
        '  web:', //                 2
        '    privileged: true', //   3: `true` at columns 17-20
        '    ports:', //             4
        '      - "0.0.0.0:80:80"', // 5: the quoted scalar at columns 9-23
      ),
    });
    const at = (ruleId: string) => {
      const f = only(result.findings, ruleId);
      return `${f.file} ${span(f)}`;
    };
    expect(at('no-privileged')).toBe('b.yaml 3:17-3:21');
    expect(at('ports-loopback')).toBe('b.yaml 5:9-5:24');
    expect(at('privileged-ports')).toBe('b.yaml 5:9-5:24');
    expect(at('cap-add-dangerous')).toBe('a.yaml 4:15-4:24');
    expect(at('healthcheck-required')).toBe('a.yaml 2:3-2:6');
  });

  it('locates a finding inherited through `extends: { file }` in the base file', () => {
    const { project, result } = lintMemory(
      {
        'compose.yaml': yaml(
          'services:', //              1
          '  app:', //                 2
          '    image: nginx:1.27', //  3
          '    extends:', //           4
          '      file: base.yaml', //  5
          '      service: base', //    6
        ),
        'base.yaml': yaml(
          'services:', //              1
          '  base:', //                2
          '    image: alpine:3.20', // 3
          '    cap_add: [SYS_ADMIN]', // 4: `SYS_ADMIN` at columns 15-23
        ),
      },
      { paths: ['compose.yaml'] },
    );
    expect(project.services.map((s) => s.name)).toEqual(['app']);
    const f = only(result.findings, 'cap-add-dangerous');
    // The loader names an extended file by its resolved path; compare paths, not spellings.
    expect(path.resolve(f.file)).toBe(path.resolve('base.yaml'));
    expect(span(f)).toBe('4:15-4:24');
    expect(f.service).toBe('app');
  });
});

describe('interpolation', () => {
  const text = yaml(
    'services:', //                        1
    '  web:', //                           2
    '    image: "nginx:${TAG:-latest}"', // 3: the quoted scalar at columns 12-33
  );

  it('reports the default tag at the quoted scalar, quotes included', () => {
    const { result } = lintMemory({ 'compose.yaml': text }, { env: {} });
    const f = only(result.findings, 'image-pinned');
    expect(span(f)).toBe('3:12-3:34');
    expect(f.message).toContain('nginx:latest');
  });

  it('reports nothing once TAG pins a version', () => {
    const { result } = lintMemory({ 'compose.yaml': text }, { env: { TAG: '1.27' } });
    expect(result.findings.filter((f) => f.ruleId === 'image-pinned')).toEqual([]);
  });
});

describe('columns count UTF-16 code units', () => {
  it('counts é as one unit and 🙂 as two before the offending value', () => {
    // `  web: { image: "nginx:1.27", note: "é🙂", privileged: true }`
    // `  web: { ` is 9 units, `image: "nginx:1.27", ` 21, `note: "é🙂", ` 13 (é 1, 🙂 2),
    // `privileged: ` 12: `true` starts after 55 units, at column 56.
    const { result } = lintMemory({
      'compose.yaml': yaml(
        'services:',
        '  web: { image: "nginx:1.27", note: "\u00e9\u{1F642}", privileged: true }',
      ),
    });
    expect(span(only(result.findings, 'no-privileged'))).toBe('2:56-2:60');
  });
});

describe('inline ignores', () => {
  const withIgnore = (above: string, line5: string) =>
    yaml(
      'services:', //             1
      '  web:', //                2
      '    image: nginx:1.27', // 3
      above, //                   4
      line5, //                   5
    );

  it('suppresses from the line above, keeping the reason', () => {
    const { result } = lintMemory({
      'compose.yaml': withIgnore(
        '    # steward-ignore no-privileged -- needs the GPIO device',
        '    privileged: true',
      ),
    });
    expect(result.findings.filter((f) => f.ruleId === 'no-privileged')).toEqual([]);
    const s = only(result.suppressed, 'no-privileged');
    expect(span(s)).toBe('5:17-5:21');
    expect(s.suppression).toEqual({ kind: 'inline', reason: 'needs the GPIO device' });
    expect(result.findings.filter((f) => f.ruleId === 'invalid-ignore')).toEqual([]);
  });

  it('suppresses from the same line', () => {
    const { result } = lintMemory({
      'compose.yaml': withIgnore(
        '    read_only: true',
        '    privileged: true # steward-ignore no-privileged -- needs the GPIO device',
      ),
    });
    expect(result.findings.filter((f) => f.ruleId === 'no-privileged')).toEqual([]);
    expect(only(result.suppressed, 'no-privileged').suppression.reason).toBe('needs the GPIO device');
  });

  it('reports an ignore without a reason at its comment, and does not apply it', () => {
    const { result } = lintMemory({
      'compose.yaml': withIgnore('    # steward-ignore no-privileged', '    privileged: true'),
    });
    // The comment spans columns 5-34; the end is one past the end of the line.
    expect(span(only(result.findings, 'invalid-ignore'))).toBe('4:5-4:35');
    expect(span(only(result.findings, 'no-privileged'))).toBe('5:17-5:21');
    expect(result.suppressed).toEqual([]);
  });

  it('reports an ignore naming an unknown rule', () => {
    const { result } = lintMemory({
      'compose.yaml': withIgnore('    # steward-ignore no-such-rule -- because', '    privileged: true'),
    });
    const f = only(result.findings, 'invalid-ignore');
    expect(span(f)).toBe('4:5-4:45');
    expect(f.message).toContain('no-such-rule');
    expect(only(result.findings, 'no-privileged').line).toBe(5);
  });
});

describe('policy exceptions', () => {
  const files = {
    'compose.yaml': yaml(
      'services:', //                   1
      '  core:', //                     2
      '    image: ghcr.io/x/knx:1.0', // 3
      '    network_mode: host', //       4: `host` at columns 19-22
    ),
  };
  const exceptions: PolicyException[] = [
    {
      service: 'core',
      rules: ['no-host-namespaces'],
      reason: 'KNX multicast needs the host network',
      expires: '2026-01-01',
    },
  ];

  it('suppresses the finding until it expires', () => {
    const { result } = lintMemory(files, { lint: { exceptions, now: new Date('2025-06-01') } });
    expect(result.findings.filter((f) => f.ruleId === 'no-host-namespaces')).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'expired-exception')).toEqual([]);
    const s = only(result.suppressed, 'no-host-namespaces');
    expect(span(s)).toBe('4:19-4:23');
    expect(s.suppression).toEqual({
      kind: 'exception',
      reason: 'KNX multicast needs the host network',
      expires: '2026-01-01',
    });
  });

  it('brings the finding back after it expires, saying so, with an expired-exception finding', () => {
    const { result } = lintMemory(files, { lint: { exceptions, now: new Date('2026-02-01') } });
    const f = only(result.findings, 'no-host-namespaces');
    expect(span(f)).toBe('4:19-4:23');
    expect(f.message).toContain('exception expired 2026-01-01');
    const expired = only(result.findings, 'expired-exception');
    expect(expired.message).toContain('core');
    expect(expired.message).toContain('2026-01-01');
    expect(span(expired)).toBe('4:19-4:23');
    expect(result.suppressed).toEqual([]);
  });
});
