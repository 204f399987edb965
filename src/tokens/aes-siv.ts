/**
 * AES-SIV (RFC 5297): deterministic authenticated encryption. The same key, associated data and
 * plaintext always give the same output, and any change to any of them fails authentication — what a
 * joinable, reversible pseudonym needs. Built on node:crypto's AES (OpenSSL): S2V over AES-CMAC, then
 * AES-CTR under the synthetic IV. Each key half is one long-lived AES-ECB cipher used as the block
 * function, so a short value costs a few native calls and no cipher creation: creating a cipher (its key
 * schedule) per value was most of the time (bench/tokens). Checked against RFC 5297's vectors and, by a
 * differential property test, against @noble/ciphers' audited `aessiv`.
 *
 * Key sizes: 256 bits (AES-128 in both halves), 384 or 512 bits (AES-256 in both halves, the one
 * tokens use). The first half keys the CMAC, the second the CTR.
 *
 * @module
 */
import { type Cipher, createCipheriv, timingSafeEqual } from 'node:crypto';

const BLOCK = 16;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/** `dbl` of RFC 5297 §2.3: a left shift by one bit in GF(2^128), reduced by x^128 + x^7 + x^2 + x + 1. */
function dbl(block: Buffer): Buffer {
  const out = Buffer.allocUnsafe(BLOCK);
  let carry = 0;
  for (let i = BLOCK - 1; i >= 0; i--) {
    const b = block[i];
    out[i] = ((b << 1) & 0xff) | carry;
    carry = b >>> 7;
  }
  if (carry !== 0) out[BLOCK - 1] ^= 0x87;
  return out;
}

function xorInto(target: Buffer, source: Buffer, offset = 0): void {
  for (let i = 0; i < source.length; i++) target[offset + i] ^= source[i];
}

/** One AES block function per key: a never-finalized AES-ECB cipher, so each call is one native `update`. */
function blockCipher(key: Buffer): Cipher {
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/**
 * Messages of up to this many blocks are chained in JavaScript over the block function (one native call
 * per block, no cipher to create); longer ones take one AES-CBC pass (one cipher created, one call).
 */
const CHAINED_BLOCKS = 4;

/** AES-CMAC (RFC 4493) keyed once: its subkeys computed at construction. */
class Cmac {
  readonly #aes: Cipher;
  readonly #key: Buffer;
  readonly #cbc: string;
  readonly #k1: Buffer;
  readonly #k2: Buffer;

  public constructor(key: Buffer) {
    this.#key = key;
    this.#cbc = `aes-${key.length * 8}-cbc`;
    this.#aes = blockCipher(key);
    const l = this.#aes.update(ZERO_BLOCK);
    this.#k1 = dbl(l);
    this.#k2 = dbl(this.#k1);
  }

  public mac(message: Buffer): Buffer {
    const n = Math.max(1, Math.ceil(message.length / BLOCK));
    const complete = message.length > 0 && message.length % BLOCK === 0;
    const subkey = complete ? this.#k1 : this.#k2;
    if (n > CHAINED_BLOCKS) {
      const padded = Buffer.alloc(n * BLOCK);
      message.copy(padded);
      if (!complete) padded[message.length] = 0x80;
      xorInto(padded, subkey, (n - 1) * BLOCK);
      // The last block of AES-CBC with a zero IV is the CBC-MAC of whole blocks.
      const cipher = createCipheriv(this.#cbc, this.#key, ZERO_BLOCK);
      cipher.setAutoPadding(false);
      const out = cipher.update(padded);
      return out.subarray(out.length - BLOCK);
    }
    const x = Buffer.alloc(BLOCK);
    for (let b = 0; b < n; b++) {
      const offset = b * BLOCK;
      const last = b === n - 1;
      for (let i = 0; i < BLOCK; i++) {
        const j = offset + i;
        let byte = j < message.length ? message[j] : j === message.length ? 0x80 : 0;
        if (last) byte ^= subkey[i];
        x[i] ^= byte;
      }
      this.#aes.update(x).copy(x);
    }
    return x;
  }
}

/**
 * An AES-SIV key bound to fixed associated data: S2V's chain over the associated data does not depend on
 * the plaintext, so it is computed once here, and each value then costs one CMAC and one CTR pass.
 */
export interface SivSealer {
  /** `V || C` (RFC 5297 §2.6): 16 bytes of synthetic IV, then the ciphertext. */
  seal(plaintext: Uint8Array): Buffer;
  /** The plaintext, or `undefined` when `V || C` does not authenticate under this key and data. */
  open(sealed: Uint8Array): Buffer | undefined;
}

/** An AES-SIV key: encrypts and decrypts deterministically under associated data. */
export class AesSiv {
  readonly #cmac: Cmac;
  readonly #ctrAes: Cipher;

  /** @param key 32, 48 or 64 bytes. */
  public constructor(key: Uint8Array) {
    if (key.length !== 32 && key.length !== 48 && key.length !== 64) {
      throw new RangeError('an AES-SIV key has 256, 384 or 512 bits');
    }
    const half = key.length / 2;
    this.#cmac = new Cmac(Buffer.from(key.subarray(0, half)));
    this.#ctrAes = blockCipher(Buffer.from(key.subarray(half)));
  }

  /** `V || C` (RFC 5297 §2.6): 16 bytes of synthetic IV, then the ciphertext. */
  public encrypt(plaintext: Uint8Array, associatedData: readonly Uint8Array[]): Buffer {
    return this.bind(associatedData).seal(plaintext);
  }

  /** The plaintext, or `undefined` when `V || C` does not authenticate under this key and data. */
  public decrypt(sealed: Uint8Array, associatedData: readonly Uint8Array[]): Buffer | undefined {
    return this.bind(associatedData).open(sealed);
  }

  /** This key with its associated data fixed: the S2V chain over it computed once. */
  public bind(associatedData: readonly Uint8Array[]): SivSealer {
    let d = this.#cmac.mac(ZERO_BLOCK);
    for (const ad of associatedData) {
      d = dbl(d);
      xorInto(d, this.#cmac.mac(Buffer.from(ad.buffer, ad.byteOffset, ad.length)));
    }
    const chain = d;
    const s2v = (plaintext: Buffer) => this.#s2vFinal(chain, plaintext);
    return {
      seal: (plaintext) => {
        const p = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.length);
        const v = s2v(p);
        const out = Buffer.allocUnsafe(BLOCK + p.length);
        v.copy(out);
        this.#ctrInto(v, p, out, BLOCK);
        return out;
      },
      open: (sealed) => {
        if (sealed.length < BLOCK) return undefined;
        const s = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
        const v = s.subarray(0, BLOCK);
        const p = Buffer.allocUnsafe(s.length - BLOCK);
        this.#ctrInto(v, s.subarray(BLOCK), p, 0);
        return timingSafeEqual(s2v(p), v) ? p : undefined;
      },
    };
  }

  /** The last step of S2V (RFC 5297 §2.4): the chain `D` over the associated data, then the plaintext. */
  #s2vFinal(d: Buffer, plaintext: Buffer): Buffer {
    let t: Buffer;
    if (plaintext.length >= BLOCK) {
      t = Buffer.from(plaintext); // xorend: D into the last 16 bytes
      xorInto(t, d, t.length - BLOCK);
    } else {
      t = dbl(d);
      const padded = Buffer.alloc(BLOCK);
      plaintext.copy(padded);
      padded[plaintext.length] = 0x80;
      xorInto(t, padded);
    }
    return this.#cmac.mac(t);
  }

  /** `out[at…]` = `data` XOR AES-CTR under `Q` (`V` with bits 31 and 63 cleared, RFC 5297 §2.6), 128-bit counter. */
  #ctrInto(v: Buffer, data: Buffer, out: Buffer, at: number): void {
    const n = Math.ceil(data.length / BLOCK);
    if (n === 0) return;
    const counters = Buffer.allocUnsafe(n * BLOCK);
    v.copy(counters, 0, 0, BLOCK);
    counters[8] &= 0x7f;
    counters[12] &= 0x7f;
    for (let b = 1; b < n; b++) {
      const o = b * BLOCK;
      counters.copy(counters, o, o - BLOCK, o);
      for (let i = o + BLOCK - 1; i >= o; i--) {
        counters[i] = (counters[i] + 1) & 0xff;
        if (counters[i] !== 0) break;
      }
    }
    const stream = this.#ctrAes.update(counters);
    for (let i = 0; i < data.length; i++) out[at + i] = data[i] ^ stream[i];
  }
}
