/**
 * Issue 13: `masker.detokenize(data, { key, fields? })` (SPEC §10). Every token found by its tag is
 * reversed by the key of its version (a whole-string token gives the value with its type, a token in free
 * text its string form), or only the tokens under `fields` (into JSON-string bodies too). Rotation, keys
 * of another context, malformed and tampered tokens, bad options; the keys are readied by `detokenize`
 * itself; the input is never written; no error carries a plaintext. Properties: erase with `tokenize`
 * then detokenize is the identity, nothing selected survives a tokenizing erase, and a key of another
 * context never gives a value back.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptValueError,
  DataMaskingError,
  DataMaskingFieldNotFoundError,
  DataMaskingInvalidSelectorError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { createKmsMock, type KmsMock } from '../../src/testing/kms-mock.js';
import { createTokenKey } from '../../src/tokens/create-token-key.js';
import { TokenKey, type TokenKeyDescriptor } from '../../src/tokens/token-key.js';
import { httpEvent, type Loose } from '../middleware/events.js';
import { deepFreeze } from '../support/deep-freeze.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ACME = { tenant_id: 'acme', purpose: 'analytics' };
const GLOBEX = { tenant_id: 'globex', purpose: 'analytics' };
const EMAIL = 'jane.doe@example.com';
const SSN = '123-45-6789';

/** A whole token, anchored. */
const TOKEN = /^tok_[A-Za-z0-9]{1,32}_[A-Za-z0-9_-]+$/;

let kms: KmsMock;
let v1: TokenKeyDescriptor;
let v2: TokenKeyDescriptor;
let globex1: TokenKeyDescriptor;
/** Ready keys, shared by the tests that do not count KMS calls. */
let key1: TokenKey;
let key2: TokenKey;
let globexKey: TokenKey;
const masker = new DataMasking();

beforeAll(async () => {
  kms = createKmsMock({ keys: [ARN] });
  v1 = await createTokenKey({ kmsKeyId: ARN, context: ACME });
  v2 = await createTokenKey({ kmsKeyId: ARN, context: ACME, version: '2' });
  // Same version as v1, another context: its tokens look like v1's and must never open under v1.
  globex1 = await createTokenKey({ kmsKeyId: ARN, context: GLOBEX });
  key1 = await new TokenKey(v1).ready();
  key2 = await new TokenKey(v2).ready();
  globexKey = await new TokenKey(globex1).ready();
});
afterAll(() => kms.restore());
beforeEach(() => kms.reset());

/** Everything an error shows: message, stack, inspection, JSON, down the cause chain. */
function shown(error: unknown, depth = 0): string {
  if (depth > 8 || error === undefined) return '';
  const parts = [inspect(error, { depth: 10, showHidden: true }), String(error)];
  try {
    parts.push(JSON.stringify(error) ?? '');
  } catch {
    // circular: inspect covered it
  }
  if (error instanceof Error) {
    parts.push(error.message, error.stack ?? '', shown(error.cause, depth + 1));
  }
  return parts.join('\n');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, and it resolved');
}

describe('every token found by its tag', () => {
  test('a whole-string token comes back as the value, with its type', async () => {
    const doc = {
      n: 42,
      f: -1.5,
      big: 12345678901234,
      t: true,
      f0: false,
      s: EMAIL,
      numeric: '42',
      empty: '',
      unicode: 'Zoë 🦄 名前',
      nested: { deep: [SSN, 7, { x: 'y' }] },
    };
    const tokens = masker.erase(doc, { fields: Object.keys(doc), tokenize: key1 });
    // Every leaf is a token; shape kept.
    expect(tokens.n).toMatch(TOKEN);
    expect(tokens.numeric).toMatch(TOKEN);
    expect(tokens.nested.deep).toHaveLength(3);
    expect((tokens.nested.deep[2] as { x: string }).x).toMatch(TOKEN);
    // 42 and "42" are different values, with different tokens.
    expect(tokens.n).not.toBe(tokens.numeric);

    const back = await masker.detokenize(tokens, { key: key1 });
    expect(back).toEqual(doc);
    expect(typeof back.n).toBe('number');
    expect(typeof back.numeric).toBe('string');
    expect(typeof back.t).toBe('boolean');
    expect(Object.is(back.big, 12345678901234)).toBe(true);
    // A bare token string is data too.
    await expect(masker.detokenize(key1.tokenize(42), { key: key1 })).resolves.toBe(42);
    await expect(masker.detokenize([key1.tokenize('a'), 1], { key: key1 })).resolves.toEqual(['a', 1]);
  });

  test('tokens inside free text are replaced by the value’s string form', async () => {
    const tEmail = key1.tokenize(EMAIL);
    const t42 = key1.tokenize(42);
    const tTrue = key2.tokenize(true);
    const doc = {
      note: `customer ${tEmail} paid ${t42} (${tTrue}).`,
      start: `${t42} items`,
      end: `total: ${t42}`,
      twice: `${tEmail},${tEmail}`,
      list: [`a ${tEmail}`, 'no token here', 5],
    };
    const back = await masker.detokenize(doc, { key: [key1, key2] });
    expect(back).toEqual({
      note: `customer ${EMAIL} paid 42 (true).`,
      start: '42 items',
      end: 'total: 42',
      twice: `${EMAIL},${EMAIL}`,
      list: [`a ${EMAIL}`, 'no token here', 5],
    });
  });

  test('"tok_" glued to a preceding word is not a token: left as it is', async () => {
    const t = key1.tokenize(EMAIL);
    const doc = { a: `s${t}`, b: `my_${t}`, c: `x-${t}`, d: `9${t}`, e: 'tok_ alone', f: 'tokens' };
    await expect(masker.detokenize(doc, { key: key1 })).resolves.toEqual(doc);
  });

  test('a token glued to a following "-" or "_" cannot be delimited: the call fails, never a wrong value', async () => {
    // base64url has "-" and "_": the tag finds a longer run, which does not open. Fails closed (400 or 403).
    const t = key1.tokenize(EMAIL);
    for (const text of [`${t}_x`, `${t}-2026`, `${t}__`]) {
      const error = await rejection(masker.detokenize({ v: text }, { key: key1 }));
      expect(
        [DataMaskingDecryptValueError, DataMaskingContextMismatchError].some((c) => error instanceof c),
      ).toBe(true);
      expect(shown(error)).not.toContain(EMAIL);
    }
  });

  // Without `fields`, a JSON-string body is reversed as data, not as free text: a value holding
  // `","admin":true,"x":"` spliced into the text would inject members, and a number would come back a string.
  test('without fields, a token inside a JSON-string body never changes the body’s structure', async () => {
    const evil = 'x","admin":true,"y":"z';
    const body = JSON.stringify({ email: evil, qty: 42, path: 'a\\b' });
    const fields = ['$.body.email', '$.body.qty', '$.body.path'];
    const erased = masker.erase(httpEvent('alb', { body }), { fields, tokenize: key1 }) as Loose;
    expect(JSON.parse(erased.body as string)).not.toHaveProperty('admin');
    const back = (await masker.detokenize(erased, { key: key1 })) as Loose;
    const parsed = JSON.parse(back.body as string);
    expect(Object.keys(parsed)).toEqual(['email', 'qty', 'path']);
    expect(parsed.email).toBe(evil);
    expect(parsed.qty).toBe(42);
    expect(parsed.path).toBe('a\\b');
  });

  test('keys of objects are not read; non-string leaves are kept', async () => {
    const t = key1.tokenize(EMAIL);
    const doc = { [t]: 1, n: 7, z: null, b: false };
    await expect(masker.detokenize(doc, { key: key1 })).resolves.toEqual(doc);
  });
});

describe('only in `fields` when given', () => {
  test('tokens outside the fields are untouched', async () => {
    const tEmail = key1.tokenize(EMAIL);
    const tSsn = key1.tokenize(SSN);
    const doc = {
      customer: { email: tEmail, ssn: tSsn },
      note: `mail ${tEmail}`,
      copy: tEmail,
    };
    const back = await masker.detokenize(doc, { key: key1, fields: ['customer.email'] });
    expect(back).toEqual({ customer: { email: EMAIL, ssn: tSsn }, note: `mail ${tEmail}`, copy: tEmail });
    // A subtree as a field: every token under it.
    await expect(masker.detokenize(doc, { key: key1, fields: ['$.customer'] })).resolves.toEqual({
      customer: { email: EMAIL, ssn: SSN },
      note: `mail ${tEmail}`,
      copy: tEmail,
    });
  });

  test('fields reach into a JSON-string body, which stays a string', async () => {
    const tEmail = key1.tokenize(EMAIL);
    const t42 = key1.tokenize(42);
    const event = httpEvent('restV1Cognito', {
      body: JSON.stringify({ email: tEmail, qty: t42, other: tEmail }),
    });
    const back = (await masker.detokenize(event, {
      key: key1,
      fields: ['$.body.email', '$.body.qty'],
    })) as Loose;
    expect(typeof back.body).toBe('string');
    expect(JSON.parse(back.body as string)).toEqual({ email: EMAIL, qty: 42, other: tEmail });
    expect({ ...back, body: undefined }).toEqual({ ...event, body: undefined });
  });

  test('erase then detokenize through a JSON-string body gives the body back', async () => {
    const body = JSON.stringify({ email: EMAIL, qty: 3, name: 'Jane "J" Doe' });
    const event = httpEvent('httpV2Jwt', { body });
    const fields = ['$.body.email', '$.body.qty', '$.body.name'];
    const erased = masker.erase(event, { fields, tokenize: key1 }) as Loose;
    expect(typeof erased.body).toBe('string');
    expect(erased.body).not.toContain(EMAIL);
    expect(erased.body).not.toContain('Jane');
    const back = (await masker.detokenize(erased, { key: key1, fields })) as Loose;
    expect(JSON.parse(back.body as string)).toEqual(JSON.parse(body));
  });

  test('a field that selects nothing: FieldNotFound when the masker throws on missing fields', async () => {
    await expect(masker.detokenize({ a: 1 }, { key: key1, fields: ['b'] })).rejects.toBeInstanceOf(
      DataMaskingFieldNotFoundError,
    );
    const warn = jest.fn();
    await expect(
      new DataMasking({ throwOnMissingField: false, logger: { warn } }).detokenize(
        { a: 1 },
        { key: key1, fields: ['b'] },
      ),
    ).resolves.toEqual({ a: 1 });
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe('rotation: several keys, picked by version', () => {
  test('one document with tokens of v1 and v2 is reversed whole by [v1, v2] (either order)', async () => {
    const doc = {
      old: key1.tokenize(EMAIL),
      new: key2.tokenize(EMAIL),
      text: `${key1.tokenize(1)}/${key2.tokenize(2)}`,
    };
    expect(doc.old).not.toBe(doc.new);
    const want = { old: EMAIL, new: EMAIL, text: '1/2' };
    await expect(masker.detokenize(doc, { key: [key1, key2] })).resolves.toEqual(want);
    await expect(masker.detokenize(doc, { key: [key2, key1] })).resolves.toEqual(want);
  });

  test('a token of a version no given key has is DataMaskingDecryptValueError (400)', async () => {
    const doc = { old: key1.tokenize(EMAIL), new: key2.tokenize(SSN) };
    const error = await rejection(masker.detokenize(doc, { key: key1 }));
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect((error as DataMaskingDecryptValueError).statusCode).toBe(400);
    // The v1 token was reversed before the v2 one failed: its plaintext is in no part of the error.
    expect(shown(error)).not.toContain(EMAIL);
    expect(shown(error)).not.toContain(SSN);
  });
});

describe('a token that does not authenticate', () => {
  test('another context (same version): DataMaskingContextMismatchError (403), nothing returned', async () => {
    const foreign = globexKey.tokenize(SSN);
    expect(foreign.startsWith('tok_1_')).toBe(true);
    // A good token first: the call still fails whole, and the error quotes neither value.
    const doc = { a: key1.tokenize(EMAIL), b: foreign, c: `text ${key1.tokenize(EMAIL)}` };
    const error = await rejection(masker.detokenize(doc, { key: key1 }));
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect((error as DataMaskingContextMismatchError).statusCode).toBe(403);
    expect(shown(error)).not.toContain(EMAIL);
    expect(shown(error)).not.toContain(SSN);
    // The same token under its own key is fine: the failure was the key, not the token.
    await expect(masker.detokenize(foreign, { key: globexKey })).resolves.toBe(SSN);
  });

  test('in free text too, and under fields', async () => {
    const foreign = globexKey.tokenize(EMAIL);
    await expect(masker.detokenize({ note: `x ${foreign} y` }, { key: key1 })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
    await expect(masker.detokenize({ a: foreign }, { key: key1, fields: ['a'] })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });

  test('well-formed bytes that no key sealed are a context mismatch too (by design, indistinguishable)', async () => {
    await expect(masker.detokenize({ v: `tok_1_${'A'.repeat(40)}` }, { key: key1 })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });

  test('a tampered token (one body character changed) is a context mismatch, never a wrong value', async () => {
    const token = key1.tokenize(EMAIL);
    const body = token.slice('tok_1_'.length);
    for (const at of [0, 5, Math.floor(body.length / 2), body.length - 3]) {
      const c = body[at];
      const tampered = `tok_1_${body.slice(0, at)}${c === 'A' ? 'B' : 'A'}${body.slice(at + 1)}`;
      const error = await rejection(masker.detokenize({ v: tampered }, { key: key1 }));
      expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
      expect(shown(error)).not.toContain(EMAIL);
    }
  });
});

describe('malformed tokens are DataMaskingDecryptValueError (400)', () => {
  test.each([
    ['too short', 'tok_x_y'],
    ['a short body', `tok_1_${'A'.repeat(10)}`],
    ['inside free text', 'see tok_1_abc here'],
    ['a body with unused bits set (not canonical base64url)', `tok_1_${'A'.repeat(38)}B`],
  ])('%s', async (_name, value) => {
    const error = await rejection(masker.detokenize({ v: value }, { key: key1 }));
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect((error as DataMaskingDecryptValueError).statusCode).toBe(400);
  });

  test('a body not in canonical base64url (padding bits set, or "=" padding) is malformed', async () => {
    const token = key1.tokenize(EMAIL);
    const sealedLength = Buffer.from(token.slice(6), 'base64url').length;
    // Unless the byte count is a multiple of 3, the last character carries unused bits: set them.
    if (sealedLength % 3 !== 0) {
      const last = token[token.length - 1];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const noncanonical = token.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
      await expect(masker.detokenize({ v: noncanonical }, { key: key1 })).rejects.toBeInstanceOf(
        DataMaskingDecryptValueError,
      );
    }
  });
});

test('a version of 33 characters is not a token (no key can have it): left as it is', async () => {
  const value = { v: `tok_${'a'.repeat(33)}_${'A'.repeat(30)}` };
  await expect(masker.detokenize(value, { key: key1 })).resolves.toEqual(value);
});

describe('options are checked', () => {
  test('two keys of one version are refused (which would reverse its tokens?)', async () => {
    const same = new TokenKey(v1);
    for (const key of [
      [key1, same],
      [key1, key1],
      [key1, globexKey],
    ]) {
      await expect(masker.detokenize({ a: 'x' }, { key })).rejects.toBeInstanceOf(
        DataMaskingUnsupportedTypeError,
      );
    }
  });

  test('unknown options and anything but TokenKeys are refused, before any KMS call', async () => {
    const fresh = new TokenKey(v1);
    const bad: unknown[] = [
      undefined,
      {},
      { key: fresh, fieldz: ['a'] },
      { key: v1 }, // a descriptor, not a key
      { key: [] },
      { key: [fresh, 'tok'] },
      { key: { version: '1', isReady: true, ready: async () => undefined } }, // looks like one, is not
      { key: fresh, fields: 'a' },
      { key: fresh, fields: ['$[?'] }, // an expression that does not parse
    ];
    for (const options of bad.slice(0, -1)) {
      await expect(masker.detokenize({ a: 'x' }, options as never)).rejects.toBeInstanceOf(
        DataMaskingUnsupportedTypeError,
      );
    }
    await expect(masker.detokenize({ a: 'x' }, bad[bad.length - 1] as never)).rejects.toBeInstanceOf(
      DataMaskingInvalidSelectorError,
    );
    expect(kms.count('Decrypt')).toBe(0);
    expect(fresh.isReady).toBe(false);
  });
});

describe('readiness', () => {
  test('detokenize readies the keys itself: one Decrypt per key, shared by concurrent calls', async () => {
    const tokens = { a: key1.tokenize(EMAIL), b: key2.tokenize(SSN) };
    const fresh1 = new TokenKey(v1);
    const fresh2 = new TokenKey(v2);
    expect(fresh1.isReady || fresh2.isReady).toBe(false);
    const results = await Promise.all([
      masker.detokenize(tokens, { key: [fresh1, fresh2] }),
      masker.detokenize(tokens, { key: [fresh1, fresh2] }),
      masker.detokenize(tokens.a, { key: fresh1 }),
    ]);
    expect(results).toEqual([{ a: EMAIL, b: SSN }, { a: EMAIL, b: SSN }, EMAIL]);
    expect(kms.count('Decrypt')).toBe(2);
    await masker.detokenize(tokens, { key: [fresh1, fresh2] });
    expect(kms.count('Decrypt')).toBe(2);
  });

  test('a key that cannot be unwrapped fails the call with a typed error, and no value', async () => {
    const fresh = new TokenKey(v1);
    kms.throttle('Decrypt', Number.POSITIVE_INFINITY);
    const error = await rejection(masker.detokenize({ a: key1.tokenize(EMAIL) }, { key: fresh }));
    expect(error).toBeInstanceOf(DataMaskingError);
    expect((error as Error).name).toBe('DataMaskingProviderUnavailableError');
    kms.reset();
    await expect(masker.detokenize({ a: key1.tokenize(EMAIL) }, { key: fresh })).resolves.toEqual({
      a: EMAIL,
    });
  });
});

describe('the input is never written', () => {
  test('with and without fields, through a JSON-string body', async () => {
    const t = key1.tokenize(EMAIL);
    const doc = deepFreeze({
      a: t,
      list: [t, { b: `x ${t}` }],
      body: JSON.stringify({ email: t }),
    });
    const before = JSON.stringify(doc);
    const all = (await masker.detokenize(doc, { key: key1 })) as Loose;
    const some = (await masker.detokenize(doc, {
      key: key1,
      fields: ['$.body.email', 'list[1].b'],
    })) as Loose;
    expect(JSON.stringify(doc)).toBe(before);
    expect(all.a).toBe(EMAIL);
    expect(some.list).toEqual([t, { b: `x ${EMAIL}` }]);
    expect(JSON.parse(some.body as string)).toEqual({ email: EMAIL });
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

/** An RFC 9535 name selector for any key (control characters escaped, as the grammar requires). */
const nameSelector = (k: string): string => {
  let quoted = '';
  for (const c of k) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === "'") quoted += `\\${c}`;
    else if (code < 0x20) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += c;
  }
  return `$['${quoted}']`;
};

const keyArb = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('email', 'tok_1_x', "it's", 'a\\b', 'line\nbreak', 'ssn', 'body', '0'),
);
const leafString = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(EMAIL, SSN, '4111 1111 1111 1111', 'null', 'true', '42', '"quoted"'),
);
const jsonLeaf = fc.oneof(
  leafString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const jsonDoc = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(keyArb, tie('value'), { maxKeys: 5 }),
})).object as fc.Arbitrary<Record<string, unknown>>;

/** A document and a subset of its top-level keys. */
const docAndFields = jsonDoc.chain((doc) => fc.tuple(fc.constant(doc), fc.subarray(Object.keys(doc))));

/** Every string of a JSON value: keys and string leaves. */
function stringsOf(value: unknown, out: { keys: string[]; leaves: string[] }): void {
  if (typeof value === 'string') out.leaves.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.keys.push(k);
      stringsOf(v, out);
    }
  }
}

/** Every leaf of a JSON value (not containers). */
function leavesOf(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) leavesOf(v, out);
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) leavesOf(v, out);
  else out.push(value);
  return out;
}

const normalised = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const TOKENS_IN_TEXT = /tok_[A-Za-z0-9]{1,32}_[A-Za-z0-9_-]+/g;

describe('properties', () => {
  test('detokenize(erase(doc, { fields, tokenize })) is doc; nothing selected survives erase', async () => {
    await fc.assert(
      fc.asyncProperty(docAndFields, async ([raw, keys]) => {
        const doc = normalised(raw) as Record<string, unknown>;
        const fields = keys.map(nameSelector);
        const before = JSON.stringify(doc);
        const erased = masker.erase(doc, { fields, tokenize: key1 }) as Record<string, unknown>;
        expect(JSON.stringify(doc)).toBe(before);
        // `fields: []` is no fields: the top-level rule applies to every leaf (SPEC §4.1).
        const chosen = keys.length === 0 ? Object.keys(doc) : keys;

        // Structurally: every selected leaf is a whole token (null kept); everything else is untouched.
        for (const k of Object.keys(doc)) {
          if (chosen.includes(k)) {
            const outLeaves = leavesOf(erased[k]);
            const inLeaves = leavesOf(doc[k]);
            expect(outLeaves).toHaveLength(inLeaves.length);
            outLeaves.forEach((leaf, i) => {
              if (inLeaves[i] === null) expect(leaf).toBeNull();
              else expect(leaf).toMatch(TOKEN);
            });
          } else {
            expect(erased[k]).toBe(doc[k]);
          }
        }

        // Textually: with the tokens cut out, a selected string (≥ 4 characters) is found in the output
        // only where the input had it outside the selection, or in a key name (keys stay).
        const selected = { keys: [] as string[], leaves: [] as string[] };
        const kept = { keys: [] as string[], leaves: [] as string[] };
        for (const k of Object.keys(doc)) stringsOf(doc[k], chosen.includes(k) ? selected : kept);
        const allowed = [...Object.keys(doc), ...selected.keys, ...kept.keys, ...kept.leaves];
        const out = { keys: [] as string[], leaves: [] as string[] };
        stringsOf(erased, out);
        const residue = [...out.keys, ...out.leaves].map((s) => s.replace(TOKENS_IN_TEXT, '\u0000'));
        for (const secret of selected.leaves) {
          if (secret.length < 4) continue;
          if (residue.some((s) => s.includes(secret))) {
            expect(allowed.some((s) => s.includes(secret))).toBe(true);
          }
        }

        const back = await masker.detokenize(erased, { key: key1 });
        expect(back).toEqual(doc);
        // The same through fields: only the selection is read.
        if (fields.length > 0) expect(await masker.detokenize(erased, { key: key1, fields })).toEqual(doc);
      }),
      { numRuns: 150 },
    );
  });

  test('a key of another context never gives a value back', async () => {
    const baseline = shown(
      await rejection(masker.detokenize({ a: [{ b: globexKey.tokenize('x') }] }, { key: key1 })),
    );
    await fc.assert(
      fc.asyncProperty(
        jsonLeaf.filter((v) => v !== null),
        fc.constantFrom('whole', 'text', 'nested'),
        async (value, where) => {
          const t = globexKey.tokenize(value);
          const data = where === 'whole' ? t : where === 'text' ? `before ${t} after` : { a: [{ b: t }] };
          const error = await rejection(masker.detokenize(data, { key: key1 }));
          expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
          // The value is not in the error, unless the error says it whatever the value (a word of its message).
          if (typeof value === 'string' && value.length >= 4 && !baseline.includes(value)) {
            expect(shown(error)).not.toContain(value);
          }
          // Rotation does not help: v2 has another version, so the v1 key is still the one tried.
          await expect(masker.detokenize(data, { key: [key1, key2] })).rejects.toBeInstanceOf(
            DataMaskingContextMismatchError,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
