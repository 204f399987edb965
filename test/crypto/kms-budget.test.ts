/**
 * SPEC §4.7: one DataMasking call makes a bounded number of KMS calls (`maxKmsCallsPerRequest`, default
 * 32), so a request full of ciphertexts under distinct data keys cannot turn into hundreds of KMS calls.
 */
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingDecryptValueError } from '../../src/errors.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(1);
const context = { tenant_id: 'acme' };

/** `n` ciphertexts of `value`, each under a data key of its own (a fresh provider each, so no shared cache). */
async function distinctCiphertexts(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      (await new DataMasking({ provider: provider(kms().keys) }).encrypt(`card ${i}`, { context })) as string,
    );
  }
  return out;
}

test('over the limit: refused as bad input, with no more KMS calls than the limit', async () => {
  const cards = await distinctCiphertexts(6);
  kms().reset();
  const masker = new DataMasking({ provider: provider(kms().keys, { maxKmsCallsPerRequest: 3 }) });
  await expect(masker.decrypt({ cards }, { fields: ['$.cards[*]'], context })).rejects.toThrow(
    DataMaskingDecryptValueError,
  );
  expect(kms().count('Decrypt')).toBeLessThanOrEqual(3);
});

test('the default limit holds for 40 distinct data keys in one request', async () => {
  const cards = await distinctCiphertexts(40);
  kms().reset();
  const masker = new DataMasking({ provider: provider(kms().keys) });
  await expect(masker.decrypt({ cards }, { fields: ['$.cards[*]'], context })).rejects.toThrow(
    /maxKmsCallsPerRequest/,
  );
  expect(kms().count('Decrypt')).toBeLessThanOrEqual(32);
});

test('within the limit: decrypts, and each DataMasking call has its own budget', async () => {
  const cards = await distinctCiphertexts(3);
  kms().reset();
  const masker = new DataMasking({
    provider: provider(kms().keys, { maxKmsCallsPerRequest: 3, cache: false }),
  });
  for (let round = 0; round < 3; round++) {
    await expect(masker.decrypt({ cards }, { fields: ['$.cards[*]'], context })).resolves.toEqual({
      cards: ['card 0', 'card 1', 'card 2'],
    });
  }
  expect(kms().count('Decrypt')).toBe(9);
});

test('one data key for many fields costs one call, well within the limit', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys, { maxKmsCallsPerRequest: 1 }) });
  const doc = { a: '1', b: '2', c: '3', d: '4' };
  const encrypted = await masker.encrypt(doc, { fields: ['$.*'], context });
  const reader = new DataMasking({ provider: provider(kms().keys, { maxKmsCallsPerRequest: 1 }) });
  kms().reset();
  await expect(reader.decrypt(encrypted, { fields: ['$.*'], context })).resolves.toEqual(doc);
  expect(kms().count('Decrypt')).toBe(1);
});

test('the limit must be a whole number of at least 1', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    expect(() => provider(kms().keys, { maxKmsCallsPerRequest: bad })).toThrow(/maxKmsCallsPerRequest/);
  }
});
