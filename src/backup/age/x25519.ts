import { diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { open, seal } from './aead.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { AgeError } from './errors.js';
import type { Stanza } from './header.js';
import { publicKeyFromBytes, rawPublicKey, type X25519Identity } from './keys.js';

/** The X25519 recipient stanza: `-> X25519 <ephemeral share>` wrapping the file key. */
const INFO = 'age-encryption.org/v1/X25519';
const ZERO_NONCE = Buffer.alloc(12);
const FILE_KEY_SIZE = 16;

function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer | null {
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey, publicKey });
  } catch {
    // OpenSSL refuses to derive an all-zero secret (a low-order point).
    return null;
  }
  return secret.every((b) => b === 0) ? null : secret;
}

function wrapKey(secret: Buffer, share: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.concat([share, recipient]), INFO, 32));
}

export function wrapFileKey(fileKey: Buffer, recipient: Buffer): Stanza {
  const ephemeral = generateKeyPairSync('x25519');
  const share = rawPublicKey(ephemeral.publicKey);
  const secret = sharedSecret(ephemeral.privateKey, publicKeyFromBytes(recipient));
  if (!secret) throw new AgeError('E_AGE_KEY', 'invalid age recipient: a low-order point');
  return {
    type: 'X25519',
    args: [encodeBase64(share)],
    body: seal(wrapKey(secret, share, recipient), ZERO_NONCE, fileKey),
  };
}

/**
 * The file key if `stanza` is addressed to `identity`, null if it is not ours (another
 * type, or another X25519 key). A malformed X25519 stanza is an error, as the spec says.
 */
export function unwrapFileKey(stanza: Stanza, identity: X25519Identity): Buffer | null {
  if (stanza.type !== 'X25519') return null;
  const share = stanza.args.length === 1 ? decodeBase64(stanza.args[0]!) : null;
  if (share?.length !== 32) {
    throw new AgeError('E_AGE_HEADER', 'malformed age header: invalid X25519 stanza arguments');
  }
  // Checked before decrypting: a length oracle would help partitioning attacks.
  if (stanza.body.length !== FILE_KEY_SIZE + 16) {
    throw new AgeError('E_AGE_HEADER', 'malformed age header: invalid X25519 stanza body size');
  }
  let sharePoint: KeyObject;
  try {
    sharePoint = publicKeyFromBytes(share);
  } catch {
    throw new AgeError('E_AGE_HEADER', 'malformed age header: invalid X25519 ephemeral share');
  }
  const secret = sharedSecret(identity.privateKey, sharePoint);
  if (!secret) throw new AgeError('E_AGE_HEADER', 'malformed age header: X25519 share is a low-order point');
  return open(wrapKey(secret, share, identity.publicKey), ZERO_NONCE, stanza.body);
}
