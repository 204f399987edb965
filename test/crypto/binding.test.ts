/**
 * Field and record binding (SPEC §12): ciphertexts swapped between fields, records and tenants are refused
 * with `bind`, and accepted without it (the documented default, as in Powertools).
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import fc from 'fast-check';
import { PATH_CONTEXT_KEY } from '../../src/crypto/binding.js';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingInvalidSelectorError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { everythingIn, provider, useKms } from './support.js';

const { kms } = useKms(1);
const ACME = { tenant_id: 'acme' };
const masker = () => new DataMasking({ provider: provider(kms().keys) });

const customer = (id: string, ssn: string) => ({
  id,
  ssn,
  nickname: 'jd',
  cards: [{ number: `4111-${ssn}` }, { number: `5500-${ssn}` }],
});

type Doc = ReturnType<typeof customer>;

describe('bind: { path: true }', () => {
  const bind = { path: true };
  const fields = ['ssn', 'nickname', 'cards[*].number'];

  test('round trip; the path joins the context under a namespaced key', async () => {
    const m = masker();
    const doc = customer('c-1', '123-45-6789');
    const sealed = await m.encrypt(doc, { fields, context: ACME, bind });
    expect(sealed.ssn).not.toContain('6789');
    await expect(m.decrypt(sealed, { fields, context: ACME, bind })).resolves.toEqual(doc);
    // Each field's context, as the Encryption SDK itself reads it from the message.
    const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: kms().keys[0] });
    const { messageHeader } = await sdk.decrypt(keyring, Buffer.from(sealed.ssn, 'base64'));
    expect(messageHeader.encryptionContext).toEqual({ ...ACME, [PATH_CONTEXT_KEY]: "$['ssn']" });
    const card = await sdk.decrypt(keyring, Buffer.from(sealed.cards[1].number, 'base64'));
    expect(card.messageHeader.encryptionContext[PATH_CONTEXT_KEY]).toBe("$['cards'][*]['number']");
    // Interop: the Encryption SDK decrypts a bound field given the same context (the plaintext is its JSON).
    expect(JSON.parse(card.plaintext.toString('utf8'))).toBe('5500-123-45-6789');
  });

  test('a ciphertext moved to another field is refused from the header, before any KMS call', async () => {
    const m = masker();
    const sealed = await m.encrypt(customer('c-1', '123-45-6789'), { fields, context: ACME, bind });
    const fresh = new DataMasking({ provider: provider(kms().keys) }); // a cold cache: any KMS call would show
    kms().reset();
    const swapped = { ...sealed, nickname: sealed.ssn };
    const error = await fresh.decrypt(swapped, { fields, context: ACME, bind }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect((error as DataMaskingContextMismatchError).statusCode).toBe(403);
    expect(kms().count('Decrypt')).toBe(0);
    expect(everythingIn(error)).not.toContain('123-45-6789');
  });

  test('without bind, the same swap decrypts (the documented default)', async () => {
    const m = masker();
    const sealed = await m.encrypt(customer('c-1', '123-45-6789'), { fields, context: ACME });
    const swapped = { ...sealed, nickname: sealed.ssn };
    const out = (await m.decrypt(swapped, { fields, context: ACME })) as Doc;
    expect(out.nickname).toBe('123-45-6789');
  });

  test('array elements share a bound path: a swap within an array decrypts (record binding stops it)', async () => {
    const m = masker();
    const sealed = await m.encrypt(customer('c-1', '1'), { fields, context: ACME, bind });
    const reversed = { ...sealed, cards: [...sealed.cards].reverse() };
    const out = (await m.decrypt(reversed, { fields, context: ACME, bind })) as Doc;
    expect(out.cards.map((c) => c.number)).toEqual(['5500-1', '4111-1']);
    const recordBound = await m.encrypt(customer('c-1', '1'), {
      fields,
      context: ACME,
      bind: { path: true, record: '$.id' },
    });
    const reversedBound = { ...recordBound, cards: [...recordBound.cards].reverse() };
    await expect(
      m.decrypt(reversedBound, { fields, context: ACME, bind: { path: true, record: '$.id' } }),
    ).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
  });

  test('a ciphertext of another tenant is refused, bound or not', async () => {
    const m = masker();
    const globex = await m.encrypt(customer('c-1', '9'), { fields, context: { tenant_id: 'globex' }, bind });
    await expect(m.decrypt(globex, { fields, context: ACME, bind })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });

  test('a bound ciphertext does not decrypt without bind, nor an unbound one with it', async () => {
    const m = masker();
    const bound = await m.encrypt(customer('c-1', '9'), { fields, context: ACME, bind });
    await expect(m.decrypt(bound, { fields, context: ACME })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
    const unbound = await m.encrypt(customer('c-1', '9'), { fields, context: ACME });
    await expect(m.decrypt(unbound, { fields, context: ACME, bind })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });

  test('one data key per (context, bound path), whatever the number of array elements', async () => {
    const m = masker();
    const many = {
      ...customer('c-1', '1'),
      cards: Array.from({ length: 50 }, (_, i) => ({ number: `n${i}` })),
    };
    kms().reset();
    await m.encrypt(many, { fields, context: ACME, bind });
    expect(kms().count('GenerateDataKey')).toBe(3); // ssn, nickname, cards[*].number
  });
});

describe('bind: { path: true, record }', () => {
  const bind = { path: true, record: '$.id' };
  const fields = ['ssn', 'cards[*].number'];

  test('round trip; a ciphertext moved to another record, or a rewritten id, is refused (403)', async () => {
    const m = masker();
    const a = await m.encrypt(customer('c-1', '111-11-1111'), { fields, context: ACME, bind });
    const b = await m.encrypt(customer('c-2', '222-22-2222'), { fields, context: ACME, bind });
    await expect(m.decrypt(a, { fields, context: ACME, bind })).resolves.toEqual(
      customer('c-1', '111-11-1111'),
    );
    for (const forged of [
      { ...b, ssn: a.ssn },
      { ...a, id: 'c-2' },
      { ...a, cards: b.cards },
    ]) {
      const error = await m.decrypt(forged, { fields, context: ACME, bind }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
      expect(everythingIn(error)).not.toMatch(/111-11-1111|222-22-2222/);
    }
  });

  test('without bind, a ciphertext moved to another record decrypts there (the documented default)', async () => {
    const m = masker();
    const a = await m.encrypt(customer('c-1', '111-11-1111'), { fields, context: ACME });
    const b = await m.encrypt(customer('c-2', '222-22-2222'), { fields, context: ACME });
    const out = (await m.decrypt({ ...b, ssn: a.ssn }, { fields, context: ACME })) as Doc;
    expect(out).toEqual({ ...customer('c-2', '222-22-2222'), ssn: '111-11-1111' });
  });

  test('the id stays out of the header; a raw SDK decrypt yields the documented envelope', async () => {
    const m = masker();
    const a = await m.encrypt(customer('secret-customer-id', '1'), { fields, context: ACME, bind });
    const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: kms().keys[0] });
    const { plaintext, messageHeader } = await sdk.decrypt(keyring, Buffer.from(a.ssn, 'base64'));
    expect(JSON.stringify(messageHeader)).not.toContain('secret-customer-id');
    const envelope = JSON.parse(plaintext.toString('utf8'));
    expect(envelope).toEqual({
      'middy-data-masking': 'bound/1',
      path: "$['ssn']",
      record: expect.stringMatching(/^[0-9a-f]{64}$/),
      value: '1',
    });
    expect(plaintext.toString('utf8')).not.toContain('secret-customer-id');
  });

  test('no KMS call per record: 20 records under one context share one data key', async () => {
    const m = masker();
    kms().reset();
    for (let i = 0; i < 20; i++)
      await m.encrypt(customer(`c-${i}`, `${i}`), { fields: ['ssn'], context: ACME, bind });
    expect(kms().count('GenerateDataKey')).toBe(1);
  });

  test('a document without its id fails closed, both ways', async () => {
    const m = masker();
    const { id: _id, ...noId } = customer('c-1', '1');
    await expect(m.encrypt(noId, { fields, context: ACME, bind })).rejects.toBeInstanceOf(
      DataMaskingUnsupportedTypeError,
    );
    const sealed = await m.encrypt(customer('c-1', '1'), { fields, context: ACME, bind });
    const { id: _gone, ...stripped } = sealed;
    await expect(m.decrypt(stripped, { fields, context: ACME, bind })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });

  test('the id itself cannot be an encrypted field', async () => {
    await expect(
      masker().encrypt(customer('c-1', '1'), { fields: ['id', 'ssn'], context: ACME, bind }),
    ).rejects.toBeInstanceOf(DataMaskingUnsupportedTypeError);
  });
});

describe('bind options are checked', () => {
  test('unknown keys, wrong types, a bad expression, no fields, a reserved context key', async () => {
    const m = masker();
    const doc = customer('c-1', '1');
    const bad: [unknown, unknown][] = [
      [{ path: true, reocrd: '$.id' }, DataMaskingUnsupportedTypeError],
      [{ path: 'yes' }, DataMaskingUnsupportedTypeError],
      [{ record: 42 }, DataMaskingUnsupportedTypeError],
      [{ record: '$[' }, DataMaskingInvalidSelectorError],
      ['path', DataMaskingUnsupportedTypeError],
    ];
    for (const [bind, type] of bad) {
      await expect(
        m.encrypt(doc, { fields: ['ssn'], context: ACME, bind: bind as never }),
      ).rejects.toBeInstanceOf(type as never);
    }
    await expect(m.encrypt(doc, { bind: { path: true } })).rejects.toBeInstanceOf(
      DataMaskingUnsupportedTypeError,
    );
    await expect(
      m.encrypt(doc, { fields: ['ssn'], context: { [PATH_CONTEXT_KEY]: "$['nickname']" } }),
    ).rejects.toBeInstanceOf(DataMaskingUnsupportedTypeError);
    expect(kms().count('GenerateDataKey')).toBe(0);
  });
});

describe('property: any permutation of bound ciphertexts decrypts only as the identity', () => {
  test('random documents, fields and records; every slot checked', async () => {
    const m = masker();
    const bind = { path: true, record: '$.id' };
    const docs = fc.record({
      fields: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'nested.d', 'list[0]', 'list[1]'), {
        minLength: 1,
        maxLength: 4,
      }),
      records: fc.integer({ min: 1, max: 3 }),
      values: fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 24, maxLength: 24 }),
    });
    await fc.assert(
      fc.asyncProperty(docs, fc.infiniteStream(fc.nat()), async ({ fields, records, values }, picks) => {
        let v = 0;
        const next = () => values[v++ % values.length] ?? 'v';
        const plain = Array.from({ length: records }, (_, r) => ({
          id: `r${r}`,
          a: next(),
          b: next(),
          c: next(),
          nested: { d: next() },
          list: [next(), next()],
        }));
        const sealed = await Promise.all(plain.map((d) => m.encrypt(d, { fields, context: ACME, bind })));
        const read = (doc: unknown, f: string) => getAt(doc as Record<string, unknown>, f);
        const slots = sealed.flatMap((d, r) => fields.map((f) => ({ r, f, value: read(d, f) as string })));
        // A random permutation of the slots (Fisher–Yates over the stream of picks).
        const order = slots.map((_, i) => i);
        const it = picks[Symbol.iterator]();
        for (let i = order.length - 1; i > 0; i--) {
          const j = (it.next().value as number) % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        const rebuilt = sealed.map((d) => structuredClone(d) as Record<string, unknown>);
        order.forEach((from, to) => {
          const { r, f } = slots[to];
          setAt(rebuilt[r], f, slots[from].value);
        });
        for (let r = 0; r < records; r++) {
          const mine = fields.every((_, k) => order[r * fields.length + k] === r * fields.length + k);
          const result = await m.decrypt(rebuilt[r], { fields, context: ACME, bind }).then(
            (out) => (JSON.stringify(out) === JSON.stringify(plain[r]) ? 'ok' : 'WRONG VALUE'),
            (e: unknown) => (e instanceof DataMaskingContextMismatchError ? 'refused' : String(e)),
          );
          expect(result).toBe(mine ? 'ok' : 'refused');
        }
      }),
      { numRuns: 40 },
    );
  });
});

/** The value at a simple path (`a`, `nested.d`, `list[1]`) of a plain document. */
function getAt(doc: Record<string, unknown>, path: string): unknown {
  let node: unknown = doc;
  for (const k of path.split(/\.|\[|\]/).filter(Boolean)) node = (node as Record<string, unknown>)[k];
  return node;
}

/** Writes `value` at a simple path (`a`, `nested.d`, `list[1]`) of a plain document. */
function setAt(doc: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(/\.|\[|\]/).filter(Boolean);
  let node = doc as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}
