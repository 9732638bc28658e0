import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bech32Decode, bech32Encode } from './bech32.js';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

describe('bech32', () => {
  it('round-trips data of every length up to 80 bytes', () => {
    for (let n = 0; n <= 80; n++) {
      const data = randomBytes(n);
      for (const hrp of ['age', 'age-secret-key-', 'x']) {
        const s = bech32Encode(hrp, data);
        const back = bech32Decode(s);
        expect(back.hrp).toBe(hrp);
        expect(back.data.equals(data)).toBe(true);
        // Upper case is the same string for Bech32; the HRP keeps the case it was written in.
        const upper = bech32Decode(s.toUpperCase());
        expect(upper.hrp).toBe(hrp.toUpperCase());
        expect(upper.data.equals(data)).toBe(true);
      }
    }
  });

  it('accepts strings longer than BIP-173 allows, as age does', () => {
    const data = randomBytes(200);
    const s = bech32Encode('age1pq', data);
    expect(s.length).toBeGreaterThan(90);
    expect(bech32Decode(s).data.equals(data)).toBe(true);
  });

  it('accepts the BIP-173 valid test vectors', () => {
    for (const s of [
      'A12UEL5L',
      'a12uel5l',
      'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
      'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
      `11${'q'.repeat(82)}c8247j`,
      'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
      '?1ezyfcl',
    ]) {
      const { hrp, data } = bech32Decode(s);
      expect(bech32Encode(hrp, data)).toBe(s.toLowerCase());
    }
  });

  it('rejects the BIP-173 invalid test vectors and mixed case', () => {
    for (const s of [
      'pzry9x0s0muk', // no separator
      '1pzry9x0s0muk', // empty HRP
      'x1b4n0q5v', // invalid data character
      'li1dgmt3', // checksum too short
      'A1G7SGD8', // checksum computed over an upper-case HRP
      '10a06t8', // empty HRP
      '1qzzfhee', // empty HRP
      'de1lg7wt\u00ff', // invalid character
      'A12uEL5L', // mixed case
      '\u00201nwldj5', // HRP character out of range
    ]) {
      expect(() => bech32Decode(s), s).toThrow();
    }
  });

  it('rejects every single-character substitution (checksum)', () => {
    const s = bech32Encode('age', randomBytes(32));
    const sep = s.lastIndexOf('1');
    for (let i = sep + 1; i < s.length; i++) {
      for (const c of CHARSET) {
        if (c === s[i]) continue;
        const bad = s.slice(0, i) + c + s.slice(i + 1);
        expect(() => bech32Decode(bad), bad).toThrow(/checksum/);
      }
    }
    // Changing the HRP is caught by the checksum too.
    expect(() => bech32Decode(`agf${s.slice(3)}`)).toThrow(/checksum/);
  });

  it('rejects non-zero padding bits', () => {
    // 32 bytes take 52 five-bit groups with 4 padding bits; set one of them.
    const s = bech32Encode('age', randomBytes(32));
    const sep = s.lastIndexOf('1');
    const words = [...s.slice(sep + 1, -6)].map((c) => CHARSET.indexOf(c));
    words[words.length - 1]! |= 1;
    // Re-encode the tampered words with a valid checksum via a 5-bit-level encoder.
    const hrp = 'age';
    const poly = (v: number[]) => {
      const G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
      let chk = 1;
      for (const x of v) {
        const top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ x;
        for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= G[i]!;
      }
      return chk;
    };
    const exp = [
      ...[...hrp].map((c) => c.charCodeAt(0) >>> 5),
      0,
      ...[...hrp].map((c) => c.charCodeAt(0) & 31),
    ];
    const mod = poly([...exp, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
    const check = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
    const bad = `${hrp}1${[...words, ...check].map((w) => CHARSET[w]).join('')}`;
    expect(() => bech32Decode(bad)).toThrow(/padding/);
  });
});
