/**
 * One-line reasons for socket and TLS failures. Node's own messages are kept for certificate
 * problems ("self-signed certificate", "certificate has expired"): they are the precise reason.
 */
const certificateCodes = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function describeNetError(err: unknown, target: string): string {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused (${target})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `host not found (${target})`;
    case 'EHOSTUNREACH':
      return `host unreachable (${target})`;
    case 'ENETUNREACH':
      return `network unreachable (${target})`;
    case 'ETIMEDOUT':
      return `connection timed out (${target})`;
    case 'ECONNRESET':
      // Node says "socket hang up" when the peer closed before sending any response.
      return message === 'socket hang up'
        ? `connection closed without a response (${target})`
        : `connection reset (${target})`;
    case 'EPIPE':
      return `connection closed by peer (${target})`;
  }
  if (certificateCodes.has(code)) return `certificate rejected: ${message} (${target})`;
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO') return `TLS handshake failed (${target})`;
  return message;
}
