/**
 * age v1 (https://age-encryption.org/v1) with X25519 recipients, on node:crypto alone:
 * archives we write decrypt with stock `age -d -i key.txt`, and we read what `age -r` writes.
 */
export { decryptBuffer, encryptBuffer } from './buffer.js';
export { AgeError, type AgeErrorCode, isAgeError } from './errors.js';
export { formatIdentityFile, parseIdentityFile, parseRecipients } from './key-files.js';
export { generateIdentity, isIdentity, isRecipient, recipientOf } from './keys.js';
export { createDecryptStream } from './stream-decrypt.js';
export { createEncryptStream } from './stream-encrypt.js';
