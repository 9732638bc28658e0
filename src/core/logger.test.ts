import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('logger', () => {
  it('writes JSON lines with secret-looking fields redacted', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => {
      text += d.toString();
    });
    const log = createLogger({ pretty: false, destination: out, level: 'info' });
    log.info({ token: 'stw_abc', channel: { password: 'hunter2', url: 'https://x' }, job: 'j' }, 'hello');
    const record = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(record).toMatchObject({
      msg: 'hello',
      job: 'j',
      token: '[redacted]',
      channel: { password: '[redacted]' },
    });
    expect(text).not.toContain('stw_abc');
    expect(text).not.toContain('hunter2');
    expect(typeof record.time).toBe('string');
  });
});
