/**
 * Issue 9, items 15 and 18: any string of any size is a typed 400 or a plaintext, fast; a ciphertext is
 * exactly one message (nothing appended). Tampered messages: bit-flips.test.ts.
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { DataMaskingDecryptValueError } from '../../src/errors.js';
import { AlgorithmSuiteIdentifier } from '../../src/providers/kms.js';
import { everythingIn, provider, useKms } from './support.js';

const { kms } = useKms(2);
const SECRET = 'TOP-SECRET-4111111111111111';
const SIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
const MB = 1024 * 1024;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('ciphertexts of any size: a typed DataMaskingDecryptValueError, fast, no KMS call', () => {
  const big: [string, () => string][] = [
    ['5 MB of valid base64 characters', () => 'A'.repeat(5 * MB)],
    ['20 MB of valid base64 characters', () => 'A'.repeat(20 * MB)],
    ['20 MB of valid base64, padded', () => `${'QUJD'.repeat(5 * MB - 1)}QQ==`],
    ['5 MB of garbage', () => '!'.repeat(5 * MB)],
    ['20 MB of garbage', () => '%'.repeat(20 * MB)],
    ['20 MB of base64 with one bad character at the end', () => `${'A'.repeat(20 * MB - 4)}AAA!`],
    ['20 MB of base64 with padding in the middle', () => `${'A'.repeat(10 * MB)}AA==${'A'.repeat(10 * MB)}`],
    ['20 MB of base64 of the wrong length', () => 'A'.repeat(20 * MB + 1)],
    ['20 MB of base64 with line breaks', () => `${'A'.repeat(76)}\n`.repeat((20 * MB) / 77)],
  ];
  test.each(big)('%s', async (_, make) => {
    const value = make();
    /^\0/.test(value); // flattens the string built by repeat(), so the timing is the provider's alone
    const p = provider(kms().keys.slice(0, 1));
    const started = performance.now();
    const outcome = await failure(p.decrypt(value, { t: '1' }));
    const elapsed = performance.now() - started;
    expect(outcome).toEqual({ error: expect.any(DataMaskingDecryptValueError) });
    expect((outcome as { error: Error }).error).not.toBeInstanceOf(RangeError);
    expect(elapsed).toBeLessThan(1000);
    expect(kms().count('Decrypt')).toBe(0);
    expect((outcome as { error: Error }).error.message.length).toBeLessThan(200);
  });

  test('a real message followed by 20 MB of base64 is refused as trailing bytes, fast', async () => {
    const p = provider(kms().keys.slice(0, 1));
    const ciphertext = await p.encrypt(SECRET, { t: '1' });
    kms().reset();
    const value = Buffer.concat([Buffer.from(ciphertext, 'base64'), Buffer.alloc(15 * MB)]).toString(
      'base64',
    );
    const started = performance.now();
    const error = await p.decrypt(value, { t: '1' }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('a large genuine message (3 MB of plaintext, 5 MB of ciphertext base64) still decrypts', async () => {
    const p = provider(kms().keys.slice(0, 1));
    const plaintext = 'x'.repeat(3 * MB);
    const ciphertext = await p.encrypt(plaintext, { t: '1' });
    expect(ciphertext.length).toBeGreaterThan(4 * MB);
    await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe(plaintext);
  });

  test.each([
    ['not a string', 42],
    ['null', null],
    ['empty', ''],
    ['base64url', '-_-_'],
  ])('%s → DataMaskingDecryptValueError', async (_, value) => {
    await expect(provider(kms().keys.slice(0, 1)).decrypt(value as string, { t: '1' })).rejects.toThrow(
      DataMaskingDecryptValueError,
    );
  });
});

describe('a ciphertext is exactly one message: trailing bytes are refused before any KMS call', () => {
  const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

  test('why: the SDK alone decrypts a message with bytes appended', async () => {
    const [k1] = kms().keys;
    const ciphertext = await provider([k1]).encrypt(SECRET, { t: '1' });
    const padded = Buffer.concat([Buffer.from(ciphertext, 'base64'), Buffer.from('appended')]);
    const { plaintext } = await sdk.decrypt(new KmsKeyringNode({ generatorKeyId: k1 }), padded);
    expect(plaintext.toString('utf8')).toBe(SECRET);
  });

  describe.each([
    ['unsigned suite (default)', undefined],
    ['signing suite', SIGNED],
  ])('%s', (_, algorithm) => {
    const make = async () => {
      const p = provider(kms().keys.slice(0, 1), algorithm === undefined ? {} : { algorithm });
      const first = Buffer.from(await p.encrypt(SECRET, { t: '1' }), 'base64');
      const second = Buffer.from(await p.encrypt('another secret', { t: '1' }), 'base64');
      kms().reset();
      return { p, first, second };
    };

    test.each([
      ['one zero byte', (m: Buffer) => Buffer.concat([m, Buffer.alloc(1)])],
      ['100 bytes of garbage', (m: Buffer) => Buffer.concat([m, Buffer.alloc(100, 0x5a)])],
      ['the same message twice', (m: Buffer) => Buffer.concat([m, m])],
    ])('a message followed by %s', async (__, extend) => {
      const { p, first } = await make();
      const error = await p.decrypt(extend(first).toString('base64'), { t: '1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
      expect((error as Error).message).toMatch(/bytes follow the end of the message/);
      expect(everythingIn(error)).not.toContain(SECRET);
      expect(kms().count('Decrypt')).toBe(0);
    });

    test('one message followed by another', async () => {
      const { p, first, second } = await make();
      const error = await p
        .decrypt(Buffer.concat([first, second]).toString('base64'), { t: '1' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
      expect(everythingIn(error)).not.toContain('another secret');
      expect(kms().count('Decrypt')).toBe(0);
    });

    test('each message alone decrypts', async () => {
      const { p, first, second } = await make();
      await expect(p.decrypt(first.toString('base64'), { t: '1' })).resolves.toBe(SECRET);
      await expect(p.decrypt(second.toString('base64'), { t: '1' })).resolves.toBe('another secret');
    });

    test('every truncation is refused', async () => {
      const { p, first } = await make();
      for (let length = 1; length < first.length; length += 7) {
        const value = first.subarray(0, length).toString('base64');
        await expect(p.decrypt(value, { t: '1' })).rejects.toThrow(DataMaskingDecryptValueError);
      }
    });
  });

  test('a message of format version 1 (no key commitment) is refused before any KMS call', async () => {
    const [k1] = kms().keys;
    const legacy = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
    const { result } = await legacy.encrypt(new KmsKeyringNode({ generatorKeyId: k1 }), SECRET, {
      encryptionContext: { t: '1' },
    });
    expect(result[0]).toBe(0x01);
    kms().reset();
    const error = await provider([k1])
      .decrypt(result.toString('base64'), { t: '1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect(kms().count('Decrypt')).toBe(0);
  });
});
