import { describe, expect, it } from 'vitest';
import { loadProject } from '../compose/load.js';
import { lintProject } from '../lint.js';

const lint = (text: string) =>
  lintProject(loadProject(['/virtual/compose.yaml'], { env: {}, read: () => Buffer.from(text) }))
    .findings.filter((f) => f.ruleId === 'no-sensitive-host-mounts')
    .map((f) => f.line);

describe('no-sensitive-host-mounts', () => {
  it('lets the time zone and CA certificates be mounted read-only, and nothing else under /etc', () => {
    const lines = lint(`services:
  a:
    image: x:1
    volumes:
      - /etc/localtime:/etc/localtime:ro
      - /etc/localtime:/etc/localtime
      - type: bind
        source: /etc/ssl/certs
        target: /etc/ssl/certs
        read_only: true
      - /etc/passwd:/etc/passwd:ro
      - /run/containerd:/run/containerd
`);
    expect(lines).toEqual([6, 11, 12]);
  });
});
