import net from 'node:net';
import { describeNetError } from '../net-shared/errors.js';
import { hostPort } from '../net-shared/fields.js';
import { settleOnce } from '../net-shared/probe.js';
import type { CheckDriver } from '../types.js';
import type { TcpCheckConfig } from './schema.js';

/** How much of a reply is searched for expect_contains: enough for any banner or ping reply. */
const MAX_REPLY_BYTES = 64 * 1024;

export const tcpCheck: CheckDriver<TcpCheckConfig> = {
  probe(config, ctx) {
    const target = hostPort(config.host, config.port);
    return settleOnce(ctx, (done) => {
      const started = performance.now();
      let latencyMs = 0;
      const socket = net.connect({ host: config.host, port: config.port });
      const up = (message: string) =>
        done({ status: 'up', message: `${message} in ${latencyMs} ms`, latencyMs });
      const down = (message: string) => done({ status: 'down', message, latencyMs });

      socket.on('error', (err) => done({ status: 'down', message: describeNetError(err, target) }));
      socket.once('connect', () => {
        latencyMs = Math.round(performance.now() - started);
        if (config.send !== undefined) socket.write(config.send);
        if (config.expect_contains === undefined) {
          // With `send` only, wait until the bytes are handed to the kernel before closing.
          if (config.send !== undefined) socket.end(() => up(`connected to ${target}`));
          else up(`connected to ${target}`);
          return;
        }
        const expected = config.expect_contains;
        let reply = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          reply += chunk;
          if (reply.includes(expected)) up(`${target} replied ${JSON.stringify(expected)}`);
          else if (Buffer.byteLength(reply) >= MAX_REPLY_BYTES)
            down(`reply does not contain ${JSON.stringify(expected)} (read 64 KiB)`);
        });
        socket.once('end', () =>
          down(`connection closed before the reply contained ${JSON.stringify(expected)}`),
        );
      });
      return () => socket.destroy();
    });
  },
};
