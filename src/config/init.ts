import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { StewardError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { NAME_PATTERN } from './fields.js';

export interface InitOptions {
  dir: string;
  force?: boolean;
}

export interface InitResult {
  file: string;
  composeFiles: string[];
  services: string[];
  /** Compose services whose names Steward cannot use as they are, with the reason. */
  skipped: { name: string; reason: string }[];
}

const composeFilePattern = /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/;

/** `steward init`: a commented starter config, listing the compose services found beside it. */
export function initConfig(opts: InitOptions): InitResult {
  const dir = path.resolve(opts.dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new StewardError('E_USAGE', `${dir} is not a directory`, {
      hint: 'create it first, or pass another directory',
    });
  }
  const file = path.join(dir, 'steward.yaml');
  if (fs.existsSync(file) && !opts.force) {
    throw new StewardError('E_CONFLICT', `${file} already exists`, { hint: 'pass --force to overwrite it' });
  }

  const composeFiles = fs
    .readdirSync(dir)
    .filter((name) => composeFilePattern.test(name))
    .sort();
  const services: string[] = [];
  const skipped: InitResult['skipped'] = [];
  for (const composeFile of composeFiles) {
    for (const name of composeServiceNames(path.join(dir, composeFile))) {
      const normalized = name.toLowerCase();
      if (!new RegExp(NAME_PATTERN).test(normalized)) {
        skipped.push({ name, reason: 'not a valid Steward name' });
      } else if (services.includes(normalized)) {
        if (normalized !== name) skipped.push({ name, reason: `same name as ${normalized}` });
      } else {
        services.push(normalized);
      }
    }
  }

  writeFileAtomic(file, starterConfig(path.basename(dir), composeFiles, services), 0o644);
  return { file, composeFiles, services, skipped };
}

function composeServiceNames(file: string): string[] {
  try {
    const doc = parseDocument(fs.readFileSync(file, 'utf8'));
    const value = doc.toJS() as { services?: Record<string, unknown> } | null;
    return value?.services && typeof value.services === 'object' ? Object.keys(value.services) : [];
  } catch {
    // A compose file we cannot read is not a reason to fail init; it is simply not listed.
    return [];
  }
}

function starterConfig(dirName: string, composeFiles: string[], services: string[]): string {
  const name =
    dirName
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'steward';
  const serviceLines = services.length
    ? services.flatMap((s) => [`  ${s}:`, '    kind: compose', '    critical: false'])
    : ['  # core:', '  #   kind: native        # native | compose | external', '  #   critical: true'];
  const found = composeFiles.length
    ? `# Services found in ${composeFiles.join(', ')}.`
    : '# No compose file found here.';
  return [
    '# steward.yaml — written by `steward init`. Every key: docs/config.md.',
    '# Check it with `steward validate`; run it with `steward daemon`.',
    'version: 1',
    `name: ${name}`,
    '',
    '# Database, locks and state. For a system install use /var/lib/steward.',
    'data_dir: ./.steward',
    '',
    'server:',
    '  listen: 127.0.0.1:8090   # loopback only; put a TLS proxy in front to expose it',
    '',
    'environment:',
    '  name: default',
    '  type: production          # production | staging | development',
    '',
    found,
    'services:',
    ...(services.length ? serviceLines : ['  {}', ...serviceLines]),
    '',
    '# Commands run on a schedule (cron), never overlapping themselves:',
    '# jobs:',
    '#   nightly-sync:',
    '#     schedule: "0 2 * * *"',
    '#     run: rsync -a /srv/data/ /mnt/usb/data/',
    '#     timeout: 1h',
    '',
  ].join('\n');
}
