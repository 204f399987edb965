/**
 * Issue 9, item 17 (§4.7 "Numbers are not changed by masking"): integers beyond 2^53 and numbers with
 * exponents a double cannot carry, in a JSON string body, survive a mask-and-reserialize round trip
 * exactly — compared as text — through `DataMasking.erase`, `encrypt` (the numbers it does not touch) and
 * `decrypt`, with no middleware.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import { provider, useKms } from '../crypto/support.js';
import { deepFreeze } from '../support/deep-freeze.js';

const { kms } = useKms(1);
const ctx = { tenant_id: 'acme' };
const crypto = () => new DataMasking({ provider: provider(kms().keys) });
const EMAIL = 'jane@example.com';
const MASK = '*****';

/** Number texts JSON.parse alone would change. */
const LOSSY = [
  '12345678901234567890',
  '-9007199254740993',
  '9007199254740993',
  '18446744073709551615',
  '-12345678901234567890123456789',
  '123456789012345678901234567890e10',
  '3.14159265358979323846264338327950288',
  '0.1000000000000000055511151231257827',
  '1e400',
  '-1E+400',
];
/** Exponents so small the double underflows: the value, not only the text, changes when parsed. */
const UNDERFLOW = ['1e-400', '-2.5E-999'];

const compact = (pairs: [string, string][]) =>
  `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
const document = (numbers: readonly string[], email = JSON.stringify(EMAIL)) =>
  compact([
    ['email', email],
    ...numbers.map((n, i): [string, string] => [`n${i}`, n]),
    ['list', `[${numbers.join(',')}]`],
    ['nested', compact([['deep', `[{"v":${numbers[0]}}]`]])],
  ]);
const proxy = (body: string, extra: Record<string, unknown> = {}) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  ...extra,
  body,
});

describe('erase keeps every number exact (compared as text)', () => {
  test.each(['$.body.email', '$..email'])('a JSON string body, %s', (field) => {
    const text = document(LOSSY);
    const out = new DataMasking().erase(deepFreeze(proxy(text)), { fields: [field] });
    expect(out.body).toBe(document(LOSSY, JSON.stringify(MASK)));
  });

  test('a top-level JSON string', () => {
    const text = document(LOSSY);
    expect(new DataMasking().erase(text, { fields: ['$.email'] })).toBe(
      document(LOSSY, JSON.stringify(MASK)),
    );
  });

  test('JSON inside JSON, base64 and gzip bodies', () => {
    const text = document(LOSSY);
    const expected = document(LOSSY, JSON.stringify(MASK));
    const m = new DataMasking();

    const twice = m.erase({ body: JSON.stringify(text) }, { fields: ['$.body.email'] });
    expect(JSON.parse(twice.body)).toBe(expected);

    const b64 = m.erase(proxy(Buffer.from(text).toString('base64'), { isBase64Encoded: true }), {
      fields: ['$.body.email'],
    });
    expect(Buffer.from(b64.body, 'base64').toString('utf8')).toBe(expected);

    const gz = m.erase(
      proxy(gzipSync(Buffer.from(text)).toString('base64'), {
        isBase64Encoded: true,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      }),
      { fields: ['$..email'] },
    );
    expect(gunzipSync(Buffer.from(gz.body, 'base64')).toString('utf8')).toBe(expected);

    const buffer = m.erase({ body: Buffer.from(text) }, { fields: ['$.body.email'] });
    expect((buffer.body as Buffer).toString('utf8')).toBe(expected);
  });

  test('a rule that masks the big number itself sees its exact digits', () => {
    const text = compact([
      ['id', '12345678901234567890'],
      ['n', '9007199254740993'],
    ]);
    const digest = createHash('sha256').update('12345678901234567890').digest('hex');
    const hashed = new DataMasking().erase({ body: text }, { fields: ['$.body.id'], hash: 'sha256' });
    expect(hashed.body).toBe(
      compact([
        ['id', JSON.stringify(digest)],
        ['n', '9007199254740993'],
      ]),
    );
    const dynamic = new DataMasking().erase({ body: text }, { fields: ['$.body.id'], dynamicMask: true });
    expect(dynamic.body).toBe(
      compact([
        ['id', JSON.stringify('*'.repeat(20))],
        ['n', '9007199254740993'],
      ]),
    );
  });

  test('underflowing exponents (1e-400) are not turned into 0', () => {
    const text = document(UNDERFLOW);
    const out = new DataMasking().erase(proxy(text), { fields: ['$.body.email'] });
    expect(out.body).toBe(document(UNDERFLOW, JSON.stringify(MASK)));
  });

  test('property: any integer string beyond 2^53 survives erase exactly', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .tuple(fc.boolean(), fc.bigInt({ min: 2n ** 53n + 1n, max: 10n ** 40n }))
            .map(([neg, n]) => `${neg ? '-' : ''}${n}`),
          { minLength: 1, maxLength: 6 },
        ),
        (numbers) => {
          const text = document(numbers);
          const out = new DataMasking().erase({ body: text }, { fields: ['$.body.email'] });
          expect(out.body).toBe(document(numbers, JSON.stringify(MASK)));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('encrypt and decrypt keep every number exact', () => {
  test('encrypt leaves the numbers it does not touch exact; decrypt restores the text', async () => {
    const m = crypto();
    const text = document(LOSSY);
    const input = deepFreeze(proxy(text));
    const encrypted = await m.encrypt(input, { fields: ['$.body.email'], context: ctx });
    const body = (encrypted as { body: string }).body;
    expect(body).not.toContain(EMAIL);
    const ciphertext = (JSON.parse(body) as { email: string }).email;
    expect(body).toBe(document(LOSSY, JSON.stringify(ciphertext)));
    const decrypted = await m.decrypt(encrypted, { fields: ['$.body.email'], context: ctx });
    expect((decrypted as { body: string }).body).toBe(text);
  });

  test('a big integer that is itself encrypted comes back exact (decrypt does not round it)', async () => {
    const m = crypto();
    const text = compact([
      ['id', '12345678901234567890'],
      ['neg', '-9007199254740993'],
      ['e', '1e400'],
    ]);
    const fields = ['$.body.id', '$.body.neg', '$.body.e'];
    const encrypted = await m.encrypt({ body: text }, { fields, context: ctx });
    const body = (encrypted as { body: string }).body;
    expect(body).not.toContain('12345678901234567890');
    const decrypted = await m.decrypt(encrypted, { fields, context: ctx });
    expect((decrypted as { body: string }).body).toBe(text);
  });

  test('a JSON string payload encrypted whole (no fields) comes back as the same text', async () => {
    const m = crypto();
    const text = document(LOSSY);
    const encrypted = await m.encrypt(text, { context: ctx });
    await expect(m.decrypt(encrypted, { context: ctx })).resolves.toBe(text);
  });
});
