import { type CNode, entry, get, getPath, isTrue, items, type Loc, text } from '../compose/nodes.js';
import type { RuleContext } from './types.js';

// Several rules read the same service's ports, mounts and security options: parse them once,
// kept on the service node itself (a WeakMap lookup cost more than the parsing it saved).
const memoKey = Symbol('ruleMemo');
interface Memo {
  ports?: PortSpec[];
  mounts?: MountSpec[];
  securityOpts?: SecurityOpt[];
}

function cached<K extends keyof Memo>(
  key: K,
  service: CNode,
  read: (service: CNode) => NonNullable<Memo[K]>,
) {
  const holder = service as CNode & { [memoKey]?: Memo };
  let memo = holder[memoKey];
  if (memo === undefined) {
    memo = {};
    holder[memoKey] = memo;
  }
  let value = memo[key];
  if (value === undefined) {
    value = read(service);
    memo[key] = value;
  }
  return value as NonNullable<Memo[K]>;
}

export interface SecurityOpt {
  name: string;
  value: string;
  node: CNode;
}

export interface PortSpec {
  node: CNode;
  hostIp: string | undefined;
  /** The published host port (first of a range), undefined when none is published. */
  hostPort: number | undefined;
  /** The container port (first of a range). */
  containerPort: number | undefined;
  /** True when the container port is published at all (a bare "3000" publishes an ephemeral one). */
  published: boolean;
}

/** `ports:` entries in short ("[ip:]host:container[/proto]") or long syntax. */
export function portSpecs(service: CNode): PortSpec[] {
  return cached('ports', service, readPorts);
}

function readPorts(service: CNode): PortSpec[] {
  const out: PortSpec[] = [];
  for (const node of items(get(service, 'ports'))) {
    if (node.kind === 'map') {
      const publishedText = text(get(node, 'published'));
      let hostIp = text(get(node, 'host_ip'));
      let portText = publishedText;
      // Some files (KICS's among them) write the address into `published`.
      if (publishedText?.includes('.') || publishedText?.includes('[')) {
        const split = splitHostIp(publishedText);
        hostIp ??= split.ip;
        portText = split.rest;
      }
      out.push({
        node,
        hostIp: hostIp || undefined,
        hostPort: firstPort(portText),
        containerPort: firstPort(text(get(node, 'target'))),
        published: true,
      });
      continue;
    }
    const spec = text(node);
    if (spec === undefined) continue;
    const withoutProto = spec.replace(/\/(tcp|udp|sctp)$/i, '');
    const { ip, rest } = splitHostIp(withoutProto);
    const parts = rest.split(':');
    if (parts.length === 1) {
      out.push({
        node,
        hostIp: ip,
        hostPort: undefined,
        containerPort: firstPort(parts[0]),
        published: true,
      });
    } else {
      out.push({
        node,
        hostIp: ip,
        hostPort: firstPort(parts[0]),
        containerPort: firstPort(parts[1]),
        published: true,
      });
    }
  }
  return out;
}

function splitHostIp(spec: string): { ip: string | undefined; rest: string } {
  if (spec.startsWith('[')) {
    const close = spec.indexOf(']');
    if (close !== -1) return { ip: spec.slice(1, close), rest: spec.slice(close + 2) };
  }
  const parts = spec.split(':');
  // ip:host:container, or ip::container (ephemeral host port on ip)
  if (parts.length >= 3) return { ip: parts[0], rest: parts.slice(1).join(':') };
  if (parts.length === 2 && /^\d{1,3}(\.\d{1,3}){3}$/.test(parts[0] ?? '')) {
    return { ip: parts[0], rest: parts[1] ?? '' };
  }
  if (parts.length === 1 && /^\d{1,3}(\.\d{1,3}){3}$/.test(parts[0] ?? '')) return { ip: parts[0], rest: '' };
  return { ip: undefined, rest: spec };
}

function firstPort(spec: string | undefined): number | undefined {
  if (!spec) return undefined;
  const match = /^(\d+)/.exec(spec);
  return match ? Number(match[1]) : undefined;
}

export interface MountSpec {
  node: CNode;
  type: 'bind' | 'volume' | 'tmpfs' | 'other';
  source: string | undefined;
  target: string | undefined;
  options: string[];
  /** The node holding the source, for a precise location. */
  sourceNode: CNode;
  /** The node holding the propagation setting (long syntax), else the mount. */
  optionsNode: CNode;
}

/** `volumes:` entries in short ("src:dst[:opts]") or long syntax. */
export function mountSpecs(service: CNode): MountSpec[] {
  return cached('mounts', service, readMounts);
}

function readMounts(service: CNode): MountSpec[] {
  const out: MountSpec[] = [];
  for (const node of items(get(service, 'volumes'))) {
    if (node.kind === 'map') {
      const source = text(get(node, 'source'));
      const declared = text(get(node, 'type'));
      const type = declared === 'bind' || declared === 'volume' || declared === 'tmpfs' ? declared : 'other';
      const propagation = text(getPath(node, 'bind', 'propagation'));
      out.push({
        node,
        type: declared === undefined && source && isHostPath(source) ? 'bind' : type,
        source,
        target: text(get(node, 'target')),
        // Long syntax says read-only as `read_only: true`; `ro` lets callers check one spelling.
        options: [...(propagation ? [propagation] : []), ...(isTrue(get(node, 'read_only')) ? ['ro'] : [])],
        sourceNode: get(node, 'source') ?? node,
        optionsNode: getPath(node, 'bind', 'propagation') ?? node,
      });
      continue;
    }
    const spec = text(node);
    if (spec === undefined) continue;
    const parts = spec.split(':');
    if (parts.length === 1) {
      out.push({
        node,
        type: 'volume',
        source: undefined,
        target: parts[0],
        options: [],
        sourceNode: node,
        optionsNode: node,
      });
      continue;
    }
    const source = parts[0] ?? '';
    out.push({
      node,
      type: isHostPath(source) ? 'bind' : 'volume',
      source,
      target: parts[1],
      options: (parts[2] ?? '').split(',').filter(Boolean),
      sourceNode: node,
      optionsNode: node,
    });
  }
  return out;
}

function isHostPath(source: string): boolean {
  return source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
}

/** Normalises a host path for comparison: no trailing slash, no `//`. */
export function normalHostPath(source: string): string {
  // Most paths are already clean: skip the regex work for them.
  if (!source.includes('//') && (source.length <= 1 || !source.endsWith('/'))) return source;
  const cleaned = source.replace(/\/+/g, '/');
  return cleaned.length > 1 ? cleaned.replace(/\/$/, '') : cleaned;
}

/** `security_opt` items with their parsed name and value ("seccomp:unconfined" → seccomp, unconfined). */
export function securityOpts(service: CNode): SecurityOpt[] {
  return cached('securityOpts', service, readSecurityOpts);
}

function readSecurityOpts(service: CNode): SecurityOpt[] {
  return items(get(service, 'security_opt')).flatMap((node) => {
    const raw = text(node);
    if (raw === undefined) return [];
    const match = /^([^:=]+)[:=]?(.*)$/.exec(raw.trim());
    return [{ name: (match?.[1] ?? raw).toLowerCase(), value: (match?.[2] ?? '').toLowerCase(), node }];
  });
}

/** The deepest node that exists along a path (for "missing" findings that KICS and people expect on `deploy:`). */
export function deepestExisting(ctx: RuleContext, ...keys: string[]): Loc | undefined {
  let at: CNode | undefined = ctx.service.node;
  let found: Loc | undefined;
  for (const key of keys) {
    const e = entry(at, key);
    if (e === undefined) break;
    found = e.keyLoc;
    at = e.value;
  }
  return found;
}

/**
 * A compose example written indented inside a rule's file: drops the leading newline and the
 * common indentation so the docs show it as the file a person would write.
 */
export function example(text: string): string {
  const lines = text
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '\n')
    .split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => l.search(/\S/));
  const indent = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(indent)).join('\n');
}
