import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification, uniqueTag } from '../contract.js';
import { closedPort, jsonOf, type RecordedRequest, startMimic, startSilentServer } from '../test-peers.js';
import { ChannelError } from '../types.js';
import { alertmanagerChannel, labelName } from './index.js';
import { alertmanagerChannelSchema } from './schema.js';

// A real peer: Debian's Alertmanager (package prometheus-alertmanager), started once for this
// file on 127.0.0.1 with clustering off and a null receiver. A missing binary fails the tests.
const BINARY = '/usr/bin/prometheus-alertmanager';
const TOKEN = 'am-bearer-token-31f0c9';
const parse = (input: object) =>
  alertmanagerChannelSchema({ baseDir: '/' }).parse({ type: 'alertmanager', ...input });

interface Alertmanager {
  url: string;
  stop(): Promise<void>;
}

async function startAlertmanager(): Promise<Alertmanager> {
  const dir = mkdtempSync(path.join(tmpdir(), 'steward-am-'));
  writeFileSync(path.join(dir, 'am.yml'), "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${path.join(dir, 'am.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      '--cluster.listen-address=',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (c: Buffer) => {
    log = (log + c.toString()).slice(-4000);
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    process.removeListener('exit', kill);
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(new Error(`cannot start ${BINARY} (apt-get install prometheus-alertmanager): ${err.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`alertmanager exited with ${code}:\n${log}`)));
  });
  const ready = (async () => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`alertmanager not ready after 30 s:\n${log}`);
  })();
  try {
    await Promise.race([ready, failed]);
  } catch (err) {
    await stop();
    throw err;
  }
  failed.catch(() => {}); // a later exit (our own stop) is not a failure
  return { url, stop };
}

let am: Promise<Alertmanager> | undefined;
const alertmanager = () => {
  am ??= startAlertmanager();
  return am;
};
afterAll(async () => {
  await (await am?.catch(() => undefined))?.stop();
});

/** A reverse proxy in front of Alertmanager that checks the token and records what passes. */
async function startProxy(target: string) {
  return startMimic(async (req: RecordedRequest) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return { status: 401, body: 'unauthorized' };
    const res = await fetch(`${target}${req.path}`, {
      method: req.method,
      headers: { 'content-type': String(req.headers['content-type']) },
      body: req.raw,
    });
    return { status: res.status, body: await res.text() };
  });
}

runChannelContract('alertmanager', alertmanagerChannel, async () => {
  const proxy = await startProxy((await alertmanager()).url);
  const silent = await startSilentServer();
  return {
    config: parse({ url: proxy.url, bearer_token: TOKEN }),
    received: async () => proxy.drain().map(jsonOf),
    failingConfig: parse({ url: `http://127.0.0.1:${await closedPort()}`, bearer_token: TOKEN }),
    hangingConfig: parse({ url: silent.url, bearer_token: TOKEN }),
    stillOpen: () => silent.openConnections(),
    secrets: [TOKEN],
    stop: async () => {
      await Promise.all([proxy.close(), silent.close()]);
    },
  };
});

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL?: string;
  startsAt: string;
  status: { state: string };
}

describe('alertmanager channel against a real Alertmanager', () => {
  let url: string;
  beforeAll(async () => {
    url = (await alertmanager()).url;
  }, 60_000);

  const active = async (rule: string): Promise<GettableAlert[]> => {
    const q = new URLSearchParams({
      active: 'true',
      silenced: 'false',
      inhibited: 'false',
      filter: `alertname="${rule}"`,
    });
    const res = await fetch(`${url}/api/v2/alerts?${q}`);
    return (await res.json()) as GettableAlert[];
  };

  it('shows a firing alert as active, and no longer once resolved', async () => {
    const tag = uniqueTag();
    const firing = sampleNotification('firing', tag);
    for (const a of firing.alerts) a.rule = `${a.rule}-${tag}`;
    const config = parse({ url });
    await alertmanagerChannel.send(config, firing, channelContext());
    const [first] = firing.alerts;
    const [shown, ...rest] = await active(first?.rule ?? '');
    expect(rest).toEqual([]);
    expect(shown).toMatchObject({
      labels: { alertname: first?.rule, severity: 'critical', host: 'nas', volume: 'vol1' },
      annotations: { summary: first?.summary, description: first?.description, runbook_url: first?.runbook },
      generatorURL: first?.url,
      status: { state: 'active' },
    });
    expect(Date.parse(shown?.startsAt ?? '')).toBe(Date.parse(first?.startsAt ?? ''));
    expect(await active(firing.alerts[1]?.rule ?? '')).toHaveLength(1);

    const resolved = sampleNotification('resolved', tag);
    for (const a of resolved.alerts) a.rule = `${a.rule}-${tag}`;
    await alertmanagerChannel.send(config, resolved, channelContext());
    expect(await active(first?.rule ?? '')).toEqual([]);
    expect(await active(resolved.alerts[1]?.rule ?? '')).toEqual([]);
  });

  it('makes label names valid for Alertmanager', async () => {
    const n = sampleNotification('firing');
    const [a] = n.alerts;
    if (!a) throw new Error('no alert');
    a.rule = `labels-${uniqueTag()}`;
    a.labels = { 'host.name': 'nas', '9lives': 'cat', empty: '' };
    n.alerts = [a];
    await alertmanagerChannel.send(parse({ url }), n, channelContext());
    const [shown] = await active(a.rule);
    expect(shown?.labels).toEqual({
      alertname: a.rule,
      severity: 'critical',
      host_name: 'nas',
      _9lives: 'cat',
    });
    expect(labelName('a-b/c')).toBe('a_b_c');
  });

  it('does not retry an alert Alertmanager rejects', async () => {
    const n = sampleNotification('firing');
    for (const a of n.alerts) a.url = 'not a url';
    const err = await alertmanagerChannel.send(parse({ url }), n, channelContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toMatch(/HTTP 4\d\d/);
  });

  it('validates auth settings', () => {
    expect(() =>
      parse({ url: 'http://am:9093', bearer_token: 't', basic_auth: { username: 'u', password: 'p' } }),
    ).toThrow(/either basic_auth or bearer_token/);
    const cfg = parse({ url: 'http://am:9093', basic_auth: { username: 'u', password: 'pw-secret' } });
    expect(alertmanagerChannel.secrets(cfg)).toContain('pw-secret');
  });
});
