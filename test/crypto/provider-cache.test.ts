/**
 * Issue 9, item 21: the data-key cache belongs to the provider instance, `createKmsMock().reset()` does
 * not reach into providers, and `clearCache()` gives a cold cache.
 */
import { DataMaskingDecryptKeyError, DataMaskingEncryptKeyError } from '../../src/errors.js';
import { AlgorithmSuiteIdentifier } from '../../src/providers/kms.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(2);
const SECRET = 'TOP-SECRET-4111111111111111';
const SIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

describe.each([
  ['unsigned suite (decrypt cache of our own)', undefined],
  ['signing suite (the SDK cache)', SIGNED],
])('%s', (_, algorithm) => {
  const options = algorithm === undefined ? {} : { algorithm };

  test('after reset() and disableKey, a warm provider still decrypts from its cache, a new one fails', async () => {
    const [k1] = kms().keys;
    const warm = provider([k1], options);
    const ciphertext = await warm.encrypt(SECRET, { t: '1' });
    await expect(warm.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
    kms().reset();
    kms().disableKey(k1);
    // reset() resets the double, not the providers: the warm one answers without KMS (documented).
    await expect(warm.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
    expect(kms().count('Decrypt')).toBe(0);
    // Caches are per instance: a new provider is cold, asks KMS, and sees the disabled key.
    await expect(provider([k1], options).decrypt(ciphertext, { t: '1' })).rejects.toThrow(
      DataMaskingDecryptKeyError,
    );
    expect(kms().count('Decrypt')).toBe(1);
  });

  test('clearCache() makes the warm provider ask KMS again, for decrypt and for encrypt', async () => {
    const [k1] = kms().keys;
    const p = provider([k1], options);
    const ciphertext = await p.encrypt(SECRET, { t: '1' });
    await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
    kms().reset();
    kms().disableKey(k1);
    await expect(p.encrypt(SECRET, { t: '1' })).resolves.toEqual(expect.any(String)); // cached data key
    expect(kms().count('GenerateDataKey')).toBe(0);
    p.clearCache();
    await expect(p.decrypt(ciphertext, { t: '1' })).rejects.toThrow(DataMaskingDecryptKeyError);
    await expect(p.encrypt(SECRET, { t: '1' })).rejects.toThrow(DataMaskingEncryptKeyError);
    expect(kms().count('Decrypt')).toBe(1);
    expect(kms().count('GenerateDataKey')).toBe(1);
  });

  test('after clearCache() the provider works as before and caches again', async () => {
    const [k1] = kms().keys;
    const p = provider([k1], options);
    const ciphertext = await p.encrypt(SECRET, { t: '1' });
    p.clearCache();
    kms().reset();
    for (let i = 0; i < 3; i++) await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
    expect(kms().count('Decrypt')).toBe(1);
  });
});

test('two providers never share a cache', async () => {
  const [k1] = kms().keys;
  const a = provider([k1]);
  const b = provider([k1]);
  const ciphertext = await a.encrypt(SECRET, { t: '1' });
  await a.decrypt(ciphertext, { t: '1' });
  kms().reset();
  await b.decrypt(ciphertext, { t: '1' });
  expect(kms().count('Decrypt')).toBe(1);
  await b.encrypt(SECRET, { t: '1' });
  expect(kms().count('GenerateDataKey')).toBe(1);
  // Clearing one leaves the other warm.
  b.clearCache();
  kms().reset();
  await a.decrypt(ciphertext, { t: '1' });
  await a.encrypt(SECRET, { t: '1' });
  expect(kms().count('Decrypt') + kms().count('GenerateDataKey')).toBe(0);
});

test('clearCache() on a provider without cache is harmless', async () => {
  const [k1] = kms().keys;
  const p = provider([k1], { cache: false });
  const ciphertext = await p.encrypt(SECRET, { t: '1' });
  p.clearCache();
  await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
});
