import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
  DataMaskingFieldNotFoundError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { deepFreeze } from '../support/deep-freeze.js';
import { everythingIn, provider, useKms } from './support.js';

const { kms } = useKms(2);
const masker = () => new DataMasking({ provider: provider(kms().keys.slice(0, 1)) });
const ctx = { tenant_id: 'acme' };
const runs = { numRuns: Number(process.env.FC_RUNS ?? 60) };

const order = () => ({
  id: 'ord-1',
  card: '4111 1111 1111 1111',
  customer: { email: 'jane@example.com', tags: ['vip', 'eu'], age: 41, active: true, note: null },
  lines: [
    { sku: 'a', price: 9.5 },
    { sku: 'b', price: 1e21 },
  ],
  unicode: 'naïve café — 東京 😀',
});

describe('DataMasking.encrypt / decrypt', () => {
  test('without fields: the whole payload becomes one ciphertext string and comes back equal', async () => {
    const m = masker();
    for (const value of [order(), 'text', 42, -0.5, true, false, null, [], {}, ['a', 1, null], 'naïve 😀']) {
      const encrypted = await m.encrypt(value, { context: ctx });
      expect(typeof encrypted).toBe('string');
      await expect(m.decrypt(encrypted, { context: ctx })).resolves.toEqual(value);
    }
  });

  test('with fields: each selected value of every JSON type is replaced by its ciphertext, and restored', async () => {
    const m = masker();
    const data = deepFreeze(order());
    const fields = ['card', 'customer.*', 'lines[*].price', 'unicode'];
    const encrypted = (await m.encrypt(data, { fields, context: ctx })) as ReturnType<typeof order>;
    expect(encrypted.id).toBe('ord-1');
    expect(encrypted.card).not.toBe(data.card);
    for (const value of [
      encrypted.card,
      ...Object.values(encrypted.customer),
      ...encrypted.lines.map((l) => l.price),
    ]) {
      expect(typeof value).toBe('string');
      expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
    expect(JSON.stringify(encrypted)).not.toContain('4111');
    expect(JSON.stringify(encrypted)).not.toContain('jane@');
    await expect(m.decrypt(encrypted, { fields, context: ctx })).resolves.toEqual(order());
    expect(data).toEqual(order());
  });

  test('a JSON string in gives a JSON string out', async () => {
    const m = masker();
    const encrypted = (await m.encrypt(JSON.stringify(order()), {
      fields: ['card'],
      context: ctx,
    })) as string;
    expect(typeof encrypted).toBe('string');
    expect(JSON.parse(encrypted).card).not.toBe('4111 1111 1111 1111');
    const decrypted = await m.decrypt<string>(encrypted, { fields: ['card'], context: ctx });
    expect(JSON.parse(decrypted)).toEqual(order());
  });

  test('20 concurrent field encrypts on a cold cache: 1 GenerateDataKey; decrypting them with a fresh instance: 1 Decrypt', async () => {
    const record = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, `secret-${i}`]));
    const fields = Object.keys(record);
    const encrypted = await masker().encrypt(record, { fields, context: ctx });
    expect(kms().count('GenerateDataKey')).toBe(1);
    const decrypted = await masker().decrypt(encrypted, { fields, context: ctx });
    expect(decrypted).toEqual(record);
    expect(kms().count('Decrypt')).toBe(1);
  });

  test('concurrent encrypts under different contexts each get their own data key', async () => {
    const m = masker();
    await Promise.all([
      m.encrypt({ a: 1, b: 2 }, { fields: ['a', 'b'], context: { tenant_id: 'a' } }),
      m.encrypt({ a: 1, b: 2 }, { fields: ['a', 'b'], context: { tenant_id: 'b' } }),
      m.encrypt({ a: 1, b: 2 }, { fields: ['a', 'b'], context: { tenant_id: 'a' } }),
    ]);
    expect(kms().count('GenerateDataKey')).toBe(2);
  });

  test('with caching off, each message makes its own data key', async () => {
    const m = new DataMasking({ provider: provider(kms().keys.slice(0, 1), { cache: false }) });
    await m.encrypt({ a: 1, b: 2, c: 3 }, { fields: ['a', 'b', 'c'] });
    expect(kms().count('GenerateDataKey')).toBe(3);
  });

  test('plaintext in a decrypt field is refused, before any KMS call — it cannot skip the context check', async () => {
    const m = masker();
    for (const value of ['plain text', '', 42, null, { nested: 'x' }, ['a'], true]) {
      const error = await m
        .decrypt({ card: value }, { fields: ['card'], context: ctx })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    }
    await expect(m.decrypt({ card: 1 }, { context: ctx })).rejects.toThrow(DataMaskingDecryptValueError);
    expect(kms().count('Decrypt')).toBe(0);
  });

  test("tenant A's ciphertext decrypted as tenant B: mismatch, and no plaintext anywhere", async () => {
    const m = masker();
    const encrypted = await m.encrypt(order(), { fields: ['card'], context: { tenant_id: 'A' } });
    const error = await m
      .decrypt(encrypted, { fields: ['card'], context: { tenant_id: 'B' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(everythingIn(error)).not.toContain('4111');
  });

  test('missing fields throw before any KMS call, or are skipped', async () => {
    await expect(masker().encrypt({ a: 1 }, { fields: ['a', 'nope'], context: ctx })).rejects.toThrow(
      DataMaskingFieldNotFoundError,
    );
    expect(kms().count('GenerateDataKey')).toBe(0);
    const lenient = new DataMasking({
      provider: provider(kms().keys.slice(0, 1)),
      throwOnMissingField: false,
    });
    const out = (await lenient.encrypt({ a: 1 }, { fields: ['a', 'nope'] })) as { a: unknown };
    expect(typeof out.a).toBe('string');
  });

  test('an ancestor and its descendant selected: the ancestor is encrypted whole, once', async () => {
    const m = masker();
    const encrypted = (await m.encrypt({ a: { b: 1 } }, { fields: ['a.b', 'a', 'a'], context: ctx })) as {
      a: unknown;
    };
    expect(typeof encrypted.a).toBe('string');
    await expect(m.decrypt(encrypted, { fields: ['a'], context: ctx })).resolves.toEqual({ a: { b: 1 } });
  });

  test('bad input: non-string context values, values JSON cannot hold, no provider', async () => {
    await expect(masker().encrypt({ a: 1 }, { fields: ['a'], context: { n: 1 } as never })).rejects.toThrow(
      DataMaskingUnsupportedTypeError,
    );
    await expect(masker().encrypt({ a: 10n }, { fields: ['a'] })).rejects.toThrow(
      DataMaskingUnsupportedTypeError,
    );
    await expect(masker().encrypt({ a: () => 1 }, { fields: ['a'] })).rejects.toThrow(
      DataMaskingUnsupportedTypeError,
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(masker().encrypt({ a: cyclic }, { fields: ['a'] })).rejects.toThrow(
      DataMaskingUnsupportedTypeError,
    );
    expect(kms().count('GenerateDataKey')).toBe(0);
    await expect(new DataMasking().encrypt({ a: 1 })).rejects.toThrow(DataMaskingEncryptionError);
    await expect(new DataMasking().decrypt('x')).rejects.toThrow(DataMaskingEncryptionError);
  });

  describe('properties', () => {
    test('decrypt(encrypt(x, ctx), ctx) deep-equals x', async () => {
      const m = masker();
      await fc.assert(
        fc.asyncProperty(
          fc.jsonValue(),
          fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string(), { maxKeys: 3 }),
          async (value, context) => {
            fc.pre(!Object.keys(context).some((k) => k.startsWith('aws-crypto-')));
            const normal = JSON.parse(JSON.stringify(value));
            const encrypted = await m.encrypt(value, { context });
            expect(await m.decrypt(encrypted, { context })).toEqual(normal);
            const record = { field: value, keep: 1 };
            const fielded = await m.encrypt(record, { fields: ['field'], context });
            expect(await m.decrypt(fielded, { fields: ['field'], context })).toEqual({
              field: normal,
              keep: 1,
            });
          },
        ),
        runs,
      );
    });

    test('a context mismatch never returns plaintext', async () => {
      const m = masker();
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1 }),
          fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), {
            maxKeys: 3,
          }),
          fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), {
            maxKeys: 3,
          }),
          async (secret, written, expected) => {
            fc.pre(
              JSON.stringify(Object.entries(written).sort()) !==
                JSON.stringify(Object.entries(expected).sort()),
            );
            fc.pre(
              ![...Object.keys(written), ...Object.keys(expected)].some((k) => k.startsWith('aws-crypto-')),
            );
            const encrypted = await m.encrypt({ s: `«${secret}»` }, { fields: ['s'], context: written });
            const error = await m
              .decrypt(encrypted, { fields: ['s'], context: expected })
              .catch((e: unknown) => e);
            expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
            expect(everythingIn(error)).not.toContain(`«${secret}»`);
          },
        ),
        runs,
      );
    });

    test('random bytes and bit flips give only typed errors, never plaintext, never a hang', async () => {
      const m = masker();
      const secret = 'PLAINTEXT-MARKER-1234';
      const good = Buffer.from((await m.encrypt(secret, { context: ctx })) as string, 'base64');
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
            fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
              const copy = Buffer.from(good);
              copy[at] ^= mask;
              return copy;
            }),
            fc.nat({ max: good.length - 1 }).map((end) => good.subarray(0, end)),
          ),
          async (bytes) => {
            const outcome = await m.decrypt(bytes.toString('base64'), { context: ctx }).then(
              (value) => ({ value }),
              (error: unknown) => ({ error }),
            );
            expect('error' in outcome).toBe(true);
            const error = (outcome as { error: unknown }).error;
            expect(error).toBeInstanceOf(DataMaskingEncryptionError);
            expect(everythingIn(error)).not.toContain(secret);
          },
        ),
        { numRuns: Number(process.env.FC_RUNS ?? 150) },
      );
    });
  });
});
