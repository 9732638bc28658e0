import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode } from './bech32.js';
import { AgeError } from './errors.js';

/**
 * age X25519 keys: an identity is a 32-byte scalar encoded as Bech32 with HRP
 * "AGE-SECRET-KEY-" (upper case), a recipient the 32-byte public point under "age"
 * (lower case). Case is enforced as age itself does, so that any key we accept also
 * works with stock `age`.
 */
const IDENTITY_HRP = 'AGE-SECRET-KEY-';
const RECIPIENT_HRP = 'age';

// Fixed DER wrappers (RFC 8410) around raw X25519 keys: node:crypto imports keys only
// from DER/PEM/JWK, and its JWK import insists on the public half as well.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface X25519Identity {
  privateKey: KeyObject;
  /** The raw public key, needed for the HKDF salt when unwrapping. */
  publicKey: Buffer;
}

export function privateKeyFromScalar(scalar: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, scalar]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromBytes(point: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

function rawPrivateKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return der.subarray(der.length - 32);
}

/** The 32-byte scalar of an AGE-SECRET-KEY-1… string. Messages never echo the key. */
export function decodeIdentity(identity: string): Buffer {
  let decoded: { hrp: string; data: Buffer };
  try {
    decoded = bech32Decode(identity);
  } catch (err) {
    throw new AgeError('E_AGE_KEY', `malformed age identity: ${(err as Error).message}`);
  }
  if (decoded.hrp !== IDENTITY_HRP) {
    throw new AgeError(
      'E_AGE_KEY',
      decoded.hrp.toUpperCase() === IDENTITY_HRP
        ? 'malformed age identity: it must be upper case (AGE-SECRET-KEY-1…)'
        : 'not an age X25519 identity: expected AGE-SECRET-KEY-1…',
    );
  }
  if (decoded.data.length !== 32) throw new AgeError('E_AGE_KEY', 'malformed age identity: wrong key length');
  return decoded.data;
}

/** The 32-byte public point of an age1… string. */
export function decodeRecipient(recipient: string): Buffer {
  let decoded: { hrp: string; data: Buffer };
  try {
    decoded = bech32Decode(recipient);
  } catch (err) {
    throw new AgeError(
      'E_AGE_KEY',
      `malformed age recipient ${JSON.stringify(recipient)}: ${(err as Error).message}`,
    );
  }
  if (decoded.hrp !== RECIPIENT_HRP) {
    throw new AgeError(
      'E_AGE_KEY',
      decoded.hrp.toLowerCase() === RECIPIENT_HRP
        ? `malformed age recipient ${JSON.stringify(recipient)}: it must be lower case (age1…)`
        : `not an age X25519 recipient: ${JSON.stringify(recipient)} (expected age1…)`,
    );
  }
  if (decoded.data.length !== 32) {
    throw new AgeError('E_AGE_KEY', `malformed age recipient ${JSON.stringify(recipient)}: wrong key length`);
  }
  return decoded.data;
}

export function encodeIdentity(scalar: Uint8Array): string {
  return bech32Encode(IDENTITY_HRP, scalar).toUpperCase();
}

export function encodeRecipient(point: Uint8Array): string {
  return bech32Encode(RECIPIENT_HRP, point);
}

export function loadIdentity(identity: string): X25519Identity {
  const privateKey = privateKeyFromScalar(decodeIdentity(identity));
  return { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}

export function generateIdentity(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    identity: encodeIdentity(rawPrivateKey(privateKey)),
    recipient: encodeRecipient(rawPublicKey(publicKey)),
  };
}

/** The age1… recipient of an identity, like `age-keygen -y`. */
export function recipientOf(identity: string): string {
  return encodeRecipient(loadIdentity(identity).publicKey);
}

export function isRecipient(s: string): boolean {
  try {
    decodeRecipient(s);
    return true;
  } catch {
    return false;
  }
}

export function isIdentity(s: string): boolean {
  try {
    decodeIdentity(s);
    return true;
  } catch {
    return false;
  }
}
