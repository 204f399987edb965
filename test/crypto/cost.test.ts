/**
 * Issue 9, items 13 and 14 (§4.7 "Work is linear", "a bounded number of KMS calls"): inputs that used to
 * cost seconds (a 160 KB body of 32k `"[]"` strings; a 20 KB body nested 1,000 deep under `$..card`) finish
 * well under 2 s through `DataMasking` directly, and a request full of forged ciphertexts stops at the first
 * failure: a handful of KMS Decrypt calls at most, none when the context does not match or the bytes are not
 * a message.
 */
import { randomBytes } from 'node:crypto';
import { FIELD_CONCURRENCY } from '../../src/crypto/field-crypto.js';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
} from '../../src/errors.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(1);
const ctx = { tenant_id: 'acme' };
const BOUND_MS = 2000;
const EMAIL = 'jane@example.com';

const timed = async <T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> => {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
};

/** `{"card":{"card":…{"card":"leaf"}…}}` with some padding per level: ~20 bytes a level. */
function cardChain(depth: number, leaf: unknown = 'x'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { card: value, p: 'padding' };
  return value;
}
/** `{"a":{"a":…{"card":leaf}…}}`: one card at the bottom of a deep chain. */
function deepCard(depth: number, leaf: unknown): unknown {
  let value: unknown = { card: leaf };
  for (let i = 1; i < depth; i++) value = { a: value, p: 'padding' };
  return value;
}

describe('opening JSON strings is linear (item 13)', () => {
  const body = JSON.stringify({ x: EMAIL, items: Array.from({ length: 32_000 }, () => '[]') });

  test('a 160 KB body of 32k "[]" strings under $..x', async () => {
    expect(body.length).toBeGreaterThan(150_000);
    const m = new DataMasking();
    const { ms, value } = await timed(() =>
      m.erase({ statusCode: 200, headers: {}, body }, { fields: ['$..x'] }),
    );
    expect(JSON.parse(value.body as string).x).toBe('*****');
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test('the same body with detectors (every string opened)', async () => {
    const m = new DataMasking();
    const { ms, value } = await timed(() =>
      m.erase({ statusCode: 200, headers: {}, body }, { detectors: ['email'] }),
    );
    expect(value.body as string).not.toContain(EMAIL);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test('32k JSON strings each holding "[]" strings, JSON inside JSON', async () => {
    const nested = JSON.stringify({
      x: EMAIL,
      items: Array.from({ length: 8_000 }, () => JSON.stringify(['[]', '{}'])),
    });
    const m = new DataMasking();
    const { ms, value } = await timed(() => m.erase({ body: nested }, { fields: ['$..x'] }));
    expect(JSON.parse(value.body as string).x).toBe('*****');
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test('encrypt over the 160 KB body (selection and opening) under $..x', async () => {
    const m = new DataMasking({ provider: provider(kms().keys) });
    const { ms } = await timed(() => m.encrypt({ body }, { fields: ['$..x'], context: ctx }));
    expect(ms).toBeLessThan(BOUND_MS);
  });
});

describe('target selection is linear in depth (item 13)', () => {
  test('a 20 KB body nested 1,000 deep: encrypt and decrypt under $..card (card inside card)', async () => {
    const m = new DataMasking({ provider: provider(kms().keys) });
    const doc = cardChain(995);
    const text = JSON.stringify(doc);
    expect(text.length).toBeGreaterThan(20_000);
    const enc = await timed(() => m.encrypt({ body: text }, { fields: ['$..card'], context: ctx }));
    expect(enc.ms).toBeLessThan(BOUND_MS);
    const dec = await timed(() => m.decrypt(enc.value, { fields: ['$..card'], context: ctx }));
    expect(dec.ms).toBeLessThan(BOUND_MS);
    expect((dec.value as { body: string }).body).toBe(text);
  });

  test('an object (not a string) nested 1,000 deep: encrypt and decrypt under $..card', async () => {
    const m = new DataMasking({ provider: provider(kms().keys) });
    const doc = cardChain(1000);
    const enc = await timed(() => m.encrypt(doc, { fields: ['$..card'], context: ctx }));
    expect(enc.ms).toBeLessThan(BOUND_MS);
    const dec = await timed(() => m.decrypt(enc.value, { fields: ['$..card'], context: ctx }));
    expect(dec.ms).toBeLessThan(BOUND_MS);
    expect(dec.value).toEqual(doc);
  });

  test('a 20 KB body exactly 1,000 levels deep (the documented walk limit) is accepted, not refused', async () => {
    const m = new DataMasking({ provider: provider(kms().keys) });
    const text = JSON.stringify(cardChain(1000));
    const enc = await timed(() => m.encrypt({ body: text }, { fields: ['$..card'], context: ctx }));
    expect(enc.ms).toBeLessThan(BOUND_MS);
  });

  test('one ciphertext at the bottom of a 1,000-deep chain: decrypt selects it quickly', async () => {
    const m = new DataMasking({ provider: provider(kms().keys) });
    const ct = await m.encrypt(EMAIL, { context: ctx });
    const doc = deepCard(990, ct);
    const { ms, value } = await timed(() => m.decrypt(doc, { fields: ['$..card'], context: ctx }));
    expect(ms).toBeLessThan(BOUND_MS);
    expect(JSON.stringify(value)).toContain(EMAIL);
    const text = JSON.stringify(doc);
    expect(text.length).toBeGreaterThan(20_000);
    const inBody = await timed(() => m.decrypt({ body: text }, { fields: ['$..card'], context: ctx }));
    expect(inBody.ms).toBeLessThan(BOUND_MS);
    expect((inBody.value as { body: string }).body).toContain(EMAIL);
  });
});

describe('500 forged ciphertexts in one decrypt call (item 14)', () => {
  const N = 500;

  test('from another tenant context: context mismatch, 0 KMS calls', async () => {
    const writer = new DataMasking({ provider: provider(kms().keys) });
    const other = { tenant_id: 'mallory' };
    const cards = await Promise.all(
      Array.from({ length: N }, (_, i) => writer.encrypt(`card-${i}`, { context: other })),
    );
    expect(new Set(cards).size).toBe(N);
    kms().reset();
    const reader = new DataMasking({ provider: provider(kms().keys) });
    await expect(reader.decrypt({ cards }, { fields: ['$.cards[*]'], context: ctx })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('random bytes, base64: refused, 0 KMS calls', async () => {
    const cards = Array.from({ length: N }, () =>
      randomBytes(200 + Math.floor(Math.random() * 300)).toString('base64'),
    );
    const reader = new DataMasking({ provider: provider(kms().keys) });
    await expect(reader.decrypt({ cards }, { fields: ['$.cards[*]'], context: ctx })).rejects.toBeInstanceOf(
      DataMaskingDecryptValueError,
    );
    expect(kms().count('Decrypt')).toBe(0);
  });

  test('a real header with random bytes after it (the right context): stops at the first failure', async () => {
    const writer = new DataMasking({ provider: provider(kms().keys, { cache: false }) });
    const real = await Promise.all(
      Array.from({ length: N }, (_, i) => writer.encrypt(`card-${i}`, { context: ctx }) as Promise<string>),
    );
    const cards = real.map((ct) => {
      const bytes = Buffer.from(ct, 'base64');
      // Keep the header (context, data key) and replace everything after its first half with noise.
      const keep = Math.floor(bytes.length / 2);
      return Buffer.concat([bytes.subarray(0, keep), randomBytes(bytes.length - keep)]).toString('base64');
    });
    kms().reset();
    const reader = new DataMasking({ provider: provider(kms().keys) });
    await expect(reader.decrypt({ cards }, { fields: ['$.cards[*]'], context: ctx })).rejects.toBeInstanceOf(
      DataMaskingEncryptionError,
    );
    expect(kms().count('Decrypt')).toBeLessThanOrEqual(FIELD_CONCURRENCY);
    expect(FIELD_CONCURRENCY).toBeLessThanOrEqual(16);
  });

  test('500 genuine messages whose key KMS refuses: at most FIELD_CONCURRENCY (16) Decrypt calls, never 500', async () => {
    const writer = new DataMasking({ provider: provider(kms().keys, { cache: false }) });
    const cards = await Promise.all(
      Array.from({ length: N }, (_, i) => writer.encrypt(`card-${i}`, { context: ctx }) as Promise<string>),
    );
    kms().reset();
    kms().denyAccess(kms().keys[0], 'Decrypt');
    const reader = new DataMasking({ provider: provider(kms().keys) });
    const { ms } = await timed(async () => {
      await expect(
        reader.decrypt({ cards }, { fields: ['$.cards[*]'], context: ctx }),
      ).rejects.toBeInstanceOf(DataMaskingDecryptKeyError);
    });
    expect(kms().count('Decrypt')).toBeGreaterThan(0);
    expect(kms().count('Decrypt')).toBeLessThanOrEqual(FIELD_CONCURRENCY);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test('500 genuine messages each with its own data key: the per-request KMS cap refuses before 500 calls', async () => {
    const writer = new DataMasking({ provider: provider(kms().keys, { cache: false }) });
    const cards = await Promise.all(
      Array.from({ length: N }, (_, i) => writer.encrypt(`card-${i}`, { context: ctx }) as Promise<string>),
    );
    kms().reset();
    const reader = new DataMasking({ provider: provider(kms().keys) });
    let outcome: unknown;
    try {
      outcome = await reader.decrypt({ cards }, { fields: ['$.cards[*]'], context: ctx });
    } catch (error) {
      outcome = error;
    }
    expect(outcome).toBeInstanceOf(DataMaskingDecryptValueError);
    expect(kms().count('Decrypt')).toBeLessThanOrEqual(32 + FIELD_CONCURRENCY);
  });

  test('with a context mismatch on the first of 500 otherwise valid ones: 0 KMS calls', async () => {
    const writer = new DataMasking({ provider: provider(kms().keys, { cache: false }) });
    const good = await Promise.all(
      Array.from({ length: 20 }, (_, i) => writer.encrypt(`card-${i}`, { context: ctx }) as Promise<string>),
    );
    const bad = await writer.encrypt('forged', { context: { tenant_id: 'mallory' } });
    const cards = [bad, ...Array.from({ length: N - 1 }, (_, i) => good[i % good.length])];
    kms().reset();
    const reader = new DataMasking({ provider: provider(kms().keys) });
    await expect(reader.decrypt({ cards }, { fields: ['$.cards[*]'], context: ctx })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
    expect(kms().count('Decrypt')).toBeLessThanOrEqual(FIELD_CONCURRENCY - 1);
  });
});
