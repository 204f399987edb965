/**
 * Issue 9, items 14 and 16: the header is checked before any KMS call. A wrong tenant costs no KMS call
 * and its data key is never decrypted; a message may not carry more encrypted data keys than the provider
 * has keys (each one a possible KMS call).
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { AlgorithmSuiteIdentifier, type AWSEncryptionSDKProviderOptions } from '../../src/providers/kms.js';
import { everythingIn, provider, useKms } from './support.js';

const { kms } = useKms(10);
const SECRET = 'TOP-SECRET-4111111111111111';
const SIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** A message the SDK itself writes, with one encrypted data key per key given. */
const sdkMessage = async (keys: readonly string[], context: Record<string, string> = { t: '1' }) => {
  const keyring = new KmsKeyringNode({ generatorKeyId: keys[0], keyIds: keys.slice(1) });
  const { result } = await sdk.encrypt(keyring, SECRET, { encryptionContext: context });
  return result.toString('base64');
};

describe('the encryption context is checked from the header, before any KMS call', () => {
  const setups: [string, Partial<AWSEncryptionSDKProviderOptions>][] = [
    ['cached (default)', {}],
    ['cache: false', { cache: false }],
    ['signing suite', { algorithm: SIGNED }],
    ['signing suite, cache: false', { algorithm: SIGNED, cache: false }],
  ];
  const mismatches: [string, Record<string, string> | undefined, Record<string, string> | undefined][] = [
    ['another tenant', { tenant_id: 'acme' }, { tenant_id: 'evil' }],
    ['a missing key', { tenant_id: 'acme', region: 'eu' }, { tenant_id: 'acme' }],
    ['an extra key', { tenant_id: 'acme' }, { tenant_id: 'acme', role: 'admin' }],
    ['a context on the message only', { tenant_id: 'acme' }, undefined],
    ['a context on the caller only', undefined, { tenant_id: 'acme' }],
  ];

  describe.each(setups)('%s', (_, options) => {
    test.each(mismatches)(
      '%s → DataMaskingContextMismatchError with zero KMS Decrypt calls, cold or warm',
      async (__, written, expected) => {
        const [k1] = kms().keys;
        const writer = provider([k1], options);
        const ciphertext = await writer.encrypt(SECRET, written);
        // Warm the writer's cache with the right context first.
        await expect(writer.decrypt(ciphertext, written)).resolves.toBe(SECRET);
        kms().reset();
        for (const reader of [provider([k1], options), writer]) {
          const error = await reader.decrypt(ciphertext, expected).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
          const keys = (error as DataMaskingContextMismatchError).mismatchedKeys;
          // The message a caller matches on (the upstream text), unchanged by the earlier check.
          expect((error as Error).message).toBe(new DataMaskingContextMismatchError(keys).message);
          expect(everythingIn(error)).not.toContain(SECRET);
        }
        expect(kms().count('Decrypt')).toBe(0);
      },
    );
  });

  test('a context value of the right tenant passes and decrypts with one KMS call', async () => {
    const [k1] = kms().keys;
    const ciphertext = await provider([k1]).encrypt(SECRET, { tenant_id: 'acme' });
    kms().reset();
    await expect(provider([k1]).decrypt(ciphertext, { tenant_id: 'acme' })).resolves.toBe(SECRET);
    expect(kms().count('Decrypt')).toBe(1);
  });

  test('a request with 200 forged wrong-tenant ciphertexts makes no KMS call at all', async () => {
    const [k1] = kms().keys;
    const writer = provider([k1]);
    const cards = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        writer.encrypt(JSON.stringify(`card-${i}`), { tenant_id: `t${i}` }),
      ),
    );
    kms().reset();
    const masker = new DataMasking({ provider: provider([k1]) });
    const error = await masker
      .decrypt({ cards }, { fields: ['$.cards[*]'], context: { tenant_id: 'attacker' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('Powertools-style messages (the SDK defaults: signed suite) are checked before KMS too', async () => {
    const [k1] = kms().keys;
    const ciphertext = await sdkMessage([k1], { tenant_id: 'acme' });
    kms().reset();
    await expect(provider([k1]).decrypt(ciphertext, { tenant_id: 'evil' })).rejects.toThrow(
      DataMaskingContextMismatchError,
    );
    expect(kms().count('Decrypt')).toBe(0);
    await expect(provider([k1]).decrypt(ciphertext, { tenant_id: 'acme' })).resolves.toBe(SECRET);
    expect(kms().count('Decrypt')).toBe(1);
  });

  test('the context check comes before the key check: a wrong tenant under another key is a mismatch', async () => {
    const [k1, k2] = kms().keys;
    const ciphertext = await provider([k1]).encrypt(SECRET, { tenant_id: 'acme' });
    await expect(provider([k2]).decrypt(ciphertext, { tenant_id: 'evil' })).rejects.toThrow(
      DataMaskingContextMismatchError,
    );
  });
});

describe('maxEncryptedDataKeys: at most as many data keys as configured keys (a bound on KMS calls)', () => {
  test('a message with 10 data keys, against a provider with 1 key, is refused before any KMS call', async () => {
    const keys = kms().keys;
    expect(keys).toHaveLength(10);
    const ciphertext = await sdkMessage(keys);
    kms().reset();
    const error = await provider([keys[0]])
      .decrypt(ciphertext, { t: '1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect((error as Error).message).toMatch(/10 encrypted data keys, more than maxEncryptedDataKeys \(1\)/);
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('the option raises the bound', async () => {
    const keys = kms().keys;
    const ciphertext = await sdkMessage(keys);
    kms().reset();
    await expect(
      provider([keys[9]], { maxEncryptedDataKeys: 10 }).decrypt(ciphertext, { t: '1' }),
    ).resolves.toBe(SECRET);
    expect(kms().count('Decrypt')).toBe(1);
  });

  test('the default is the number of configured keys: 3 keys read 3 data keys, not 4', async () => {
    const keys = kms().keys;
    const three = await sdkMessage(keys.slice(0, 3));
    const four = await sdkMessage(keys.slice(0, 4));
    const reader = provider(keys.slice(0, 3));
    await expect(reader.decrypt(three, { t: '1' })).resolves.toBe(SECRET);
    kms().reset();
    await expect(reader.decrypt(four, { t: '1' })).rejects.toThrow(DataMaskingDecryptValueError);
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('ten data keys all naming the configured key cannot cause ten KMS calls', async () => {
    const [k1] = kms().keys;
    // The KMS keyring tries every data key that names a configured key until one decrypts: with the key
    // denied, each one is a KMS call.
    const ciphertext = await sdkMessage(Array.from({ length: 10 }, () => k1));
    kms().reset();
    kms().denyAccess(k1, 'Decrypt');
    await expect(
      provider([k1], { maxEncryptedDataKeys: 10 }).decrypt(ciphertext, { t: '1' }),
    ).rejects.toThrow(DataMaskingDecryptKeyError);
    expect(kms().count('Decrypt')).toBe(10);
    kms().reset();
    kms().denyAccess(k1, 'Decrypt');
    await expect(provider([k1]).decrypt(ciphertext, { t: '1' })).rejects.toThrow(
      DataMaskingDecryptValueError,
    );
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('a bound below the number of keys, or not a whole number, is refused at construction', () => {
    const keys = kms().keys.slice(0, 2);
    for (const maxEncryptedDataKeys of [1, 0, -1, 2.5, Number.NaN, '3' as unknown as number]) {
      expect(() => provider(keys, { maxEncryptedDataKeys })).toThrow(DataMaskingUnsupportedTypeError);
    }
    expect(() => provider(keys, { maxEncryptedDataKeys: 2 })).not.toThrow();
  });
});
