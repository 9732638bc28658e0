import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('steward validate', () => {
  it('reports a bad nested value and an unknown key, each at its line:column, exit 2', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      [
        'version: 1',
        'server:',
        '  listen: 127.0.0.1:8090',
        'jobs:',
        '  sync:',
        '    run: "true"',
        '    timeout: soon',
        'sevices: {}',
        '',
      ].join('\n'),
    );
    const result = runCli(['validate', '-c', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('bad.yaml:7:14 jobs.sync.timeout: expected a duration');
    expect(result.stderr).toContain('bad.yaml:8:1 sevices: unknown key');
    expect(result.stderr).toContain('did you mean "services"?');
    expect(result.stderr).toContain('[E_CONFIG]');

    const json = runCli(['validate', '--json', '-c', file]);
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout);
    expect(doc.valid).toBe(false);
    expect(
      doc.issues.map((i: { line: number; column: number; path: string }) => [i.line, i.column, i.path]),
    ).toEqual([
      [7, 14, 'jobs.sync.timeout'],
      [8, 1, 'sevices'],
    ]);
  });

  it('accepts -c after the subcommand and STEWARD_CONFIG', () => {
    const file = path.join(dir, 'good.yaml');
    fs.writeFileSync(file, 'version: 1\n');
    expect(runCli(['-c', file, 'validate']).code).toBe(0);
    expect(runCli(['validate', '--config', file]).code).toBe(0);
    expect(runCli(['validate'], { env: { STEWARD_CONFIG: file } }).code).toBe(0);
    const missing = runCli(['validate'], { cwd: dir, env: { STEWARD_CONFIG: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('steward init');
  });

  it('never prints a ${…} secret back', () => {
    const file = path.join(dir, 'secret.yaml');
    fs.writeFileSync(file, 'version: 1\nserver:\n  listen: "${LISTEN_ADDR}"\n');
    const result = runCli(['validate', '--json', '-c', file], { env: { LISTEN_ADDR: 'topsecret-value' } });
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain('topsecret-value');
  });

  it('refuses a non-loopback listen address without the opt-in', () => {
    const file = path.join(dir, 'remote.yaml');
    fs.writeFileSync(file, 'version: 1\nserver:\n  listen: 0.0.0.0:8090\n');
    const result = runCli(['validate', '-c', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('remote.yaml:3:11 server.listen: refusing a non-loopback address');
  });
});

describe('steward init', () => {
  it('writes a config from a compose file that validate accepts, and never overwrites without --force', () => {
    const project = tempDir('steward-init-');
    fs.writeFileSync(
      path.join(project, 'docker-compose.yml'),
      'services:\n  core:\n    image: graylogic/core:1.0.0\n  mqtt:\n    image: eclipse-mosquitto:2.0.18\n  influxdb:\n    image: influxdb:2.7-alpine\n',
    );
    const init = runCli(['init', project]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('core, mqtt, influxdb');
    const file = path.join(project, 'steward.yaml');
    const written = fs.readFileSync(file, 'utf8');
    expect(written).toMatch(/core:\n\s+kind: compose/);

    const validate = runCli(['validate', '--json', '-c', file]);
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true });

    const again = runCli(['init', project]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
    expect(runCli(['init', project, '--force']).code).toBe(0);
    fs.rmSync(project, { recursive: true, force: true });
  });
});

describe('CLI conventions', () => {
  it('prints the JSON Schema, the version, and help with an example on every command', () => {
    const schema = runCli(['schema']);
    expect(schema.code).toBe(0);
    expect(JSON.parse(schema.stdout).properties.server).toBeDefined();
    expect(JSON.parse(runCli(['version', '--json']).stdout).version).toMatch(/^\d+\.\d+\.\d+/);
    for (const cmd of [
      [],
      ['init'],
      ['validate'],
      ['daemon'],
      ['status'],
      ['token', 'create'],
      ['audit', 'verify'],
      ['db', 'down'],
      ['jobs', 'run'],
    ]) {
      const help = runCli([...cmd, '--help']);
      expect(help.code, cmd.join(' ')).toBe(0);
      expect(help.stdout, cmd.join(' ')).toMatch(/Examples?:\n\s+\$ steward/);
    }
  });

  it('exits 2 on a usage error', () => {
    expect(runCli(['no-such-command']).code).toBe(2);
    expect(runCli(['token', 'create']).code).toBe(2);
  });
});
