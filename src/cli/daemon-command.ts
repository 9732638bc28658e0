import type { Command } from 'commander';
import { type CliEnv, command } from './program.js';

export function registerDaemonCommand(program: Command, env: CliEnv): void {
  command(program, 'daemon', 'Run the daemon: scheduler and HTTP API (SIGTERM stops, SIGHUP reloads)', [
    'steward daemon -c /etc/steward/steward.yaml',
  ]).action(async () => {
    const globals = env.globals();
    // Loaded on demand: the HTTP server is most of the CLI's start-up time, and only the daemon needs it.
    const { startDaemon } = await import('../daemon/daemon.js');
    const daemon = await startDaemon({ file: globals.config });
    env.printer.line(`steward is listening on ${daemon.url}`);
    if (daemon.initialToken) {
      if (process.stdout.isTTY) {
        env.printer.line(`first start: admin token (shown once): ${daemon.initialToken.token}`);
        env.printer.line(
          `it is also in ${daemon.initialToken.file} (mode 0600); delete that file once you have stored it`,
        );
      } else {
        // stdout is a log here (journald, a file): never put a secret in it.
        env.printer.line(
          `first start: an admin token was written to ${daemon.initialToken.file} (mode 0600)`,
        );
      }
    }
    const stop = (signal: string) => void daemon.stop(signal);
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void daemon.reload());
    await daemon.stopped;
  });
}
