/**
 * Issue 9, item 12 (SPEC §4.6): the provider's options and its per-call `providerOptions` refuse unknown
 * keys; `providerOptions.algorithm` really picks the suite of that message, and is checked on decrypt.
 */
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingDecryptValueError, DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { AlgorithmSuiteIdentifier, AWSEncryptionSDKProvider } from '../../src/providers/kms.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(1);
const SECRET = 'TOP-SECRET-4111111111111111';
const UNSIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const SIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

/** The suite id of a version 2 message: its second and third bytes. */
const suiteOf = (ciphertext: string) => Buffer.from(ciphertext, 'base64').readUInt16BE(1);

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('constructor options', () => {
  test.each([
    ['maxEncrytedDataKeys', { maxEncrytedDataKeys: 1 }],
    ['cacheCapacity', { cacheCapacity: 10 }],
    ['keyIds', { keyIds: [] }],
    ['algorithmSuite', { algorithmSuite: SIGNED }],
    ['chache', { chache: undefined }],
  ])('an unknown key (%s) is refused, naming it', (name, extra) => {
    const error = thrown(() => new AWSEncryptionSDKProvider({ keys: kms().keys, ...extra } as never));
    expect(error).toBeInstanceOf(DataMaskingUnsupportedTypeError);
    expect((error as Error).message).toContain(JSON.stringify(name));
  });

  test('every documented key is accepted', () => {
    expect(
      () =>
        new AWSEncryptionSDKProvider({
          keys: kms().keys,
          localCacheCapacity: 10,
          maxCacheAgeSeconds: 60,
          maxMessagesEncrypted: 1000,
          maxBytesEncrypted: 1_000_000,
          algorithm: SIGNED,
          clientProvider: () => undefined,
          cache: true,
          maxEncryptedDataKeys: 3,
        }),
    ).not.toThrow();
  });

  test.each([
    [
      'a non-committing suite',
      { algorithm: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 },
    ],
    ['an unknown suite', { algorithm: 0x1234 }],
    ['a suite name instead of its id', { algorithm: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY' }],
    ['cache: "false"', { cache: 'false' }],
    ['a clientProvider that is not a function', { clientProvider: {} }],
    ['options that are not an object', null],
  ])('%s is refused', (_, extra) => {
    const options = extra === null ? null : { keys: kms().keys, ...extra };
    expect(() => new AWSEncryptionSDKProvider(options as never)).toThrow(DataMaskingUnsupportedTypeError);
  });
});

describe('providerOptions.algorithm picks the suite of one encrypt', () => {
  test('the default suite is 0x0478', async () => {
    expect(suiteOf(await provider(kms().keys).encrypt(SECRET))).toBe(0x0478);
  });

  test('{ algorithm: 0x0578 } on a 0x0478 provider writes a 0x0578 message, and back', async () => {
    const p = provider(kms().keys);
    const signed = await p.encrypt(SECRET, { t: '1' }, { algorithm: SIGNED });
    expect(suiteOf(signed)).toBe(0x0578);
    await expect(p.decrypt(signed, { t: '1' })).resolves.toBe(SECRET);
    const q = provider(kms().keys, { algorithm: SIGNED });
    expect(suiteOf(await q.encrypt(SECRET))).toBe(0x0578);
    expect(suiteOf(await q.encrypt(SECRET, undefined, { algorithm: UNSIGNED }))).toBe(0x0478);
  });

  test('through DataMasking, as Powertools Python users write it', async () => {
    const masker = new DataMasking({ provider: provider(kms().keys) });
    const encrypted = (await masker.encrypt(
      { card: SECRET },
      { fields: ['card'], context: { t: '1' }, providerOptions: { algorithm: SIGNED } },
    )) as { card: string };
    expect(suiteOf(encrypted.card)).toBe(0x0578);
    await expect(masker.decrypt(encrypted, { fields: ['card'], context: { t: '1' } })).resolves.toEqual({
      card: SECRET,
    });
  });

  test('each call keeps its own suite: concurrent calls do not mix', async () => {
    const p = provider(kms().keys);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        p.encrypt(SECRET, { t: '1' }, { algorithm: i % 2 ? SIGNED : UNSIGNED }),
      ),
    );
    expect(results.map(suiteOf)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 ? 0x0578 : 0x0478)));
  });
});

describe('providerOptions.algorithm on decrypt: the suite the message must use', () => {
  test('the same suite decrypts; another is refused before any KMS call', async () => {
    const p = provider(kms().keys);
    const unsigned = await p.encrypt(SECRET, { t: '1' });
    const signed = await p.encrypt(SECRET, { t: '1' }, { algorithm: SIGNED });
    kms().reset();
    await expect(p.decrypt(unsigned, { t: '1' }, { algorithm: UNSIGNED })).resolves.toBe(SECRET);
    await expect(provider(kms().keys).decrypt(signed, { t: '1' }, { algorithm: SIGNED })).resolves.toBe(
      SECRET,
    );
    kms().reset();
    const error = await provider(kms().keys)
      .decrypt(unsigned, { t: '1' }, { algorithm: SIGNED })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect((error as Error).message).toBe('the message uses algorithm suite 0x0478, not the required 0x0578');
    await expect(provider(kms().keys).decrypt(signed, { t: '1' }, { algorithm: UNSIGNED })).rejects.toThrow(
      DataMaskingDecryptValueError,
    );
    expect(kms().count('Decrypt')).toBe(0);
  });
});

describe('any other providerOptions key is refused, naming it, before any KMS call', () => {
  test.each([
    ['encrypt', { algorithim: SIGNED }, 'algorithim'],
    ['encrypt', { encryptionContext: { tenant_id: 'acme' } }, 'encryptionContext'],
    ['decrypt', { contxt: { tenant_id: 'acme' } }, 'contxt'],
    ['decrypt', { maxEncryptedDataKeys: 100 }, 'maxEncryptedDataKeys'],
  ] as const)('%s with %j', async (operation, options, name) => {
    const p = provider(kms().keys);
    const ciphertext = await p.encrypt(SECRET, { t: '1' });
    kms().reset();
    const call =
      operation === 'encrypt'
        ? provider(kms().keys).encrypt(SECRET, { t: '1' }, options as never)
        : provider(kms().keys).decrypt(ciphertext, { t: '1' }, options as never);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingUnsupportedTypeError);
    expect((error as Error).message).toContain(JSON.stringify(name));
    expect(kms().count('GenerateDataKey') + kms().count('Decrypt')).toBe(0);
  });

  test('a non-committing algorithm per call is refused', async () => {
    await expect(
      provider(kms().keys).encrypt(SECRET, undefined, {
        algorithm: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256,
      }),
    ).rejects.toThrow(DataMaskingUnsupportedTypeError);
    expect(kms().count('GenerateDataKey')).toBe(0);
  });

  test('providerOptions that are not an object are refused', async () => {
    await expect(provider(kms().keys).encrypt(SECRET, undefined, 'fast' as never)).rejects.toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });

  test('the call arity stays (data, context?, options?)', () => {
    const p = provider(kms().keys);
    expect(p.encrypt.length).toBe(3);
    expect(p.decrypt.length).toBe(3);
  });
});
