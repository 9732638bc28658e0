/**
 * Seeded generator of realistic docker-compose files, used by the fast-parser differential test
 * and benchmark. Deterministic for a given seed so failures are reproducible.
 */

import { mulberry32 } from '../../core/seeded-random.js';

/** The seeded PRNG the generators take (floats in [0, 1)). */
export const prng = mulberry32;

type Rng = () => number;

function pick<T>(rng: Rng, list: readonly T[]): T {
  const v = list[Math.floor(rng() * list.length)];
  if (v === undefined) throw new Error('empty list');
  return v;
}

const IMAGES = [
  'nginx:1.25-alpine',
  '"postgres:16"',
  "'redis:7'",
  'ghcr.io/acme/api:v1.2.3',
  'registry.example.com:5000/team/worker@sha256:abc123',
  'traefik:v3.0',
  'grafana/grafana',
];
const ENV_VALUES = [
  'production',
  '"8080"',
  "'it''s'",
  '123',
  'true',
  '',
  '"a\\tb \\u00e9"',
  'http://x:8080/p',
  '~',
];
const COMMENTS = ['# TODO: pin this', '#', '# see https://docs.docker.com/compose/', '# ports: [80]'];

/** A compose file with `services` services, indented by `ind` spaces per level. */
export function generateCompose(seed: number, services: number): string {
  const rng = prng(seed);
  const ind = rng() < 0.7 ? '  ' : '    ';
  const i1 = ind;
  const i2 = ind + ind;
  const i3 = i2 + ind;
  const i4 = i3 + ind;
  const out: string[] = [];
  const maybeComment = (pad: string): void => {
    if (rng() < 0.15) out.push(pad + pick(rng, COMMENTS));
    if (rng() < 0.08) out.push('');
  };
  // Sequences under a key are written either indented or flush with the key.
  const seqPad = (pad: string): string => (rng() < 0.5 ? pad : pad + ind);
  if (rng() < 0.5) out.push('# Generated compose file', '');
  if (rng() < 0.3) out.push('---');
  if (rng() < 0.7) out.push(`version: ${pick(rng, ['"3.9"', "'3.8'", '3.7'])}`);
  out.push('x-defaults: &defaults');
  out.push(`${i1}restart: ${pick(rng, ['unless-stopped', 'always', '"on-failure:5"'])}`);
  out.push(`${i1}logging:`, `${i2}driver: json-file`, `${i2}options: { max-size: "10m", max-file: '3' }`);
  out.push('x-env: &env', `${i1}TZ: UTC`, `${i1}LOG_LEVEL: info  # default`);
  out.push('', 'services:');
  for (let s = 0; s < services; s++) {
    maybeComment(i1);
    out.push(`${i1}svc-${s}:`);
    if (rng() < 0.6) out.push(`${i2}<<: *defaults`);
    else if (rng() < 0.5) out.push(`${i2}<<: [*defaults]`);
    out.push(`${i2}image: ${pick(rng, IMAGES)}`);
    maybeComment(i2);
    if (rng() < 0.3) out.push(`${i2}container_name: "svc_${s}"`);
    if (rng() < 0.3) out.push(`${i2}build:`, `${i3}context: ./svc-${s}`, `${i3}dockerfile: Dockerfile`);
    const cmd = rng();
    if (cmd < 0.3) out.push(`${i2}command: ["npm", "run", "start", '--port=${3000 + s}']`);
    else if (cmd < 0.5) out.push(`${i2}command: python -m app --workers 4 # inline`);
    else if (cmd < 0.65) out.push(`${i2}command: >-`, `${i3}sh -c "migrate &&`, `${i3}exec serve"`, '');
    if (rng() < 0.8) {
      out.push(`${i2}ports:`);
      const p = seqPad(i2);
      out.push(`${p}- "${8000 + s}:80"`, `${p}- 127.0.0.1:${9000 + s}:9000/tcp`);
      if (rng() < 0.5) {
        out.push(
          `${p}- target: 443`,
          `${p}  published: "${8443 + s}"`,
          `${p}  protocol: tcp`,
          `${p}  mode: host`,
        );
      }
    }
    maybeComment(i2);
    if (rng() < 0.5) {
      out.push(`${i2}environment:`);
      if (rng() < 0.3) out.push(`${i3}<<: *env`);
      for (let e = 0; e < 1 + Math.floor(rng() * 5); e++) {
        out.push(`${i3}VAR_${e}: ${pick(rng, ENV_VALUES)}`.trimEnd());
      }
    } else if (rng() < 0.6) {
      out.push(`${i2}environment:`);
      const p = seqPad(i2);
      out.push(`${p}- NODE_ENV=production`, `${p}- "API_URL=http://api:8080"`, `${p}- EMPTY=`);
    }
    if (rng() < 0.7) {
      out.push(`${i2}volumes:`);
      const p = seqPad(i2);
      out.push(`${p}- ./data/${s}:/data:ro`, `${p}- 'cache:/var/cache'`);
      if (rng() < 0.4) {
        out.push(
          `${p}- type: bind`,
          `${p}  source: /var/run/docker.sock`,
          `${p}  target: /var/run/docker.sock`,
        );
        out.push(`${p}  read_only: true`);
      }
    }
    if (rng() < 0.6) {
      out.push(`${i2}healthcheck:`);
      const t = rng();
      if (t < 0.4) out.push(`${i3}test: ["CMD", "curl", "-f", "http://localhost:${8000 + s}/health"]`);
      else if (t < 0.7) out.push(`${i3}test: >`, `${i4}curl -fsS http://localhost/health`, `${i4}|| exit 1`);
      else out.push(`${i3}test: |`, `${i4}set -e`, '', `${i4}  wget -q -O- localhost`, `${i4}echo ok`);
      out.push(`${i3}interval: 30s`, `${i3}timeout: 10s`, `${i3}retries: 3`, `${i3}start_period: 40s`);
    }
    if (rng() < 0.6) {
      out.push(`${i2}deploy:`, `${i3}resources:`, `${i4}limits: { cpus: "0.5", memory: 256M }`);
      if (rng() < 0.5) out.push(`${i4}reservations: {cpus: '0.25', memory: 128M, pids: 100}`);
      if (rng() < 0.3) out.push(`${i3}restart_policy:`, `${i4}condition: on-failure`, `${i4}max_attempts: 5`);
    }
    if (rng() < 0.5) out.push(`${i2}depends_on: [db, "cache"]`);
    if (rng() < 0.4)
      out.push(`${i2}cap_drop: [ALL]`, `${i2}security_opt:`, `${seqPad(i2)}- no-new-privileges:true`);
    const lp = seqPad(i2);
    if (rng() < 0.3)
      out.push(`${i2}privileged: ${pick(rng, ['false', 'true', 'False'])}`, `${i2}read_only: true`);
    if (rng() < 0.3) out.push(`${i2}user: "1000:1000"`, `${i2}cpus: 1.5`, `${i2}mem_limit: 512m`);
    if (rng() < 0.3) out.push(`${i2}labels:`, `${lp}- "traefik.enable=true"`, `${lp}- com.x=y`);
    if (rng() < 0.2) out.push(`${i2}# networks:`, `${i2}#   - front`);
    if (rng() < 0.2) out.push(`${i3}# an indented note`);
  }
  out.push('', 'networks:', `${i1}front:`, `${i2}driver: bridge`, `${i1}back: {}`);
  out.push('volumes:', `${i1}cache:`, `${i1}db-data:`, `${i2}driver: local`);
  if (rng() < 0.3) out.push('# trailing comment');
  return `${out.join('\n')}\n`;
}

const WORDS = [
  'a',
  'web',
  'x y',
  '1',
  '-2',
  '0x1f',
  '1.5e3',
  '.inf',
  'null',
  '~',
  'True',
  'no',
  'a:b',
  'a#b',
  'http://h:1',
];
const QUOTED = ['"q"', "'s'", '"e\\n\\"x\\u00e9"', "'it''s'", '""', "''", '"a # b"', "'k: v'"];
const FLOWS = [
  '[]',
  '{}',
  '[1, "two", three]',
  '{ cpus: "0.5", memory: 256M }',
  '[*a0, *a1]',
  '[[1, 2], {k: v}]',
  '{"j":1}',
];

/**
 * Small random documents that stress what the fast parser must get exactly right: comments and
 * blank lines at every indentation between nodes, empty values, flush and indented sequences,
 * compact mappings, block scalars with every chomping mode, anchors and aliases, documents.
 */
export function generateTricky(seed: number): string {
  const rng = prng(seed);
  const out: string[] = [];
  const trivia = (): void => {
    while (rng() < 0.3) {
      const r = rng();
      const pad = ' '.repeat(Math.floor(rng() * 9));
      out.push(r < 0.3 ? '' : r < 0.45 ? pad : `${pad}#${rng() < 0.5 ? ' note' : ''}`);
    }
  };
  const scalar = (): string => {
    const r = rng();
    const anchor = rng() < 0.1 ? `&a${Math.floor(rng() * 3)} ` : '';
    if (r < 0.4) return anchor + pick(rng, WORDS);
    if (r < 0.6) return anchor + pick(rng, QUOTED);
    if (r < 0.75) return anchor + pick(rng, FLOWS);
    if (r < 0.85) return `*a${Math.floor(rng() * 3)}`;
    return anchor + pick(rng, WORDS) + (rng() < 0.5 ? ' # c' : '   ');
  };
  const blockScalar = (pad: string, header: string): void => {
    out.push(header);
    const step = ' '.repeat(1 + Math.floor(rng() * 3));
    const lines = 1 + Math.floor(rng() * 4);
    for (let i = 0; i < lines; i++) {
      const r = i === 0 ? 1 : rng(); // the first content line sets the indentation
      if (r < 0.2) out.push('');
      else if (r < 0.3) out.push(pad + step + ' '.repeat(Math.floor(rng() * 4)));
      else if (r < 0.45) out.push(`${pad + step}  more indented`);
      else out.push(`${pad + step}line ${i} # not a comment`);
    }
    out.push(`${pad + step}last`);
  };
  // Emits a node as the value of `key:` / `- ` at column `col`; `head` is the line so far.
  const node = (head: string, col: number, depth: number, inSeq: boolean): void => {
    const r = depth > 3 ? rng() * 0.5 : rng();
    const step = 1 + Math.floor(rng() * 3);
    if (r < 0.35) out.push(`${head} ${scalar()}`);
    else if (r < 0.42) out.push(head + (rng() < 0.5 ? '' : pick(rng, [' ', ' # empty'])));
    else if (r < 0.5) {
      const hdr = `${head} ${rng() < 0.2 ? '&b ' : ''}${pick(rng, ['|', '>'])}${pick(rng, ['', '-', '+'])}`;
      blockScalar(' '.repeat(col), rng() < 0.3 ? `${hdr} # h` : hdr);
    } else if (r < 0.75 || inSeq) {
      out.push(head + (rng() < 0.15 ? ' &m' : ''));
      trivia();
      if (rng() < 0.5) mapping(col + step, depth + 1);
      else sequence(!inSeq && rng() < 0.4 ? col : col + step, depth + 1); // maybe flush with key
    } else {
      // compact mapping on the key's line is only legal inside a sequence; use a nested map
      out.push(head);
      mapping(col + step, depth + 1);
    }
  };
  const mapping = (col: number, depth: number): void => {
    const pad = ' '.repeat(col);
    const n = 1 + Math.floor(rng() * 3);
    for (let i = 0; i < n; i++) {
      trivia();
      const key = rng() < 0.8 ? `k${i}` : pick(rng, ['"q k"', "'s'", '<<', '1', 'null', '&a2 k']);
      node(`${pad}${key}:`, col, depth, false);
    }
  };
  const sequence = (col: number, depth: number): void => {
    const pad = ' '.repeat(col);
    const n = 1 + Math.floor(rng() * 3);
    for (let i = 0; i < n; i++) {
      trivia();
      if (rng() < 0.3 && depth < 4) {
        // compact mapping: `- k: v` followed by more keys at the column after `- `
        const sp = ' '.repeat(1 + Math.floor(rng() * 2));
        node(`${pad}-${sp}c0:`, col + 1 + sp.length, depth + 1, false);
        if (rng() < 0.6) node(`${pad} ${sp}c1:`, col + 1 + sp.length, depth + 1, false);
      } else node(`${pad}-`, col, depth, true);
    }
  };
  const docs = 1 + Math.floor(rng() * 2);
  for (let d = 0; d < docs; d++) {
    trivia();
    if (d > 0 || rng() < 0.3) out.push(rng() < 0.8 ? '---' : '--- # doc');
    trivia();
    if (rng() < 0.75) mapping(0, 0);
    else sequence(0, 0);
    trivia();
    if (rng() < 0.15) out.push('...');
  }
  const text = out.join('\n');
  return rng() < 0.8 ? `${text}\n` : text;
}
