import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  freePort,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempDir,
  writeConfig,
} from '../support/cli.js';
import { until } from '../support/wait.js';

const dir = tempDir('steward-policy-');
const hardened = `services:
  web:
    image: nginx:1.27.2
    user: "101:101"
    read_only: true
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    restart: unless-stopped
    healthcheck: { test: ["CMD", "true"], interval: 30s }
    logging: { driver: json-file, options: { max-size: "10m" } }
    pids_limit: 100
    deploy: { resources: { limits: { memory: 128M, cpus: "0.5" } } }
    ports: ["127.0.0.1:8080:8080"]
`;
const privileged = hardened.replace('    pids_limit: 100\n', '    pids_limit: 100\n    privileged: true\n');

describe('steward lint', () => {
  const cwd = path.join(dir, 'lint');
  beforeAll(() => {
    fs.mkdirSync(cwd, { recursive: true });
    fs.writeFileSync(path.join(cwd, 'clean.yaml'), hardened);
    fs.writeFileSync(path.join(cwd, 'bad.yaml'), privileged);
  });

  it('exits 0 on a clean file and 1 on an error, text grouped by file with a summary', () => {
    const clean = runCli(['lint', 'clean.yaml'], { cwd });
    expect(clean.code).toBe(0);
    const bad = runCli(['lint', 'clean.yaml', 'bad.yaml'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('bad.yaml');
    expect(bad.stdout).toMatch(/12:\d+\s+error\s+.*no-privileged/);
    expect(bad.stdout).toMatch(/1 error/);
  });

  it('prints one JSON document with --json and SARIF with --format sarif', () => {
    const json = runCli(['lint', 'bad.yaml', '--json'], { cwd });
    const doc = JSON.parse(json.stdout) as { findings: { ruleId: string; line: number; column: number }[] };
    expect(doc.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'no-privileged', line: 12, column: 17 }),
    );
    const sarif = JSON.parse(runCli(['lint', 'bad.yaml', '--format', 'sarif'], { cwd }).stdout) as {
      version: string;
      runs: { results: { ruleId: string }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toContain('no-privileged');
  });

  it('finds compose.yaml by itself, and exits 2 on usage errors', () => {
    const own = path.join(dir, 'own');
    fs.mkdirSync(own, { recursive: true });
    fs.writeFileSync(path.join(own, 'compose.yaml'), privileged);
    expect(runCli(['lint'], { cwd: own }).code).toBe(1);
    expect(runCli(['lint', '--format', 'yaml'], { cwd: own }).code).toBe(2);
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    const none = runCli(['lint'], { cwd: empty });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no compose files');
  });

  it('--max-warnings fails on warnings above the maximum; --profile strict adds digest pinning', () => {
    const warn = hardened.replace('    restart: unless-stopped\n', '');
    fs.writeFileSync(path.join(cwd, 'warn.yaml'), warn);
    expect(runCli(['lint', 'warn.yaml'], { cwd }).code).toBe(0);
    expect(runCli(['lint', 'warn.yaml', '--max-warnings', '0'], { cwd }).code).toBe(1);
    const strict = JSON.parse(
      runCli(['lint', 'clean.yaml', '--profile', 'strict', '--json'], { cwd }).stdout,
    ) as {
      findings: { ruleId: string; aspect?: string }[];
    };
    expect(strict.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'image-pinned', aspect: 'digest' }),
    );
  });

  it('--fix-dry-run prints a diff and changes nothing; --fix applies it and a second --fix changes nothing', () => {
    const original = hardened
      .replace('    restart: unless-stopped\n', '')
      .replace('    security_opt: ["no-new-privileges:true"]\n', '');
    const file = path.join(cwd, 'fixme.yaml');
    fs.writeFileSync(file, original);
    const dry = runCli(['lint', 'fixme.yaml', '--fix-dry-run'], { cwd });
    expect(dry.stdout).toContain('+++ b/');
    expect(dry.stdout).toContain('+    restart: unless-stopped');
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    const fixed = runCli(['lint', 'fixme.yaml', '--fix'], { cwd });
    expect(fixed.code).toBe(0);
    const after = fs.readFileSync(file, 'utf8');
    expect(after).toContain('restart: unless-stopped');
    expect(after).toContain('no-new-privileges:true');
    runCli(['lint', 'fixme.yaml', '--fix'], { cwd });
    expect(fs.readFileSync(file, 'utf8')).toBe(after);
  });

  it('reads policy: from steward.yaml — severities, exceptions with reasons', () => {
    const withConfig = path.join(dir, 'configured');
    fs.mkdirSync(withConfig, { recursive: true });
    fs.writeFileSync(path.join(withConfig, 'compose.yaml'), privileged);
    writeConfig(
      withConfig,
      8999,
      `services:\n  web: { kind: compose }\npolicy:\n  exceptions:\n    - { service: web, rules: [no-privileged], reason: "drives the GPIO header" }\n`,
    );
    const result = runCli(['lint', '--json'], { cwd: withConfig });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      suppressed: { ruleId: string; suppression: { reason: string } }[];
    };
    expect(doc.suppressed).toContainEqual(
      expect.objectContaining({
        ruleId: 'no-privileged',
        suppression: expect.objectContaining({ reason: 'drives the GPIO header' }),
      }),
    );
  });
});

describe('compliance records in the daemon', () => {
  let daemon: RunningDaemon;
  let config: string;
  let token: string;
  const home = path.join(dir, 'daemon');

  beforeAll(async () => {
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, 'compose.yaml'), privileged);
    const port = await freePort();
    config = writeConfig(home, port, 'services:\n  web: { kind: compose }\n');
    daemon = await startDaemon(config, { port });
    token = JSON.parse(
      runCli(['token', 'create', '--name', 'v', '--role', 'viewer', '--json', '-c', config]).stdout,
    ).token;
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
  });

  interface PolicyDoc {
    services: { service: string; status: string; open: { error: number } }[];
    findings: { rule: string; state: string; resolvedAt: string | null; firstSeen: string }[];
  }
  const policy = async (query = '') =>
    (await api(daemon, 'GET', `/api/v1/policy${query}`, token)).body as PolicyDoc;

  it('lints on start: the service is non-compliant, the finding is recorded and exported', async () => {
    const doc = await until('policy recorded', async () => {
      const d = await policy();
      return d.findings.length ? d : undefined;
    });
    expect(doc.services).toContainEqual(expect.objectContaining({ service: 'web', status: 'non-compliant' }));
    expect(doc.findings).toContainEqual(expect.objectContaining({ rule: 'no-privileged', state: 'open' }));
    const metrics = (await api(daemon, 'GET', '/metrics')).body as string;
    expect(metrics).toMatch(/steward_policy_findings\{service="web",severity="error"\} 1/);
    expect((await api(daemon, 'GET', '/api/v1/policy')).status).toBe(401);
    const status = runCli(['status', '-c', config]);
    expect(status.stdout).toMatch(/web\s+non-compliant\s+1/);
  });

  it('a change to the compose file is linted again: the fixed finding is resolved with resolved_at', async () => {
    fs.writeFileSync(path.join(home, 'compose.yaml'), hardened);
    const doc = await until('finding resolved', async () => {
      const d = await policy('?include_resolved=true');
      const f = d.findings.find((x) => x.rule === 'no-privileged');
      return f?.state === 'resolved' ? d : undefined;
    });
    const resolved = doc.findings.find((x) => x.rule === 'no-privileged');
    expect(resolved?.resolvedAt).toBeTruthy();
    expect((await policy()).services).toContainEqual(
      expect.objectContaining({ service: 'web', status: 'compliant' }),
    );
    const audit = runCli(['audit', 'list', '--json', '-c', config]);
    expect(audit.stdout).toContain('policy.findings_changed');
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
