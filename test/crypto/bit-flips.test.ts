/**
 * Issue 9, item 18: a tampered message is 400 whatever byte was changed (403 only where the change
 * rewrites the encryption context, which is decided before any KMS call), never a key error (500), and
 * never a plaintext.
 */
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
} from '../../src/errors.js';
import { AlgorithmSuiteIdentifier } from '../../src/providers/kms.js';
import { everythingIn, provider, useKms } from './support.js';

const { kms } = useKms(2);
const SECRET = 'TOP-SECRET-4111111111111111';
const SIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
/** The exhaustive loops decrypt a few hundred messages each; a loaded CI machine gets headroom. */
const EXHAUSTIVE_TIMEOUT_MS = 120_000;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('flipping any byte of a message: 400 (403 only inside the context), never a key error', () => {
  /**
   * Where the encryption context lies in a version 2 message: its 2-byte length at offset 35, then the
   * pairs. A flip there changes the context the header claims (or breaks its encoding): that is either
   * a context mismatch (403, decided before any KMS call, as for any other tenant's message) or a
   * malformed message (400).
   */
  const contextSection = (bytes: Buffer): [number, number] => [35, 37 + bytes.readUInt16BE(35)];

  // Every byte with one mask on a reader without cache (each flip goes as far as it can, KMS included),
  // and again with another mask on one warm reader (a cached data key skips KMS: the SDK must still
  // refuse). The signing suite runs on a warm reader only: each cold decrypt rebuilds its ECDSA key.
  describe.each([
    ['unsigned suite (default), no cache', undefined, 0x01, { cache: false }],
    ['unsigned suite (default), warm cache', undefined, 0x80, {}],
    ['signing suite, warm cache', SIGNED, 0x01, {}],
  ] as const)('%s', (_, algorithm, mask, readerOptions) => {
    test(
      'every byte',
      async () => {
        const [k1] = kms().keys;
        const options = algorithm === undefined ? {} : { algorithm };
        const ciphertext = await provider([k1], options).encrypt(SECRET, { t: '1' });
        const bytes = Buffer.from(ciphertext, 'base64');
        const [contextStart, contextEnd] = contextSection(bytes);
        const reader = provider([k1], { ...options, ...readerOptions });
        await expect(reader.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
        const seen = new Map<string, number>();
        const wrong: string[] = [];
        for (let at = 0; at < bytes.length; at++) {
          const flipped = Buffer.from(bytes);
          flipped[at] ^= mask;
          const outcome = await failure(reader.decrypt(flipped.toString('base64'), { t: '1' }));
          const error = (outcome as { error?: unknown }).error;
          const name = error instanceof Error ? error.name : `resolved ${JSON.stringify(outcome)}`;
          seen.set(name, (seen.get(name) ?? 0) + 1);
          const inContext = at >= contextStart && at < contextEnd;
          const allowed =
            error instanceof DataMaskingDecryptValueError ||
            (inContext && error instanceof DataMaskingContextMismatchError);
          if (!allowed) wrong.push(`byte ${at} ^ 0x${mask.toString(16)}: ${name}`);
          if (error instanceof DataMaskingEncryptionError && everythingIn(error).includes(SECRET)) {
            wrong.push(`byte ${at}: the error carries the plaintext`);
          }
        }
        expect(wrong).toEqual([]);
        expect(seen.get('DataMaskingDecryptValueError')).toBeGreaterThan(bytes.length * 0.9);
      },
      EXHAUSTIVE_TIMEOUT_MS,
    );
  });

  test('flips in the provider id and the key ARN of the data key are 400, with no KMS call', async () => {
    const [k1] = kms().keys;
    const ciphertext = await provider([k1]).encrypt(SECRET, { t: '1' });
    const bytes = Buffer.from(ciphertext, 'base64');
    const providerId = bytes.indexOf(Buffer.from('aws-kms'));
    const arn = bytes.indexOf(Buffer.from(k1));
    expect(providerId).toBeGreaterThan(0);
    expect(arn).toBeGreaterThan(providerId);
    kms().reset();
    const positions = [
      ...Array.from({ length: 7 }, (_, i) => providerId + i),
      ...Array.from({ length: k1.length }, (_, i) => arn + i),
    ];
    for (const at of positions) {
      const flipped = Buffer.from(bytes);
      flipped[at] ^= 0x01;
      await expect(provider([k1]).decrypt(flipped.toString('base64'), { t: '1' })).rejects.toThrow(
        DataMaskingDecryptValueError,
      );
    }
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('a data key naming one configured key but made under another is 400 (IncorrectKeyException)', async () => {
    const [k1, k2] = kms().keys;
    const ciphertext = await provider([k1]).encrypt(SECRET, { t: '1' });
    const bytes = Buffer.from(ciphertext, 'base64');
    // Same length ARNs: rewrite the header's key ARN so it names k2, which is configured.
    expect(k2.length).toBe(k1.length);
    const at = bytes.indexOf(Buffer.from(k1));
    Buffer.from(k2).copy(bytes, at);
    kms().reset();
    const error = await provider([k1, k2])
      .decrypt(bytes.toString('base64'), { t: '1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect(kms().count('Decrypt')).toBe(1);
  });
});
