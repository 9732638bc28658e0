import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedConfigDocs, generatedJsonSchema } from './generated.js';
import { checkConfig, checkConfigText, findConfigFile, loadConfig } from './load.js';
import { redactConfig } from './resolve.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function check(text: string, env: NodeJS.ProcessEnv = {}) {
  return checkConfigText(text, { file: path.join(dir, 'steward.yaml'), display: 'steward.yaml', env });
}

describe('config', () => {
  it('applies defaults and resolves durations and paths', () => {
    const result = check('version: 1\njobs:\n  sync: { run: "true", schedule: "0 3 * * *", timeout: 5m }\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const c = result.config;
    expect(c.data_dir).toBe(path.join(dir, '.steward'));
    expect(c.server.listen).toBe('127.0.0.1:8090');
    expect(c.daemon.shutdown_grace).toBe(30_000);
    expect(c.jobs.sync?.timeout).toBe(300_000);
    expect(c.jobs.sync?.jitter).toBe(0);
    expect(c.jobs.sync?.catch_up).toBe(true);
    expect(c.environment).toEqual({ name: 'default', type: 'production' });
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  it('reports every problem at once, each at its line and column', () => {
    const result = check(
      [
        'version: 1',
        'server:',
        '  listen: 127.0.0.1:8090',
        '  lisen: 1',
        'services:',
        '  core:',
        '    kind: natve',
        'jobs:',
        '  sync:',
        '    run: "true"',
        '    timeout: soon',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const brief = result.issues.map((i) => [i.line, i.column, i.path, i.message, i.hint]);
    expect(brief).toEqual([
      [4, 3, 'server.lisen', 'unknown key', 'did you mean "listen"?'],
      [
        7,
        11,
        'services.core.kind',
        'expected one of "native", "compose", "external"',
        'did you mean "native"?',
      ],
      [11, 14, 'jobs.sync.timeout', 'expected a duration', expect.stringContaining('30s')],
    ]);
  });

  it('points at YAML syntax errors', () => {
    const result = check('version: 1\nserver:\n  listen: "127.0.0.1:8090\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('rejects duplicate keys', () => {
    const result = check('version: 1\nname: a\nname: b\n');
    expect(result.ok).toBe(false);
  });

  it('requires version', () => {
    const result = check('name: x\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({ path: 'version', message: 'is required' });
  });

  it('refuses a non-loopback listen address unless opted in', () => {
    const refused = check('version: 1\nserver: { listen: "0.0.0.0:8090" }\n');
    expect(refused.ok).toBe(false);
    const allowed = check('version: 1\nserver: { listen: "0.0.0.0:8090", allow_insecure_remote: true }\n');
    expect(allowed.ok).toBe(true);
    expect(check('version: 1\nserver: { listen: "[::1]:8090" }\n').ok).toBe(true);
    expect(check('version: 1\nserver: { listen: "localhost:8090" }\n').ok).toBe(true);
  });

  it('substitutes ${ENV} and ${file:…} and never prints them back', () => {
    const secretFile = path.join(dir, 'secret.txt');
    fs.writeFileSync(secretFile, 'file-secret\n');
    const text = [
      'version: 1',
      'jobs:',
      '  a: { run: "echo ${MY_SECRET}", env: { TOKEN: "${file:secret.txt}", LIT: "$${HOME}" } }',
    ].join('\n');
    const result = check(text, { MY_SECRET: 'hunter2' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.jobs.a?.run).toBe('echo hunter2');
    expect(result.config.jobs.a?.env?.TOKEN).toBe('file-secret');
    expect(result.config.jobs.a?.env?.LIT).toBe('${HOME}');
    const printed = JSON.stringify(redactConfig(result.config));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain('file-secret');
  });

  it('does not echo an invalid secret value in errors', () => {
    const result = check('version: 1\nserver: { listen: "${LISTEN}" }\n', {
      LISTEN: 'not-an-address-s3cr3t',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(JSON.stringify(result.issues)).not.toContain('s3cr3t');
    expect(result.issues[0]?.path).toBe('server.listen');
  });

  it('reports a missing environment variable where it is referenced', () => {
    const result = check('version: 1\njobs:\n  a:\n    run: "${NOT_SET_ANYWHERE}"\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({ line: 4, column: 10, path: 'jobs.a.run' });
    expect(result.issues[0]?.message).toContain('NOT_SET_ANYWHERE');
  });

  it('finds the file by flag, then STEWARD_CONFIG, then ./steward.yaml', () => {
    const a = path.join(dir, 'a.yaml');
    fs.writeFileSync(a, 'version: 1\n');
    fs.writeFileSync(path.join(dir, 'steward.yaml'), 'version: 1\n');
    expect(findConfigFile({ file: 'a.yaml', cwd: dir, env: {} })).toBe(a);
    expect(findConfigFile({ cwd: dir, env: { STEWARD_CONFIG: a } })).toBe(a);
    expect(findConfigFile({ cwd: dir, env: {} })).toBe(path.join(dir, 'steward.yaml'));
    expect(() => findConfigFile({ file: 'missing.yaml', cwd: dir, env: {} })).toThrow(/no config file/);
    expect(checkConfig({ cwd: dir, env: {} }).ok).toBe(true);
    expect(() => loadConfig({ file: 'missing.yaml', cwd: dir, env: {} })).toThrow();
  });

  it('accepts the quickstart example', () => {
    const file = path.resolve('examples/quickstart/steward.yaml');
    const result = checkConfig({ file, env: {} });
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe('generated files', () => {
  it('schema/steward.schema.json is up to date (run `npm run gen`)', () => {
    expect(fs.readFileSync('schema/steward.schema.json', 'utf8')).toBe(generatedJsonSchema());
  });
  it('docs/config.md is up to date (run `npm run gen`)', () => {
    expect(fs.readFileSync('docs/config.md', 'utf8')).toBe(generatedConfigDocs());
  });
});
