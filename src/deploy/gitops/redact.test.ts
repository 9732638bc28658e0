import { describe, expect, it } from 'vitest';
import { displayUrl, redact, urlSecrets } from './redact.js';

describe('redact', () => {
  it('hides userinfo in URLs and the literal secrets git may print elsewhere', () => {
    const url = 'https://deploy:p%40ss-w0rd-x@git.example/org/repo.git';
    const secrets = urlSecrets(url);
    expect(secrets).toEqual(['p%40ss-w0rd-x', 'p@ss-w0rd-x']);
    expect(displayUrl(url)).toBe('https://***@git.example/org/repo.git');
    const text = `fatal: unable to access '${url}': denied; password p@ss-w0rd-x rejected`;
    const out = redact(text, secrets);
    expect(out).toBe(
      "fatal: unable to access 'https://***@git.example/org/repo.git': denied; password *** rejected",
    );
  });

  it('treats a long user name without password as a token, a short one as a name', () => {
    expect(urlSecrets('https://ghp_0123456789abcdefghij@github.com/o/r.git')).toEqual([
      'ghp_0123456789abcdefghij',
    ]);
    expect(urlSecrets('ssh://git@host/repo.git')).toEqual([]);
    expect(displayUrl('ssh://git@host/repo.git')).toBe('ssh://***@host/repo.git');
    expect(displayUrl('/srv/git/repo.git')).toBe('/srv/git/repo.git');
    // A colon inside the password does not cut it short.
    expect(urlSecrets('https://u:a:b:c@h/r')).toEqual(['a:b:c']);
  });
});
