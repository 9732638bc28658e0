/**
 * A repository URL may carry credentials (https://user:token@host/…). Nothing that leaves this
 * module (error messages, details, logs) may contain them.
 */

/** The literal secrets in a URL's userinfo, so they can be scrubbed even where git reformats the URL. */
export function urlSecrets(url: string): string[] {
  const secrets: string[] = [];
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url);
  if (m?.[1]) {
    const info = m[1];
    const colon = info.indexOf(':');
    const user = colon < 0 ? info : info.slice(0, colon);
    const pass = colon < 0 ? '' : info.slice(colon + 1);
    // A user name alone is usually not secret (ssh://git@host), unless it is a token (https://<token>@host).
    const candidates = pass ? [pass] : user.length >= 16 ? [user] : [];
    for (const raw of candidates) {
      secrets.push(raw);
      try {
        const decoded = decodeURIComponent(raw);
        if (decoded !== raw) secrets.push(decoded);
      } catch {
        // Malformed %-escapes: the raw form is all git could have printed.
      }
    }
  }
  // Longest first, so that a secret containing another is replaced whole.
  return secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/** Replaces `//userinfo@` with `//***@` and any known secret with `***`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/\/\/[^/@\s'"]*@/g, '//***@');
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/** The URL as it may be shown to a person. */
export function displayUrl(url: string): string {
  return redact(url, urlSecrets(url));
}
