import { createHash, createHmac } from 'node:crypto';
import { DataMasking } from '../../src/data-masking.js';
import type { EraseOptions } from '../../src/erase/eraser.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';

const masker = new DataMasking();
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('masking rules', () => {
  const data = { card: '1234 5678 9012 3456', ssn: '123-45-6789', age: 42, nick: null, tags: ['ab', 'cde'] };

  test('regexPattern + maskFormat (the Powertools shape)', () => {
    const out = masker.erase(data, {
      fields: ['card'],
      regexPattern: /(\d{4}) (\d{4}) (\d{4}) (\d{4})/,
      maskFormat: '$1 **** **** $4',
    });
    expect(out.card).toBe('1234 **** **** 3456');
  });

  test('dynamicMask keeps the length; non-strings are stringified; null is kept', () => {
    const out = masker.erase(data, { fields: ['ssn', 'age', 'nick'], dynamicMask: true });
    expect(out).toMatchObject({ ssn: '***********', age: '**', nick: null });
  });

  test('customMask', () => {
    expect(masker.erase(data, { fields: ['ssn'], customMask: 'REDACTED' }).ssn).toBe('REDACTED');
  });

  test('a rule on an array or object applies to each leaf and keeps the shape', () => {
    expect(masker.erase(data, { fields: ['tags'], dynamicMask: true }).tags).toEqual(['**', '***']);
    expect(masker.erase({ o: { a: 'xy', b: [1] } }, { fields: ['o'], customMask: '#' })).toEqual({
      o: { a: '#', b: ['#'] },
    });
  });

  test('hash: lowercase hex SHA-256 of the string form', () => {
    const out = masker.erase(data, { fields: ['ssn', 'age'], hash: 'sha256' });
    expect(out.ssn).toBe(sha256('123-45-6789'));
    expect(out.age).toBe(sha256('42'));
    expect(out.ssn).toMatch(/^[0-9a-f]{64}$/);
  });

  test('hmac: a keyed pseudonym, stable per key, different across keys', () => {
    const a = masker.erase(data, { fields: ['ssn'], hmac: { key: 'k1' } }).ssn;
    const again = masker.erase(data, { fields: ['ssn'], hmac: { key: 'k1' } }).ssn;
    const b = masker.erase(data, { fields: ['ssn'], hmac: { key: 'k2' } }).ssn;
    expect(a).toBe(createHmac('sha256', 'k1').update('123-45-6789').digest('hex'));
    expect(again).toBe(a);
    expect(b).not.toBe(a);
    expect(a).not.toBe(sha256('123-45-6789'));
  });

  test('remove deletes keys and array elements', () => {
    expect(masker.erase(data, { fields: ['ssn', 'card'], remove: true })).toEqual({
      age: 42,
      nick: null,
      tags: ['ab', 'cde'],
    });
    expect(
      masker.erase({ list: [1, 2, 3, 4] }, { fields: ['$.list[?@ > 1 && @ < 4]'], remove: true }),
    ).toEqual({ list: [1, 4] });
    expect(masker.erase({ list: [1, 2, 3] }, { fields: ['list[0]', 'list[2]'], remove: true })).toEqual({
      list: [2],
    });
  });

  test('when applies the rule only to matching strings', () => {
    const ids = { staff: ['123-45-6789', 'E-1001', '987-65-4321', 7] };
    expect(masker.erase(ids, { fields: ['staff[*]'], when: /^\d{3}-\d{2}-\d{4}$/ })).toEqual({
      staff: ['*****', 'E-1001', '*****', 7],
    });
    expect(masker.erase(ids, { fields: ['staff'], hash: 'sha256', when: /^E-/g }).staff).toEqual([
      '123-45-6789',
      sha256('E-1001'),
      '987-65-4321',
      7,
    ]);
  });

  test('a function rule gets the original value and its normalized path', () => {
    const seen: [unknown, string][] = [];
    const out = masker.erase(data, {
      maskingRules: {
        'tags[*]': (value, path) => {
          seen.push([value, path]);
          return `<${String(value).length}>`;
        },
      },
    });
    expect(out.tags).toEqual(['<2>', '<3>']);
    expect(seen).toEqual([
      ['ab', "$['tags'][0]"],
      ['cde', "$['tags'][1]"],
    ]);
  });

  test('maskingRules override the top-level rule for the nodes they select', () => {
    const out = masker.erase(data, {
      fields: ['ssn', 'card'],
      customMask: 'TOP',
      maskingRules: { card: { regexPattern: /\d{4} \d{4} \d{4}/, maskFormat: '**** **** ****' } },
    });
    expect(out.ssn).toBe('TOP');
    expect(out.card).toBe('**** **** **** 3456');
  });

  test.each<[string, EraseOptions]>([
    [
      'a Powertools shape with one of ours',
      { fields: ['a'], customMask: 'x', hash: 'sha256' } as unknown as EraseOptions,
    ],
    ['regexPattern without maskFormat', { fields: ['a'], regexPattern: /a/ } as unknown as EraseOptions],
    ['an unknown hash', { fields: ['a'], hash: 'md5' } as unknown as EraseOptions],
    ['hmac without a key', { fields: ['a'], hmac: {} } as unknown as EraseOptions],
    ['an unknown option', { fields: ['a'], mask: 'x' } as unknown as EraseOptions],
    ['a non-RegExp when', { fields: ['a'], when: 'x' } as unknown as EraseOptions],
    ['fields not an array', { fields: 'a' } as unknown as EraseOptions],
  ])('a malformed rule (%s) is refused at configuration', (_, options) => {
    expect(() => masker.compileErase(options)).toThrow(DataMaskingUnsupportedTypeError);
  });
});

describe("several Powertools shapes in one rule: Powertools' precedence (regexPattern, customMask, dynamicMask)", () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['customMask over dynamicMask', { customMask: 'XX', dynamicMask: true }, 'XX'],
    [
      'regexPattern over the others',
      { regexPattern: /(.)(.+?)(@.*)/, maskFormat: '$1****$3', customMask: 'XX', dynamicMask: true },
      'j****@example.com',
    ],
  ])('%s', (_, rule, expected) => {
    const out = new DataMasking().erase({ v: 'jane@example.com' }, { maskingRules: { v: rule as never } });
    expect(out.v).toBe(expected);
  });
});

describe('format-aware rules', () => {
  const masker = new DataMasking({ throwOnMissingField: false });
  test('keep the last 4 (and the first 6) letters and digits; separators stay', () => {
    const data = { card: '4111-1111-1111-1111', iban: 'DE89 3704 0044 0532 0130 00', n: 4111111111111111 };
    expect(masker.erase(data, { fields: ['card', 'n'], keep: { last: 4 } } as never)).toEqual({
      ...data,
      card: '****-****-****-1111',
      n: '************1111',
    });
    expect(masker.erase(data, { maskingRules: { iban: { keep: { first: 6, last: 4 } } } })).toEqual({
      ...data,
      iban: 'DE89 37** **** **** **30 00',
    });
  });

  test('a value with no more letters and digits than kept is masked whole', () => {
    expect(masker.erase({ pin: '12-34' }, { maskingRules: { pin: { keep: { last: 4 } } } })).toEqual({
      pin: '**-**',
    });
    expect(masker.erase({ pin: '12345' }, { maskingRules: { pin: { keep: { last: 4 } } } })).toEqual({
      pin: '*2345',
    });
  });

  test('digits only', () => {
    expect(
      masker.erase(
        { phone: '+44 20 7946 0958', note: 'room 12B' },
        {
          maskingRules: { phone: { digits: 'mask' }, note: { digits: 'mask' } },
        },
      ),
    ).toEqual({ phone: '+** ** **** ****', note: 'room **B' });
  });

  test.each([
    [{ keep: {} }],
    [{ keep: { last: -1 } }],
    [{ keep: { last: 1.5 } }],
    [{ keep: { lats: 4 } }],
    [{ keep: 4 }],
    [{ digits: 'hide' }],
    [{ keep: { last: 4 }, hash: 'sha256' }],
  ])('malformed %j is refused', (rule) => {
    expect(() => masker.erase({ a: 'x' }, { maskingRules: { a: rule as never } })).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });
});
