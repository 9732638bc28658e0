import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { webhookBody } from '../format.js';
import { ChannelError } from '../types.js';
import { commandChannel } from './index.js';
import { type CommandChannelConfig, commandChannelSchema } from './schema.js';

const root = mkdtempSync(path.join(tmpdir(), 'steward-command-'));
const API_TOKEN = 'cmd-secret-token-8c1f';
const parse = (input: unknown) => commandChannelSchema({ baseDir: root }).parse(input);

/** Reads and removes what the commands wrote into `dir`, oldest first. */
function drain(dir: string): string[] {
  const files = readdirSync(dir)
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  const out = files.map((f) => readFileSync(f, 'utf8'));
  for (const f of files) rmSync(f);
  return out;
}

/** Processes listed in the pid file that still run (zombies, waiting for a reaper, do not count). */
function alive(pidFile: string): number {
  let pids: string[] = [];
  try {
    pids = readFileSync(pidFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  }).length;
}

runChannelContract('command', commandChannel, async () => {
  const out = path.join(root, 'out');
  mkdirSync(out);
  const pidFile = path.join(root, 'hang.pids');
  const env = { OUT_DIR: out, PID_FILE: pidFile, API_TOKEN };
  const config = parse({
    type: 'command',
    run: '{ printf "title=%s\\n" "$STEWARD_ALERT_TITLE"; cat; } > "$OUT_DIR/msg-$$.txt"',
    env,
  });
  return {
    config,
    received: async () => drain(out),
    failingConfig: {
      ...config,
      run: 'echo "upstream refused token $API_TOKEN" >&2; echo second line >&2; exit 3',
    },
    hangingConfig: { ...config, run: 'echo $$ > "$PID_FILE"; sleep 30 & echo $! >> "$PID_FILE"; wait' },
    stillOpen: () => alive(pidFile),
    secrets: [API_TOKEN],
    stop: async () => {},
  };
});

describe('command channel', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = (
    script: string,
    extra: Partial<CommandChannelConfig> = {},
    n = sampleNotification('test', 'x1'),
  ) => commandChannel.send({ ...parse({ type: 'command', run: script }), ...extra }, n, channelContext());

  it('passes the webhook body on stdin and the title, kind and text in the environment', async () => {
    const dir = mkdtempSync(path.join(root, 'env-'));
    const n = sampleNotification('test', 'x1');
    await expect(
      run(
        'cat > stdin.json; printf "%s|%s|%s" "$STEWARD_ALERT_KIND" "$STEWARD_ALERT_TITLE" "$STEWARD_ALERT_TEXT" > env.txt',
        { cwd: dir },
        n,
      ),
    ).resolves.toEqual({ detail: 'exit 0' });
    expect(JSON.parse(readFileSync(path.join(dir, 'stdin.json'), 'utf8'))).toEqual(webhookBody(n));
    expect(readFileSync(path.join(dir, 'env.txt'), 'utf8')).toBe(`test|[TEST] ${n.title}|${n.text}`);
  });

  it('runs in the config directory by default', async () => {
    expect(parse({ type: 'command', run: 'true' }).cwd).toBe(root);
    expect(parse({ type: 'command', run: 'true', cwd: 'sub' }).cwd).toBe(path.join(root, 'sub'));
    await run('pwd > where.txt');
    expect(readFileSync(path.join(root, 'where.txt'), 'utf8').trim()).toBe(root);
  });

  it('reports a non-zero exit as retryable with the first stderr line', async () => {
    const err = await run('printf "\\n  no route to pager\\nmore\\n" >&2; exit 7').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: true, message: 'command exited with code 7: no route to pager' });
  });

  it('copes with a command that prints a lot and ignores stdin', async () => {
    await expect(run('head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2')).resolves.toEqual({
      detail: 'exit 0',
    });
    const err = await run('head -c 3000000 /dev/zero >&2; echo; echo late >&2; exit 1').catch(
      (e: unknown) => e,
    );
    expect((err as Error).message.length).toBeLessThan(600);
  });

  it('does not wait for a background child holding the pipes', async () => {
    await expect(run('sleep 2 & exit 0')).resolves.toEqual({ detail: 'exit 0' });
  });

  it('treats short env values as plain, secret-named or long ones as secrets', () => {
    const cfg = parse({
      type: 'command',
      run: 'true',
      env: { LANG: 'C', KEY: 'abc', URL: 'https://hooks.example/x' },
    });
    expect(commandChannel.secrets(cfg).sort()).toEqual(['abc', 'https://hooks.example/x']);
  });
});
