/**
 * Issue 9, items 1 and 10 (and §4.7 "fail closed"): `DataMasking.erase`, `encrypt` and `decrypt` with
 * `fields` reach into what a field expression has to look into — JSON strings (with a BOM, leading
 * whitespace, JSON inside JSON), base64 and gzip bodies, Buffers, class instances and `toJSON` objects —
 * put every layer back on, and withhold (typed error, no output) what cannot be opened: XML, NDJSON,
 * malformed JSON, promises, streams. The input is never mutated.
 */
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { provider, useKms } from '../crypto/support.js';
import { jsonDocument } from '../support/arbitraries.js';
import { deepFreeze } from '../support/deep-freeze.js';

const { kms } = useKms(1);
const ctx = { tenant_id: 'acme' };
const runs = { numRuns: Number(process.env.FC_RUNS ?? 40) };
const EMAIL = 'jane.doe@example.com';
const MASK = '*****';

const eraser = () => new DataMasking();
const crypto = () => new DataMasking({ provider: provider(kms().keys) });

const user = () => ({ user: { email: EMAIL, name: 'Jane' }, total: 12.5 });
const masked = () => ({ user: { email: MASK, name: 'Jane' }, total: 12.5 });
interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  isBase64Encoded?: boolean;
  body: unknown;
}
const proxy = (
  body: unknown,
  extra: { isBase64Encoded?: boolean; headers?: Record<string, string> } = {},
): ProxyResult => ({
  statusCode: 200,
  ...(extra.isBase64Encoded === undefined ? {} : { isBase64Encoded: extra.isBase64Encoded }),
  headers: { 'content-type': 'application/json', ...(extra.headers ?? {}) },
  body,
});
const FIELDS = [['$..email'], ['$.body.user.email']] as const;

/** Throws when the secret appears anywhere in the value's JSON form. */
const leakFree = (value: unknown) => {
  expect(JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v))).not.toContain(
    EMAIL,
  );
};

describe('erase reaches into string bodies and returns them as strings (item 10)', () => {
  test.each(FIELDS)('a plain JSON string body, %s', (field) => {
    const input = deepFreeze(proxy(JSON.stringify(user())));
    const out = eraser().erase(input, { fields: [field] });
    expect(typeof out.body).toBe('string');
    expect(JSON.parse(out.body as string)).toEqual(masked());
    expect(out.statusCode).toBe(200);
    expect(out.headers).toBe(input.headers); // copy-on-write: untouched subtrees are shared
    leakFree(out);
  });

  test.each(FIELDS)('a body with a byte-order mark keeps it, %s', (field) => {
    const input = deepFreeze(proxy(`\uFEFF${JSON.stringify(user())}`));
    const out = eraser().erase(input, { fields: [field] });
    expect(typeof out.body).toBe('string');
    const body = out.body as string;
    expect(body.charCodeAt(0)).toBe(0xfeff);
    expect(JSON.parse(body.slice(1))).toEqual(masked());
    leakFree(out);
  });

  test.each(FIELDS)('a body with leading whitespace, %s', (field) => {
    const input = deepFreeze(proxy(`  \n\t${JSON.stringify(user(), null, 2)}\n`));
    const out = eraser().erase(input, { fields: [field] });
    expect(typeof out.body).toBe('string');
    expect(JSON.parse(out.body as string)).toEqual(masked());
    leakFree(out);
  });

  test.each(FIELDS)('JSON inside JSON (twice and three times), %s', (field) => {
    for (const body of [
      JSON.stringify(JSON.stringify(user())),
      JSON.stringify(JSON.stringify(JSON.stringify(user()))),
    ]) {
      const input = deepFreeze(proxy(body));
      const out = eraser().erase(input, { fields: [field] });
      expect(typeof out.body).toBe('string');
      let inner: unknown = out.body;
      while (typeof inner === 'string') inner = JSON.parse(inner);
      expect(inner).toEqual(masked());
      // As many string layers as it came with.
      expect((out.body as string).length).toBeLessThan(body.length + 40);
      leakFree(out);
    }
  });

  test.each(FIELDS)('a base64 body (isBase64Encoded) stays base64, %s', (field) => {
    const body = Buffer.from(JSON.stringify(user()), 'utf8').toString('base64');
    const input = deepFreeze(proxy(body, { isBase64Encoded: true }));
    const out = eraser().erase(input, { fields: [field] });
    expect(out.isBase64Encoded).toBe(true);
    expect(typeof out.body).toBe('string');
    expect(out.body).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(out.body as string, 'base64').toString('utf8'))).toEqual(masked());
    expect(Buffer.from(out.body as string, 'base64').toString('utf8')).not.toContain(EMAIL);
  });

  test.each(FIELDS)('a gzip base64 body (content-encoding: gzip) stays gzip and base64, %s', (field) => {
    const body = gzipSync(Buffer.from(JSON.stringify(user()), 'utf8')).toString('base64');
    const input = deepFreeze(proxy(body, { isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } }));
    const out = eraser().erase(input, { fields: [field] });
    expect(out.headers).toEqual(input.headers);
    expect(typeof out.body).toBe('string');
    const bytes = Buffer.from(out.body as string, 'base64');
    expect(bytes[0]).toBe(0x1f);
    expect(bytes[1]).toBe(0x8b);
    const text = gunzipSync(bytes).toString('utf8');
    expect(JSON.parse(text)).toEqual(masked());
    expect(text).not.toContain(EMAIL);
  });

  test.each(FIELDS)('a Buffer body stays a Buffer, %s', (field) => {
    const original = Buffer.from(JSON.stringify(user()), 'utf8');
    const copy = Buffer.from(original);
    const input = proxy(original);
    const out = eraser().erase(input, { fields: [field] });
    expect(Buffer.isBuffer(out.body)).toBe(true);
    expect(JSON.parse((out.body as Buffer).toString('utf8'))).toEqual(masked());
    expect(original.equals(copy)).toBe(true); // not written in place
    expect(input.body).toBe(original);
  });

  test('a Buffer or Uint8Array value outside any HTTP body, and a gzipped Buffer', () => {
    const json = Buffer.from(JSON.stringify({ email: EMAIL, n: 1 }), 'utf8');
    for (const value of [Buffer.from(json), new Uint8Array(json), gzipSync(json)]) {
      const snapshot = Buffer.from(value);
      const out = eraser().erase({ payload: value }, { fields: ['$.payload.email'] });
      expect(Object.getPrototypeOf(out.payload)).toBe(Object.getPrototypeOf(value));
      const bytes = Buffer.from(out.payload as Uint8Array);
      const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8');
      expect(JSON.parse(text)).toEqual({ email: MASK, n: 1 });
      expect(Buffer.from(value).equals(snapshot)).toBe(true);
    }
  });

  test('a top-level JSON string: string in, string out (with BOM and leading whitespace too)', () => {
    for (const text of [
      JSON.stringify(user()),
      `\uFEFF${JSON.stringify(user())}`,
      ` \r\n${JSON.stringify(user())}`,
    ]) {
      const out = eraser().erase(text, { fields: ['$.user.email'] });
      expect(typeof out).toBe('string');
      expect(JSON.parse((out as string).replace(/^\uFEFF/, ''))).toEqual(masked());
    }
  });

  test('untouched strings come back byte for byte: the very same string', () => {
    const pretty = `{\n  "name" : "x",\n  "n": 1.50,\n  "u": "\\u00e9"\n}`;
    const withBom = `\uFEFF{"a": [1, 2 ,3]}`;
    const nested = JSON.stringify(JSON.stringify({ b: 1.0, c: 'd' }));
    const input = deepFreeze({
      email: EMAIL,
      pretty,
      withBom,
      nested,
      list: [pretty, 'plain text', '{ "e": 1e2 }'],
      resp: proxy(pretty),
    });
    const out = eraser().erase(input, { fields: ['$..email'] });
    expect(out.email).toBe(MASK);
    expect(out.pretty).toBe(pretty);
    expect(out.withBom).toBe(withBom);
    expect(out.nested).toBe(nested);
    out.list.forEach((s, i) => {
      expect(s).toBe(input.list[i]);
    });
    expect(out.resp.body).toBe(pretty);
  });

  test('copy-on-write: containers of opened-but-untouched strings are shared, not copied (§4.1)', () => {
    const pretty = `{\n  "name" : "x"\n}`;
    const input = deepFreeze({ email: EMAIL, list: [pretty, 'plain text'], resp: proxy(pretty) });
    const out = eraser().erase(input, { fields: ['$..email'] });
    expect(out.email).toBe(MASK);
    expect(out.list).toBe(input.list);
    expect(out.resp).toBe(input.resp);
  });

  test('an untouched gzip or base64 body comes back byte for byte', () => {
    const gz = gzipSync(Buffer.from('{"n": 1.50, "x": "y"}')).toString('base64');
    const input = deepFreeze({
      email: EMAIL,
      resp: proxy(gz, { isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } }),
    });
    const out = eraser().erase(input, { fields: ['$..email'] });
    expect(out.email).toBe(MASK);
    expect(out.resp.body).toBe(gz);
    expect(out.resp).toEqual(input.resp);
  });

  test('a body masked in one field keeps its other values (fields elsewhere untouched)', () => {
    const body = JSON.stringify({
      users: [
        { email: EMAIL, id: 1 },
        { email: 'b@example.com', id: 2 },
      ],
    });
    const out = eraser().erase(deepFreeze(proxy(body)), { fields: ['$.body.users[*].email'] });
    expect(JSON.parse(out.body as string)).toEqual({
      users: [
        { email: MASK, id: 1 },
        { email: MASK, id: 2 },
      ],
    });
  });
});

describe('encrypt and decrypt reach into the same layers and restore them (item 10)', () => {
  const layered = () => {
    const json = JSON.stringify(user());
    return {
      plain: proxy(json),
      bom: { body: `\uFEFF${json}` },
      twice: { body: JSON.stringify(json) },
      b64: proxy(Buffer.from(json).toString('base64'), { isBase64Encoded: true }),
      gz: proxy(gzipSync(Buffer.from(json)).toString('base64'), {
        isBase64Encoded: true,
        headers: { 'content-encoding': 'gzip' },
      }),
    };
  };
  const open = (value: unknown): unknown => {
    const v = value as { body: string; isBase64Encoded?: boolean; headers?: Record<string, string> };
    let text = v.body;
    if (v.isBase64Encoded) {
      const bytes = Buffer.from(text, 'base64');
      text = (v.headers?.['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
    }
    let inner: unknown = text.replace(/^\uFEFF/, '');
    while (typeof inner === 'string') inner = JSON.parse(inner);
    return inner;
  };

  test.each(['$..email', '$.*.body.user.email'])(
    '%s: every layer encrypted, then restored',
    async (field) => {
      const m = crypto();
      const input = deepFreeze(layered());
      const encrypted = (await m.encrypt(input, { fields: [field], context: ctx })) as ReturnType<
        typeof layered
      >;
      for (const key of Object.keys(input) as (keyof typeof input)[]) {
        expect(typeof encrypted[key].body).toBe('string');
        const inner = open(encrypted[key]) as { user: { email: string; name: string } };
        expect(inner.user.name).toBe('Jane');
        expect(inner.user.email).not.toBe(EMAIL);
        expect(inner.user.email).toMatch(/^[A-Za-z0-9+/]{40,}=*$/);
      }
      expect(encrypted.bom.body.charCodeAt(0)).toBe(0xfeff);
      leakFree(encrypted);
      const decrypted = await m.decrypt(encrypted, { fields: [field], context: ctx });
      expect(decrypted).toEqual(layered());
    },
  );

  test('a Buffer body: encrypted as a Buffer and decrypted back to the same bytes', async () => {
    const m = crypto();
    const json = JSON.stringify(user());
    const input = { body: Buffer.from(json) };
    const encrypted = (await m.encrypt(input, { fields: ['$.body.user.email'], context: ctx })) as {
      body: Buffer;
    };
    expect(Buffer.isBuffer(encrypted.body)).toBe(true);
    expect(encrypted.body.toString('utf8')).not.toContain(EMAIL);
    const decrypted = (await m.decrypt(encrypted, { fields: ['$.body.user.email'], context: ctx })) as {
      body: Buffer;
    };
    expect(Buffer.isBuffer(decrypted.body)).toBe(true);
    expect(decrypted.body.toString('utf8')).toBe(json);
    expect(input.body.toString('utf8')).toBe(json);
  });

  test('property: decrypt(encrypt(x)) deep-equals x when x holds JSON-string-wrapped subdocuments', async () => {
    const m = crypto();
    const wrap = fc.constantFrom(
      (s: string) => s,
      (s: string) => JSON.stringify(s),
      (s: string) => `\uFEFF${s}`,
    );
    await fc.assert(
      fc.asyncProperty(
        jsonDocument,
        jsonDocument,
        jsonDocument,
        wrap,
        fc.boolean(),
        async (card, inner, rest, w, asBody) => {
          const wrapped = w(JSON.stringify({ card: inner, rest }));
          const x = deepFreeze({
            card,
            doc: asBody ? proxy(wrapped) : { text: wrapped },
            untouched: JSON.stringify({ rest }),
          });
          const encrypted = await m.encrypt(x, { fields: ['$..card'], context: ctx });
          const decrypted = await m.decrypt(encrypted, { fields: ['$..card'], context: ctx });
          expect(decrypted).toEqual(x);
          // The wrapped card was encrypted too: its JSON text is gone from what leaves.
          const e = encrypted as typeof x;
          const doc = (
            asBody ? (e.doc as { body: string }).body : (e.doc as { text: string }).text
          ) as string;
          let opened: unknown = doc.replace(/^\uFEFF/, '');
          while (typeof opened === 'string') opened = JSON.parse(opened);
          expect(typeof (opened as { card: unknown }).card).toBe('string');
          if (!x.untouched.includes('"card"')) expect(e.untouched).toBe(x.untouched);
        },
      ),
      { numRuns: Math.min(runs.numRuns, 30) },
    );
  });
});

describe('what cannot be opened is withheld, typed, with no output (§4.7)', () => {
  /** Both with and without `throwOnMissingField`: "field missing" must never be how it passes. */
  const withheld = (data: unknown, fields: string[]) => {
    for (const throwOnMissingField of [true, false]) {
      let out: unknown = 'no output';
      expect(() => {
        out = new DataMasking({ throwOnMissingField }).erase(data, { fields });
      }).toThrow(DataMaskingUnsupportedTypeError);
      expect(out).toBe('no output');
    }
  };
  const xml = `<user><email>${EMAIL}</email></user>`;
  const ndjson = `{"email":"${EMAIL}"}\n{"email":"b@example.com"}\n`;
  const malformed = `{"email":"${EMAIL}", "name": `;

  test.each([
    ['an XML body with its content type', proxy(xml, { headers: { 'content-type': 'application/xml' } })],
    ['an XML body without content type', { statusCode: 200, headers: {}, body: xml }],
    ['an XML string on a non-HTTP path', { body: xml }],
    ['an NDJSON body', proxy(ndjson, { headers: { 'content-type': 'application/x-ndjson' } })],
    ['an NDJSON body labelled JSON', proxy(ndjson)],
    ['an NDJSON string on a non-HTTP path', { body: ndjson }],
    ['malformed JSON on an explicit path', { body: malformed }],
    ['malformed JSON in an HTTP body', proxy(malformed)],
    [
      'a gzip body that does not decompress',
      proxy('H4sIAAAAAAAAA0tMSgYAAAD//w==', {
        isBase64Encoded: true,
        headers: { 'content-encoding': 'gzip' },
      }),
    ],
  ])('%s: erase on $.body.email throws DataMaskingUnsupportedTypeError', (_name, data) => {
    withheld(deepFreeze(data), ['$.body.email']);
  });

  test.each([
    ['an XML body', proxy(xml, { headers: { 'content-type': 'application/xml' } })],
    ['an NDJSON body', proxy(ndjson)],
    ['a malformed JSON body', proxy(malformed)],
  ])('%s: erase on $..email throws too (an HTTP body below ..)', (_name, data) => {
    withheld(deepFreeze(data), ['$..email']);
  });

  test.each([
    ['a resolved Promise', () => Promise.resolve({ email: EMAIL })],
    [
      'a thenable (plain object, as knex or a forgotten await returns)',
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
      () => ({ then: (ok: (v: unknown) => void) => ok({ email: EMAIL }) }),
    ],
    ['a Readable stream', () => Readable.from([JSON.stringify({ email: EMAIL })])],
    ['a web ReadableStream', () => new ReadableStream({ start: (c) => c.close() })],
  ])('%s on the path is refused (erase, explicit and ..)', (_name, make) => {
    for (const fields of [['$.body.email'], ['$..email'], ['$.body']]) {
      if (fields[0] === '$.body') continue; // selecting the value itself masks it whole: nothing to open
      withheld({ statusCode: 200, body: make() }, fields);
    }
  });

  test('a plain-object thenable below $..email, with an email elsewhere (default settings): refused', () => {
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
      then: (ok: (v: unknown) => void) => ok({ email: EMAIL }),
      email: EMAIL,
    };
    expect(() =>
      eraser().erase({ statusCode: 200, email: 'x@example.com', body: thenable }, { fields: ['$..email'] }),
    ).toThrow(DataMaskingUnsupportedTypeError);
  });

  test('a Promise or stream on the path: encrypt is refused before any KMS call', async () => {
    const m = crypto();
    for (const body of [Promise.resolve({ email: EMAIL }), Readable.from(['{}'])]) {
      await expect(m.encrypt({ body }, { fields: ['$.body.email'], context: ctx })).rejects.toBeInstanceOf(
        DataMaskingUnsupportedTypeError,
      );
    }
    await expect(
      m.encrypt(proxy(xml, { headers: { 'content-type': 'application/xml' } }), {
        fields: ['$.body.email'],
        context: ctx,
      }),
    ).rejects.toBeInstanceOf(DataMaskingUnsupportedTypeError);
    await expect(m.encrypt(proxy(ndjson), { fields: ['$..email'], context: ctx })).rejects.toBeInstanceOf(
      DataMaskingUnsupportedTypeError,
    );
    expect(kms().count('GenerateDataKey')).toBe(0);
    expect(kms().count('Encrypt')).toBe(0);
  });

  test('a class instance on the path is opened: its JSON form, masked', () => {
    class User {
      public constructor(
        public email: string,
        public name: string,
      ) {}
      public greet() {
        return `hi ${this.name}`;
      }
    }
    const input = deepFreeze({ user: new User(EMAIL, 'Jane') });
    for (const field of ['$.user.email', '$..email']) {
      const out = eraser().erase(input, { fields: [field] });
      expect(JSON.parse(JSON.stringify(out))).toEqual({ user: { email: MASK, name: 'Jane' } });
      leakFree(out);
    }
    expect(input.user.email).toBe(EMAIL);
  });

  test('a toJSON object (renaming a field) on the path is opened: what leaves is masked', () => {
    const secret = EMAIL;
    const dto = { hidden: secret, toJSON: () => ({ email: secret, kind: 'dto' }) };
    const input = deepFreeze({ user: dto, other: { toJSON: () => ({ email: secret }) } });
    const out = eraser().erase(input, { fields: ['$..email'] });
    expect(JSON.parse(JSON.stringify(out))).toEqual({
      user: { email: MASK, kind: 'dto' },
      other: { email: MASK },
    });
    leakFree(JSON.parse(JSON.stringify(out)));
    // A Date (a toJSON object) outside any path is passed through.
    const when = new Date(0);
    const out2 = eraser().erase({ when, email: EMAIL }, { fields: ['$.email'] });
    expect(out2.when).toBe(when);
  });

  test('a class instance inside a JSON body and a toJSON under encrypt: opened and restored as data', async () => {
    const m = crypto();
    class Card {
      public constructor(public number: string) {}
    }
    const input = deepFreeze({ card: new Card('4111111111111111') });
    const encrypted = (await m.encrypt(input, { fields: ['$.card.number'], context: ctx })) as {
      card: { number: string };
    };
    expect(JSON.stringify(encrypted)).not.toContain('4111111111111111');
    const decrypted = await m.decrypt(encrypted, { fields: ['$.card.number'], context: ctx });
    expect(JSON.parse(JSON.stringify(decrypted))).toEqual({ card: { number: '4111111111111111' } });
  });

  test('property: the input is never mutated, whatever layers it holds', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    fc.assert(
      fc.property(jsonDocument, fc.constantFrom('$..card', '$..a', '$.*.card', '$..*'), (doc, field) => {
        const data = deepFreeze({
          card: doc,
          body: JSON.stringify({ card: doc, a: [doc] }),
          twice: JSON.stringify(JSON.stringify({ a: doc })),
        });
        const out = new DataMasking({ throwOnMissingField: false }).erase(data, { fields: [field] });
        expect(typeof out.body).toBe('string');
        expect(typeof out.twice).toBe('string');
      }),
      runs,
    );
    warn.mockRestore();
  });
});
