import { spawn } from 'node:child_process';
import { displayTitle, webhookBody } from '../format.js';
import { channelError } from '../http.js';
import type { ChannelDriver, DeliveryReceipt } from '../types.js';
import type { CommandChannelConfig } from './schema.js';

export { type CommandChannelConfig, commandChannelSchema } from './schema.js';

/**
 * Runs `/bin/sh -c <run>` in its own process group with the webhook JSON body on stdin and
 * STEWARD_ALERT_KIND / STEWARD_ALERT_TITLE / STEWARD_ALERT_TEXT in the environment. Exit 0 is
 * a delivery; anything else a retryable error naming the first line of stderr. On abort the
 * whole process group is killed (SIGKILL). stdout and stderr are kept up to 64 KiB each.
 */
export const OUTPUT_CAP = 64 * 1024;

/** How long after the shell exits its pipes may stay open (a background child holding them). */
const PIPE_GRACE_MS = 200;

const SECRET_NAME = /token|secret|pass|key|auth|credential/i;

export const commandChannel: ChannelDriver<CommandChannelConfig> = {
  send(config, n, ctx) {
    const secrets = commandSecrets(config);
    const { signal } = ctx;
    if (signal.aborted)
      return Promise.reject(channelError('command: delivery aborted before start', true, secrets));

    return new Promise<DeliveryReceipt>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', config.run], {
        cwd: config.cwd,
        env: {
          ...process.env,
          ...config.env,
          STEWARD_ALERT_KIND: n.kind,
          STEWARD_ALERT_TITLE: displayTitle(n),
          STEWARD_ALERT_TEXT: n.text,
        },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out = { stdout: capture(), stderr: capture() };
      child.stdout.on('data', out.stdout.add);
      child.stderr.on('data', out.stderr.add);
      // The command may not read its stdin (or die before it does): EPIPE is not an error here.
      child.stdin.on('error', () => {});
      child.stdin.end(JSON.stringify(webhookBody(n)));

      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        for (const s of [child.stdin, child.stdout, child.stderr]) s.destroy();
        fn();
      };
      const killGroup = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const onAbort = () => {
        killGroup();
        const fail = () =>
          settle(() =>
            reject(channelError('command: delivery aborted, process group killed', true, secrets)),
          );
        if (child.exitCode !== null || child.signalCode !== null) fail();
        else {
          child.once('exit', fail);
          setTimeout(fail, 1000).unref();
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });

      child.on('error', (err) =>
        settle(() => reject(channelError(`command: could not start: ${err.message}`, true, secrets))),
      );
      child.on('exit', (code, sig) => {
        if (signal.aborted) return;
        const finish = () =>
          settle(() => {
            if (code === 0) return resolve({ detail: 'exit 0' });
            const firstLine =
              out.stderr
                .text()
                .split('\n')
                .find((l) => l.trim()) ?? '';
            const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
            reject(
              channelError(
                `command ${how}${firstLine ? `: ${firstLine.trim().slice(0, 500)}` : ''}`,
                true,
                secrets,
              ),
            );
          });
        // Output may still be in the pipes: wait for them, but not for a background child holding them.
        child.once('close', finish);
        setTimeout(finish, PIPE_GRACE_MS).unref();
      });
    });
  },
  secrets: commandSecrets,
};

function capture() {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    add: (chunk: Buffer) => {
      if (size >= OUTPUT_CAP) return;
      const part = chunk.subarray(0, OUTPUT_CAP - size);
      chunks.push(part);
      size += part.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

function commandSecrets(config: CommandChannelConfig): string[] {
  return Object.entries(config.env ?? {})
    .filter(([name, value]) => value && (SECRET_NAME.test(name) || value.length >= 8))
    .map(([, value]) => value);
}
