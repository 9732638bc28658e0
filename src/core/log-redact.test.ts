import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './log-redact.js';
import { createLogger } from './logger.js';

describe('redactSecrets', () => {
  it('returns a record without secrets as is (no copy)', () => {
    const record = { check: 'c1', reason: 'connected', nested: { a: [1, { b: 2 }] } };
    expect(redactSecrets(record)).toBe(record);
  });

  it('replaces secret-named fields up to three levels deep, in objects and arrays, without touching the input', () => {
    const record = {
      token: 'stw_1',
      job: 'j',
      req: { headers: { authorization: 'Bearer x', cookie: 'sid=1', accept: '*/*' } },
      channels: [{ password: 'p1', name: 'mail' }],
      deep: { a: { b: { password: 'too deep' } } },
    };
    const out = redactSecrets(record);
    expect(out).toEqual({
      token: REDACTED,
      job: 'j',
      req: { headers: { authorization: REDACTED, cookie: REDACTED, accept: '*/*' } },
      channels: [{ password: REDACTED, name: 'mail' }],
      deep: { a: { b: { password: 'too deep' } } },
    });
    expect(out.deep).toBe(record.deep);
    expect(record.token).toBe('stw_1');
    expect(record.req.headers.authorization).toBe('Bearer x');
  });

  it('applies to child-logger bindings as well as log records', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => {
      text += d.toString();
    });
    const log = createLogger({ pretty: false, destination: out, level: 'info' });
    log.child({ secret: 'bound-secret', component: 'x' }).info({ apiKey: 'k-123' }, 'hi');
    const record = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(record).toMatchObject({ secret: REDACTED, apiKey: REDACTED, component: 'x', msg: 'hi' });
    expect(text).not.toContain('bound-secret');
    expect(text).not.toContain('k-123');
  });
});
