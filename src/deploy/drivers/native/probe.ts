import http from 'node:http';
import { execa } from 'execa';
import { StewardError } from '../../../core/errors.js';

/** GET url: ok on any 2xx within 2 s (the new colour's health before traffic moves to it). */
export function httpOk(url: string): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code >= 200 && code < 300, detail: `HTTP ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) =>
      resolve({ ok: false, detail: (err as NodeJS.ErrnoException).code ?? err.message }),
    );
  });
}

/** systemctl for the systemd runner; is-active prints the state and exits non-zero when not active. */
export async function systemctl(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { allowFailure?: boolean } = {},
): Promise<string> {
  const result = await execa('systemctl', args, { env, reject: false, timeout: 120_000 });
  if (result.exitCode !== 0 && !opts.allowFailure) {
    throw new StewardError(
      'E_EXTERNAL',
      `systemctl ${args.join(' ')} failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
      {
        hint: 'install the unit first: steward systemd unit <service> > /etc/systemd/system/steward-<service>.service',
      },
    );
  }
  return String(result.stdout).trim();
}
