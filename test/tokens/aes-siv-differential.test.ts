/**
 * AES-SIV (src/tokens/aes-siv.ts) against an audited implementation: `aessiv` from @noble/ciphers is the
 * oracle. On random keys (all three sizes), associated data and plaintexts — with lengths at the 16-byte
 * block boundaries weighted up, where CMAC padding, `xorend` and the `dbl`/pad branch of S2V switch — both
 * must produce the same bytes, open each other's output, and refuse exactly the same tampered inputs.
 *
 * Run counts stay small by default so the file takes a few seconds; `FC_RUNS` raises them all, e.g.
 * `FC_RUNS=20000 npx jest test/tokens/aes-siv-differential` (run locally at 20,000: all passed, ~30 s).
 */
import { aessiv } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { AesSiv } from '../../src/tokens/aes-siv.js';

const runs = (n: number) => ({ numRuns: Number(process.env.FC_RUNS ?? n) });
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A fresh copy, so neither side can see the other's mutations (noble borrows key and AAD by reference). */
const copy = (b: Uint8Array) => Uint8Array.from(b);

function nobleSeal(key: Uint8Array, ad: readonly Uint8Array[], plaintext: Uint8Array): Buffer {
  return Buffer.from(aessiv(copy(key), ...ad.map(copy)).encrypt(copy(plaintext)));
}

/** noble's plaintext, or `undefined` when it throws (a bad tag, or fewer than 16 bytes). */
function nobleOpen(key: Uint8Array, ad: readonly Uint8Array[], sealed: Uint8Array): Buffer | undefined {
  try {
    return Buffer.from(aessiv(copy(key), ...ad.map(copy)).decrypt(copy(sealed)));
  } catch {
    return undefined;
  }
}

const bytesOfLength = (length: fc.Arbitrary<number>) =>
  length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

const key = bytesOfLength(fc.constantFrom(32, 48, 64));
/** 0..80 bytes, half the time exactly at or next to a block boundary. */
const adString = bytesOfLength(
  fc.oneof(fc.constantFrom(0, 1, 15, 16, 17, 31, 32, 33, 48, 80), fc.integer({ min: 0, max: 80 })),
);
const adList = fc.array(adString, { maxLength: 5 });
/** 0..300 bytes, half the time at or next to a block boundary. */
const plaintext = bytesOfLength(
  fc.oneof(
    fc.constantFrom(0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 255, 256, 300),
    fc.integer({ min: 0, max: 300 }),
  ),
);

describe('AES-SIV agrees with @noble/ciphers aessiv', () => {
  test('empty plaintext: the same bytes for each key size, with no, one empty and one non-empty AD', () => {
    for (const size of [32, 48, 64]) {
      const k = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
      const siv = new AesSiv(k);
      for (const ad of [[], [new Uint8Array(0)], [Buffer.from('tenant_id=acme')]]) {
        const sealed = siv.encrypt(new Uint8Array(0), ad);
        expect(sealed.length).toBe(16);
        expect(sealed.toString('hex')).toBe(nobleSeal(k, ad, new Uint8Array(0)).toString('hex'));
        expect(siv.decrypt(sealed, ad)?.length).toBe(0);
        expect(nobleOpen(k, ad, sealed)?.length).toBe(0);
      }
    }
  });

  test('RFC 5297 A.1 and A.2: the same bytes as noble and as the RFC', () => {
    const k1 = hex('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    const ad1 = [hex('101112131415161718191a1b1c1d1e1f2021222324252627')];
    const p1 = hex('112233445566778899aabbccddee');
    const a1 = '85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c';
    expect(new AesSiv(k1).encrypt(p1, ad1).toString('hex')).toBe(a1);
    expect(nobleSeal(k1, ad1, p1).toString('hex')).toBe(a1);

    const k2 = hex('7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f');
    const ad2 = [
      hex('00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100'),
      hex('102030405060708090a0'),
      hex('09f911029d74e35bd84156c5635688c0'),
    ];
    const p2 = hex(
      '7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67205349562d414553',
    );
    const a2 =
      '7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17dba77ceb094fa663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d';
    expect(new AesSiv(k2).encrypt(p2, ad2).toString('hex')).toBe(a2);
    expect(nobleSeal(k2, ad2, p2).toString('hex')).toBe(a2);
  });

  test('random keys, associated data and plaintexts: byte-for-byte equal, and each opens the other', () => {
    fc.assert(
      fc.property(key, adList, plaintext, (k, ad, p) => {
        const before = [copy(k), ...ad.map(copy), copy(p)];
        const siv = new AesSiv(k);
        const theirs = nobleSeal(k, ad, p);
        const ours = siv.encrypt(p, ad);
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
        const bound = siv.bind(ad);
        expect(bound.seal(p).toString('hex')).toBe(theirs.toString('hex'));

        expect(siv.decrypt(theirs, ad)?.toString('hex')).toBe(Buffer.from(p).toString('hex'));
        expect(bound.open(theirs)?.toString('hex')).toBe(Buffer.from(p).toString('hex'));
        expect(nobleOpen(k, ad, ours)?.toString('hex')).toBe(Buffer.from(p).toString('hex'));
        // Views into larger buffers (byteOffset > 0, junk around them) give the same bytes.
        const view = (b: Uint8Array) =>
          Buffer.concat([Buffer.from([0xa5, 0x5a]), b, Buffer.from([0xff])]).subarray(2, 2 + b.length);
        expect(siv.encrypt(view(p), ad.map(view)).toString('hex')).toBe(theirs.toString('hex'));
        expect(siv.decrypt(view(theirs), ad.map(view))?.toString('hex')).toBe(Buffer.from(p).toString('hex'));
        // Ours reads its inputs without changing them.
        expect([k, ...ad, p].map((b) => Buffer.from(b).toString('hex'))).toEqual(
          before.map((b) => Buffer.from(b).toString('hex')),
        );
      }),
      runs(400),
    );
  });

  type Tamper =
    | { kind: 'flip'; at: number; mask: number }
    | { kind: 'truncate'; to: number }
    | { kind: 'extend'; byte: number }
    | { kind: 'ad-flip'; which: number; at: number; mask: number }
    | { kind: 'ad-drop'; which: number }
    | { kind: 'ad-insert'; which: number; value: Uint8Array };

  const mask = fc.integer({ min: 1, max: 255 });
  const tamper: fc.Arbitrary<Tamper> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask }) },
    fc.record({ kind: fc.constant('truncate' as const), to: fc.nat() }),
    fc.record({ kind: fc.constant('extend' as const), byte: fc.nat(255) }),
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('ad-flip' as const), which: fc.nat(), at: fc.nat(), mask }),
    },
    fc.record({ kind: fc.constant('ad-drop' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('ad-insert' as const), which: fc.nat(), value: adString }),
  );

  /** The tampered sealed value and associated data; always different from the originals. */
  function apply(t: Tamper, sealed: Buffer, ad: Uint8Array[]): { sealed: Buffer; ad: Uint8Array[] } {
    const s = Buffer.from(sealed);
    const a: Uint8Array[] = ad.map(copy);
    const nonEmpty = a.map((x, i) => [x, i] as const).filter(([x]) => x.length > 0);
    switch (t.kind) {
      case 'truncate':
        return { sealed: s.subarray(0, t.to % s.length), ad: a };
      case 'extend':
        return { sealed: Buffer.concat([s, Buffer.of(t.byte)]), ad: a };
      case 'ad-drop':
        if (a.length > 0) {
          a.splice(t.which % a.length, 1);
          return { sealed: s, ad: a };
        }
        break;
      case 'ad-insert':
        a.splice(t.which % (a.length + 1), 0, t.value);
        return { sealed: s, ad: a };
      case 'ad-flip':
        if (nonEmpty.length > 0) {
          const [x] = nonEmpty[t.which % nonEmpty.length];
          x[t.at % x.length] ^= t.mask;
          return { sealed: s, ad: a };
        }
        // No byte of AD to flip: flip one of the sealed value instead.
        s[t.at % s.length] ^= t.mask;
        return { sealed: s, ad: a };
      case 'flip':
        s[t.at % s.length] ^= t.mask;
        return { sealed: s, ad: a };
    }
    // ad-drop with no AD: drop the last byte instead.
    return { sealed: s.subarray(0, s.length - 1), ad: a };
  }

  test('tampering (a byte flip in the sealed value or the AD, truncation, extension, an AD dropped or inserted): both refuse', () => {
    fc.assert(
      fc.property(key, adList, plaintext, tamper, (k, ad, p, t) => {
        const siv = new AesSiv(k);
        const sealed = siv.encrypt(p, ad);
        const bad = apply(t, sealed, ad);
        const theirs = nobleOpen(k, bad.ad, bad.sealed);
        const ours = siv.decrypt(bad.sealed, bad.ad);
        expect(ours === undefined).toBe(theirs === undefined);
        expect(ours).toBeUndefined();
        expect(theirs).toBeUndefined();
        expect(siv.bind(bad.ad).open(bad.sealed)).toBeUndefined();
      }),
      runs(400),
    );
  });

  test('arbitrary bytes as a sealed value: ours refuses exactly when noble throws', () => {
    fc.assert(
      fc.property(key, adList, fc.uint8Array({ maxLength: 64 }), (k, ad, junk) => {
        const theirs = nobleOpen(k, ad, junk);
        const ours = new AesSiv(k).decrypt(junk, ad);
        expect(ours?.toString('hex')).toBe(theirs?.toString('hex'));
      }),
      runs(300),
    );
  });
});
