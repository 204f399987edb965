/**
 * Issue 9, items 11 and 8 (§4.2, §4.7 "Decrypt never passes plaintext to the handler"): a value at a path
 * that differs from the configured one only by index-vs-key or scalar-vs-array, a form-encoded or XML
 * text, a number or boolean where the path goes on, or a plaintext value is refused with
 * `DataMaskingDecryptValueError` before any KMS call. A ciphertext whose plaintext is not JSON is refused
 * without the plaintext appearing in the error's message, causes, stack or inspection.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import type { FieldRule } from '../../src/erase/rule.js';
import { DataMaskingDecryptValueError, DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { everythingIn, provider, useKms } from './support.js';

const { kms } = useKms(1);
const ctx = { tenant_id: 'acme' };
const CARD = '4111111111111111';
const masker = (throwOnMissingField = true) =>
  new DataMasking({ provider: provider(kms().keys), throwOnMissingField });

/** Refused, typed, with no KMS call at all — with and without `throwOnMissingField`. */
async function refused(data: unknown, fields: string[]): Promise<void> {
  for (const throwOnMissingField of [false, true]) {
    kms().reset();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    let result: unknown;
    let error: unknown;
    try {
      result = await masker(throwOnMissingField).decrypt(data, { fields, context: ctx });
    } catch (e) {
      error = e;
    } finally {
      warn.mockRestore();
    }
    if (error === undefined) {
      throw new Error(
        `decrypt of ${JSON.stringify(data)} with ${fields} (throwOnMissingField: ${throwOnMissingField}) returned ${JSON.stringify(result)} instead of refusing`,
      );
    }
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect(kms().count('Decrypt')).toBe(0);
    expect(kms().count('GenerateDataKey')).toBe(0);
  }
}

describe('decrypt refuses near misses before any KMS call (item 11)', () => {
  test('$.items[0].card when items is an object keyed "0"', async () => {
    await refused({ items: { '0': { card: CARD } } }, ['$.items[0].card']);
    await refused({ items: { '0': { card: CARD } } }, ['items[0].card']);
    await refused({ items: { '-1': { card: CARD } } }, ['$.items[-1].card']);
  });

  test('$.items.0.card (a numeric name) when items is an array', async () => {
    await refused({ items: [{ card: CARD }] }, ["$.items['0'].card"]);
  });

  test('$.cards[*] when cards is one string (plain, JSON-quoted, base64-looking)', async () => {
    await refused({ cards: CARD }, ['$.cards[*]']);
    await refused({ cards: `${CARD} 4242424242424242` }, ['$.cards[*]']);
    await refused({ cards: Buffer.from(CARD).toString('base64') }, ['$.cards[*]']);
    await refused({ cards: CARD }, ['$.cards[0]']);
    await refused({ cards: '42' }, ['$.cards[*]']);
    await refused({ cards: 'true' }, ['$.cards[*]']);
  });

  test('a JSON-quoted string scalar where the path goes on', async () => {
    await refused({ cards: JSON.stringify(CARD) }, ['$.cards[*]']);
    await refused({ a: JSON.stringify(CARD) }, ['$.a.card']);
    await refused({ items: JSON.stringify(CARD) }, ['$.items[0].card']);
    await refused({ a: JSON.stringify(JSON.stringify(CARD)) }, ['$.a.card']);
  });

  test('$.cards[*] when cards is an object of plaintexts', async () => {
    await refused({ cards: { a: CARD } }, ['$.cards[*]']);
  });

  test.each([
    ['a number', 4111111111111111],
    ['a boolean', true],
    ['false', false],
    ['a bigint-looking string', '4111111111111111'],
  ])('$.a.card where a is %s', async (_name, a) => {
    await refused({ a }, ['$.a.card']);
    await refused({ a }, ['$.a[*].card']);
  });

  test.each([
    ['form-encoded', `card=${CARD}&name=Jane`],
    ['form-encoded, one pair', `card=${CARD}`],
    ['XML', `<order><card>${CARD}</card></order>`],
    ['XML with a declaration and whitespace', `  <?xml version="1.0"?><card>${CARD}</card>`],
  ])('%s text at the path', async (_name, text) => {
    await refused({ body: text }, ['$.body.card']);
    await refused({ httpMethod: 'POST', headers: {}, body: text }, ['$.body.card']);
    await refused({ httpMethod: 'POST', headers: {}, body: text }, ['$..card']);
    await refused(
      {
        httpMethod: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: text,
      },
      ['$..card'],
    );
  });

  test('a form-encoded body announced by its content type, base64-encoded', async () => {
    await refused(
      {
        httpMethod: 'POST',
        isBase64Encoded: true,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(`card=${CARD}`).toString('base64'),
      },
      ['$.body.card'],
    );
  });

  test('a plaintext value at the path (string, number, object, empty string)', async () => {
    await refused({ card: CARD }, ['$.card']);
    await refused({ card: 4111 }, ['$.card']);
    await refused({ card: { number: CARD } }, ['$.card']);
    await refused({ card: '' }, ['$.card']);
    await refused({ body: JSON.stringify({ card: CARD }) }, ['$.body.card']);
    await refused({ cards: [CARD] }, ['$.cards[*]']);
  });

  describe('one ciphertext among plaintexts: refused before the ciphertext is decrypted', () => {
    const cases: [string, (ct: string) => unknown, string[]][] = [
      [
        'a near miss beside it',
        (ct) => ({ items: [{ card: ct }], other: { '0': { card: CARD } } }),
        ['$.items[0].card', '$.other[0].card'],
      ],
      ['a plaintext number beside it', (ct) => ({ cards: [ct, 4111, ct] }), ['$.cards[*]']],
      ['a plaintext string beside it (array)', (ct) => ({ cards: [ct, CARD, ct] }), ['$.cards[*]']],
      [
        'a plaintext string beside it (objects)',
        (ct) => ({ a: { card: ct }, b: { card: CARD } }),
        ['$.*.card'],
      ],
    ];
    test.each(cases)('%s', async (_name, make, fields) => {
      const ct = (await masker().encrypt('x', { context: ctx })) as string;
      await refused(make(ct), fields);
    });
  });

  test('property: random plaintext values at a configured path are always refused, with 0 KMS calls', async () => {
    const plaintext = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.integer(),
      fc.boolean(),
      fc.dictionary(fc.constantFrom('card', '0', 'x'), fc.string({ maxLength: 8 }), {
        minKeys: 1,
        maxKeys: 3,
      }),
      fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(
        plaintext,
        fc.constantFrom('$.card', '$.items[0].card', '$.cards[*]', '$.a.card'),
        async (value, field) => {
          // Put the plaintext where the path leads, or where it nearly leads.
          const shapes: Record<string, unknown[]> = {
            '$.card': [{ card: value }],
            '$.items[0].card': [{ items: [{ card: value }] }, { items: { '0': { card: value } } }],
            '$.cards[*]': [{ cards: [value] }, { cards: value }],
            '$.a.card': [{ a: { card: value } }, { a: value }],
          };
          for (const [i, data] of shapes[field].entries()) {
            // Where the value stands in for a container, blank text or an empty JSON container provably
            // holds nothing: skipping it passes no plaintext.
            if (i > 0 && typeof value === 'string' && /^\s*(\[\s*\]|\{\s*\})?\s*$/.test(value)) continue;
            // `a` as an array or object without `card` provably lacks `$.a.card`: not a near miss.
            if (i > 0 && field === '$.a.card' && typeof value === 'object') continue;
            await refused(data, [field]);
          }
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 40) },
    );
  });
});

describe('a ciphertext of non-JSON plaintext: refused without quoting it (item 8)', () => {
  const SECRET = 'not json { ssn: 123-45-6789 SECRETPLAINTEXT';

  test.each([
    ['raw text', SECRET],
    ['truncated JSON', `{"ssn":"123-45-6789","note":"${SECRET}"`],
    ['JSON with a trailing token', `{"note":"${SECRET}"} x`],
    ['a bare word', 'SECRETPLAINTEXT'],
  ])('%s', async (_name, plaintext) => {
    const p = provider(kms().keys);
    const ct = await p.encrypt(plaintext, ctx);
    const m = new DataMasking({ provider: p });
    for (const call of [
      () => m.decrypt(ct, { context: ctx }),
      () => m.decrypt({ card: ct }, { fields: ['$.card'], context: ctx }),
      () => m.decrypt({ body: JSON.stringify({ card: ct }) }, { fields: ['$.body.card'], context: ctx }),
    ]) {
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
      const shown = [
        everythingIn(error),
        inspect(error, { depth: 20, showHidden: true }),
        String(error),
        JSON.stringify(error),
      ].join('\n');
      for (const fragment of ['SECRETPLAINTEXT', '123-45-6789', 'ssn', plaintext.slice(0, 12)]) {
        expect(shown).not.toContain(fragment);
      }
      expect(shown).not.toContain(ct.slice(20, 60)); // nor the ciphertext body
    }
  });
});

describe('unknown options are refused, naming the key, with no KMS call and no ciphertext (item 12)', () => {
  const expectRefusal = (error: unknown, key: string) => {
    expect(error).toBeInstanceOf(DataMaskingUnsupportedTypeError);
    expect((error as Error).message).toContain(key);
  };
  const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
    try {
      const produced = await promise;
      return new Error(`resolved with ${JSON.stringify(produced)?.slice(0, 80)} instead of refusing`);
    } catch (error) {
      return error;
    }
  };
  const noKms = () => {
    for (const op of ['GenerateDataKey', 'Encrypt', 'Decrypt'] as const) expect(kms().count(op)).toBe(0);
  };

  test('new DataMasking({ provder })', () => {
    expect(() => new DataMasking({ provder: provider(kms().keys) } as never)).toThrow(
      DataMaskingUnsupportedTypeError,
    );
    expect(() => new DataMasking({ provder: provider(kms().keys) } as never)).toThrow(/provder/);
    expect(() => new DataMasking({ throwOnMissingFields: false } as never)).toThrow(/throwOnMissingFields/);
  });

  test('encrypt(x, { contxt }) never produces an untenanted ciphertext', async () => {
    const m = masker();
    expectRefusal(await rejection(m.encrypt({ card: CARD }, { contxt: ctx } as never)), 'contxt');
    expectRefusal(
      await rejection(m.encrypt({ card: CARD }, { fields: ['$.card'], contxt: ctx } as never)),
      'contxt',
    );
    expectRefusal(
      await rejection(m.encrypt({ card: CARD }, { feilds: ['$.card'], context: ctx } as never)),
      'feilds',
    );
    expectRefusal(
      await rejection(m.encrypt({ card: CARD }, { context: ctx, providerOptions: { algorith: 0x0478 } })),
      'algorith',
    );
    noKms();
  });

  test('decrypt(x, { feilds }) never decrypts the whole payload or passes it through', async () => {
    const m = masker();
    const ct = (await m.encrypt(CARD, { context: ctx })) as string;
    kms().reset();
    expectRefusal(
      await rejection(m.decrypt({ card: ct }, { feilds: ['$.card'], context: ctx } as never)),
      'feilds',
    );
    expectRefusal(await rejection(m.decrypt(ct, { contxt: ctx } as never)), 'contxt');
    expectRefusal(
      await rejection(m.decrypt(ct, { context: ctx, providerOptions: { algorithm: 0x0478, strict: true } })),
      'strict',
    );
    noKms();
  });

  test('erase(x, { fields, maskingRule: {} }) and other erase typos', () => {
    const m = new DataMasking();
    const data = { card: CARD, email: 'a@b.c' };
    for (const [options, key] of [
      [{ fields: ['$.card'], maskingRule: {} }, 'maskingRule'],
      [{ fields: ['$.card'], dynamicmask: true }, 'dynamicmask'],
      [{ field: ['$.card'] }, 'field'],
      [{ fields: ['$.card'], detector: ['email'] }, 'detector'],
    ] as const) {
      let out: unknown = 'no output';
      let error: unknown;
      try {
        out = m.erase(data, options as never);
      } catch (e) {
        error = e;
      }
      expect(out).toBe('no output');
      expectRefusal(error, key);
    }
  });
});

describe('erase reads its options when used (item 5)', () => {
  test('a field pushed into the same options object after a first call is masked on the next', () => {
    const m = new DataMasking();
    const options: { fields: string[] } = { fields: ['$.card'] };
    const data = { card: CARD, email: 'jane@example.com', body: JSON.stringify({ ssn: '123-45-6789' }) };
    expect(m.erase(data, options)).toEqual({ ...data, card: '*****' });
    options.fields.push('$.email');
    expect(m.erase(data, options)).toEqual({ ...data, card: '*****', email: '*****' });
    options.fields.push('$.body.ssn');
    const third = m.erase(data, options);
    expect(JSON.parse(third.body)).toEqual({ ssn: '*****' });
    options.fields[0] = '$.email';
    options.fields.splice(1, 1);
    expect(m.erase(data, options).card).toBe(CARD); // removed again: no stale cache either way
  });

  test('a rule added to or changed in the same maskingRules object is applied on the next call', () => {
    const m = new DataMasking();
    const card: { customMask: string } = { customMask: 'XXXX' };
    const maskingRules: Record<string, FieldRule> = { '$.card': card };
    const options = { maskingRules };
    const data = { card: CARD, email: 'jane@example.com' };
    expect(m.erase(data, options)).toEqual({ ...data, card: 'XXXX' });
    maskingRules['$.email'] = { dynamicMask: true };
    expect(m.erase(data, options)).toEqual({ card: 'XXXX', email: '*'.repeat(16) });
    card.customMask = 'YYYY';
    expect(m.erase(data, options).card).toBe('YYYY');
  });

  test('encrypt and decrypt read fields when used too', async () => {
    const m = masker();
    const options = { fields: ['$.card'], context: ctx };
    const data = { card: CARD, email: 'jane@example.com' };
    const first = (await m.encrypt(data, options)) as typeof data;
    expect(first.email).toBe(data.email);
    options.fields.push('$.email');
    const second = (await m.encrypt(data, options)) as typeof data;
    expect(second.email).not.toBe(data.email);
    await expect(m.decrypt(second, options)).resolves.toEqual(data);
  });
});
