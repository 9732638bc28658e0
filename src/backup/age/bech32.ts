/**
 * Bech32 (BIP-173, not bech32m) as age uses it: without BIP-173's 90-character limit,
 * since age's post-quantum recipients are far longer, and with the HRP returned in the
 * case it was written in, because age tells identities (upper) from recipients (lower).
 */
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

const CHARSET_REV = new Map<string, number>([...CHARSET].map((c, i) => [c, i]));

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk ^= GENERATOR[i]!;
    }
  }
  return chk;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >>> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = ((acc << from) | data[i]!) & 0xfff;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from) {
    throw new Error('illegal zero padding');
  } else if ((acc << (to - bits)) & maxv) {
    throw new Error('non-zero padding');
  }
  return out;
}

/** Lower-case Bech32 of `data` under `hrp`; callers upper-case the whole string if they want. */
export function bech32Encode(hrp: string, data: Uint8Array): string {
  if (hrp.length === 0) throw new Error('empty human-readable part');
  for (let i = 0; i < hrp.length; i++) {
    const c = hrp.charCodeAt(i);
    if (c < 33 || c > 126) throw new Error('invalid character in human-readable part');
  }
  const lowerHrp = hrp.toLowerCase();
  const words = convertBits(data, 8, 5, true);
  const mod = polymod([...hrpExpand(lowerHrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  let out = `${lowerHrp}1`;
  for (const w of words) out += CHARSET[w];
  for (let i = 0; i < 6; i++) out += CHARSET[(mod >>> (5 * (5 - i))) & 31];
  return out;
}

/** Throws a plain Error saying what is wrong; the key parsers wrap it with context. */
export function bech32Decode(s: string): { hrp: string; data: Buffer } {
  if (s.length < 8) throw new Error('too short');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) throw new Error('invalid character');
  }
  const lower = s.toLowerCase();
  if (lower !== s && s.toUpperCase() !== s) throw new Error('mixed case');
  const pos = lower.lastIndexOf('1');
  if (pos < 1 || pos + 7 > lower.length) throw new Error('separator "1" at an invalid position');
  const words: number[] = [];
  for (const c of lower.slice(pos + 1)) {
    const w = CHARSET_REV.get(c);
    if (w === undefined) throw new Error(`invalid data character ${JSON.stringify(c)}`);
    words.push(w);
  }
  if (polymod([...hrpExpand(lower.slice(0, pos)), ...words]) !== 1) throw new Error('invalid checksum');
  const data = Buffer.from(convertBits(words.slice(0, -6), 5, 8, false));
  return { hrp: s.slice(0, pos), data };
}
