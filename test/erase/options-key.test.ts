/**
 * Issue 9, item 5: `eraseOptionsKey` keys erase options by content, so a cache of compiled erasers can
 * never hand out an eraser compiled for different options, and never holds an hmac key in clear.
 */
import { createHash, createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import { patternDetector } from '../../src/detectors/detector.js';
import type { EraseOptions } from '../../src/erase/eraser.js';
import { eraseOptionsKey } from '../../src/erase/options-key.js';

const key = (options: unknown) => eraseOptionsKey(options as EraseOptions);
/** The rules of an options object, loosely typed so a test can change them in place. */
type Loose = { [k: string]: unknown; hmac?: { key: unknown } };
const rules = (o: EraseOptions) => o.maskingRules as unknown as Record<string, Loose>;
const runs = { numRuns: Number(process.env.FC_RUNS ?? 200) };

const ticket = patternDetector({ name: 'ticket', pattern: /TKT-\d+/ });
const fn = (v: unknown) => `#${String(v)}`;
const bytes = Buffer.from('a byte key');
const keyObject = createSecretKey(Buffer.from('a key object'));

/** A full options object, built fresh on every call. */
const full = (): EraseOptions => ({
  fields: ['user.email', '$..card', "$['a b']"],
  maskingRules: {
    ssn: { regexPattern: /\d{3}-\d{2}-(\d{4})/g, maskFormat: '***-**-$1' },
    'a.b': { dynamicMask: true, when: /^x/i },
    'c[*]': { customMask: 'C' },
    d: { hash: 'sha256' },
    e: { hmac: { key: 'the hmac secret' } },
    f: { hmac: { key: bytes } },
    g: { hmac: { key: keyObject } },
    h: { remove: true },
    i: fn,
    j: {},
  },
  detectors: ['email', ticket],
  customMask: 'TOP',
});

describe('equal content, equal key', () => {
  test('fresh but identical options objects get the same key', () => {
    expect(key(full())).toBeDefined();
    expect(key(full())).toBe(key(full()));
    expect(key({})).toBe(key({}));
    expect(key({ fields: ['a'] })).toBe(key({ fields: ['a'] }));
    expect(key({ regexPattern: /a/y, maskFormat: '' })).toBe(key({ regexPattern: /a/y, maskFormat: '' }));
  });

  test('a key set to undefined is the same as a key left out (both compile the same)', () => {
    expect(key({ fields: ['a'], maskingRules: undefined, customMask: undefined })).toBe(
      key({ fields: ['a'] }),
    );
    expect(key({ maskingRules: { a: { when: undefined } } })).toBe(key({ maskingRules: { a: {} } }));
  });

  test('the order in which a literal lists its keys does not matter', () => {
    expect(key({ fields: ['a'], dynamicMask: true })).toBe(key({ dynamicMask: true, fields: ['a'] }));
    expect(key({ maskingRules: { a: { regexPattern: /x/, maskFormat: 'y' } } })).toBe(
      key({ maskingRules: { a: { maskFormat: 'y', regexPattern: /x/ } } }),
    );
  });

  test('a null-prototype options object keys like a literal', () => {
    const bare = Object.assign(Object.create(null), { fields: ['a'] });
    expect(key(bare)).toBe(key({ fields: ['a'] }));
  });
});

describe('any difference, a different key', () => {
  const base = key(full());
  const variants: [string, (o: EraseOptions & Record<string, unknown>) => void][] = [
    ['a field added', (o) => (o.fields as string[]).push('x')],
    ['a field removed', (o) => (o.fields as string[]).pop()],
    ['a field changed', (o) => ((o.fields as string[])[0] = 'user.mail')],
    ['fields reordered', (o) => (o.fields as string[]).reverse()],
    ['fields gone', (o) => delete o.fields],
    ['a masking rule added', (o) => ((o.maskingRules as Record<string, unknown>).k = {})],
    ['a masking rule removed', (o) => delete (o.maskingRules as Record<string, unknown>).j],
    [
      'masking rules reordered',
      (o) => (o.maskingRules = Object.fromEntries(Object.entries(o.maskingRules ?? {}).reverse())),
    ],
    ['an expression renamed', (o) => (o.maskingRules = { ...o.maskingRules, jj: {} })],
    ['a RegExp source', (o) => (rules(o).ssn.regexPattern = /\d{3}-\d{2}-(\d{3})/g)],
    ['a RegExp flag', (o) => (rules(o).ssn.regexPattern = /\d{3}-\d{2}-(\d{4})/)],
    ['a when flag', (o) => (rules(o)['a.b'].when = /^x/)],
    ['a when added', (o) => (rules(o)['c[*]'].when = /C/)],
    ['a maskFormat', (o) => (rules(o).ssn.maskFormat = '***-**-$2')],
    ['a customMask', (o) => (rules(o)['c[*]'].customMask = 'D')],
    ['a top-level customMask', (o) => (o.customMask = 'TOP2')],
    ['a top-level rule removed', (o) => delete o.customMask],
    ['a top-level rule switched', (o) => Object.assign(o, { customMask: undefined, dynamicMask: true })],
    ['a shape switched', (o) => (rules(o)['a.b'] = { remove: true, when: /^x/i })],
    ['dynamicMask: false', (o) => (rules(o)['a.b'].dynamicMask = false)],
    ['a hash algorithm', (o) => (rules(o).d.hash = 'sha512')],
    ['an hmac string key', (o) => ((rules(o).e.hmac as { key: unknown }).key = 'the hmac secreT')],
    ['an hmac key object replaced', (o) => (rules(o).e.hmac = { key: 'other' })],
    [
      'an hmac byte key replaced (same bytes)',
      (o) => ((rules(o).f.hmac as { key: unknown }).key = Buffer.from(bytes)),
    ],
    [
      'an hmac KeyObject replaced',
      (o) => ((rules(o).g.hmac as { key: unknown }).key = createSecretKey(Buffer.from('a key object'))),
    ],
    [
      'a function rule replaced',
      (o) => ((o.maskingRules as Record<string, unknown>).i = (v: unknown) => `#${String(v)}`),
    ],
    ['a function rule turned into an object', (o) => ((o.maskingRules as Record<string, unknown>).i = {})],
    ['a detector added', (o) => (o.detectors as unknown[]).push('jwt')],
    ['a detector removed', (o) => (o.detectors as unknown[]).shift()],
    ['detectors reordered', (o) => (o.detectors as unknown[]).reverse()],
    [
      'a detector object replaced',
      (o) => ((o.detectors as unknown[])[1] = patternDetector({ name: 'ticket', pattern: /TKT-\d+/ })),
    ],
    ['detectors gone', (o) => delete o.detectors],
  ];
  test.each(variants)('%s', (_, change) => {
    const options = full() as EraseOptions & Record<string, unknown>;
    change(options);
    const changed = key(options);
    expect(changed).toBeDefined();
    expect(changed).not.toBe(base);
  });

  test('every variant differs from every other', () => {
    const keys = variants.map(([, change]) => {
      const options = full() as EraseOptions & Record<string, unknown>;
      change(options);
      return key(options);
    });
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('mutating an options object after computing its key changes its key', () => {
    const options = { fields: ['a'] };
    const before = key(options);
    options.fields.push('b');
    expect(key(options)).not.toBe(before);
    expect(key(options)).toBe(key({ fields: ['a', 'b'] }));
  });

  test('separators inside strings cannot make two configurations collide', () => {
    const pairs: [unknown, unknown][] = [
      [{ fields: ['a', 'b'] }, { fields: ['a,b'] }],
      [{ fields: ['a', 'b'] }, { fields: ['a"', '"b'] }],
      [{ fields: ['1:a'] }, { fields: ['a', 'a'] }],
      [{ fields: ['s1:a'] }, { fields: ['a'] }],
      [{ fields: ['a'], customMask: 'b' }, { fields: ['a', 'b'] }],
      [{ maskingRules: { a: {}, b: {} } }, { maskingRules: { 'a"o': {} } }],
      [{ maskingRules: { 'a1:b': {} } }, { maskingRules: { a: {}, b: {} } }],
      [{ detectors: ['email'] }, { fields: ['email'] }],
      [
        { regexPattern: /a\/g/, maskFormat: 'x' },
        { regexPattern: /a/g, maskFormat: 'x' },
      ],
      [{ customMask: '' }, {}],
      [{ fields: [] }, {}],
      [{ maskingRules: {} }, {}],
      [{ detectors: [] }, {}],
    ];
    for (const [a, b] of pairs) {
      expect(key(a)).toBeDefined();
      expect(key(a)).not.toBe(key(b));
    }
  });

  test('property: the key is injective on fields, masks and expressions', () => {
    const text = fc.string({ unit: 'binary', maxLength: 6 });
    const options = fc.record(
      {
        fields: fc.array(text, { maxLength: 4 }),
        customMask: text,
        maskingRules: fc.dictionary(text, fc.record({ customMask: text }, { requiredKeys: [] }), {
          maxKeys: 3,
        }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(options, options, (a, b) => {
        const canonical = (o: typeof a) =>
          JSON.stringify([
            o.fields ?? null,
            o.customMask ?? null,
            // An empty `maskingRules` compiles like none; the key may tell them apart (a cache miss only).
            o.maskingRules === undefined
              ? null
              : Object.entries(o.maskingRules).map(([k, r]) => [k, r.customMask ?? null]),
          ]);
        expect(key(a) === key(b)).toBe(canonical(a) === canonical(b));
      }),
      runs,
    );
  });
});

describe('secrets never appear in the key', () => {
  test('an hmac string key, in clear, hex, base64 or as its plain SHA-256, is nowhere in the key', () => {
    const secret = 'correct horse battery staple';
    const k = key({
      maskingRules: { a: { hmac: { key: secret } } },
      hmac: { key: secret },
    } as unknown as EraseOptions);
    expect(k).toBeDefined();
    const forms = [
      secret,
      Buffer.from(secret).toString('hex'),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      createHash('sha256').update(secret).digest('hex'),
      createHash('sha256').update(secret).digest('base64'),
      createHash('sha256').update(secret).digest('base64url'),
    ];
    for (const form of forms) expect(k).not.toContain(form);
    expect(k).not.toContain('horse');
  });

  test('byte and KeyObject hmac keys are keyed by identity, their bytes never copied', () => {
    const raw = Buffer.from('0123456789abcdef0123456789abcdef');
    const k = key({ hmac: { key: raw } }) as string;
    for (const form of [
      raw.toString('hex'),
      raw.toString('base64'),
      raw.toString('latin1'),
      raw.toString('utf8'),
    ]) {
      expect(k).not.toContain(form);
    }
    expect(key({ hmac: { key: raw } })).toBe(k);
    const ko = createSecretKey(raw);
    expect(key({ hmac: { key: ko } })).toBe(key({ hmac: { key: ko } }));
    expect(key({ hmac: { key: ko } })).not.toBe(k);
  });

  test('the same string hmac key gives the same key; a different one, a different key', () => {
    expect(key({ hmac: { key: 's3cret' } })).toBe(key({ hmac: { key: 's3cret' } }));
    expect(key({ hmac: { key: 's3cret' } })).not.toBe(key({ hmac: { key: 's3creT' } }));
  });
});

describe('what cannot be keyed safely is not keyed', () => {
  const unkeyable: [string, unknown][] = [
    ['null', null],
    ['an array', []],
    ['a class instance', new (class Options {})()],
    ['an object inheriting fields', Object.create({ fields: ['a'] })],
    ['an unknown key', { fields: ['a'], fieldz: ['b'] }],
    ['an unknown key set to undefined', { fieldz: undefined }],
    ['fields not an array', { fields: 'a' }],
    ['a non-string field', { fields: ['a', 1] }],
    ['an array subclass', { fields: new (class extends Array<string> {})() }],
    ['a hole in fields', { fields: Object.assign(new Array<string>(3), { 0: 'a', 2: 'b' }) }],
    ['maskingRules not a plain object', { maskingRules: new Map() }],
    ['a rule that is neither object nor function', { maskingRules: { a: 'mask' } }],
    ['a rule with an unknown key', { maskingRules: { a: { mask: 'x' } } }],
    ['a rule with nested fields', { maskingRules: { a: { fields: ['b'] } } }],
    ['a rule of a class', { maskingRules: { a: new (class Rule {})() } }],
    ['a RegExp subclass', { regexPattern: new (class R extends RegExp {})('a'), maskFormat: 'x' }],
    ['a non-RegExp when', { when: 'x' }],
    ['a non-string maskFormat', { regexPattern: /a/, maskFormat: 1 }],
    ['a non-boolean dynamicMask', { dynamicMask: 1 }],
    ['a non-string customMask', { customMask: null }],
    ['hmac without a key', { hmac: {} }],
    ['hmac with a number key', { hmac: { key: 1 } }],
    [
      'hmac not a plain object',
      {
        hmac: new (class H {
          key = 'k';
        })(),
      },
    ],
    ['detectors not an array', { detectors: 'email' }],
    ['a null detector', { detectors: [null] }],
    ['a number detector', { detectors: [1] }],
  ];
  test.each(unkeyable)('%s', (_, options) => {
    expect(key(options)).toBeUndefined();
  });
});

test('linear: a large options object (a quadratic encoding would take minutes)', () => {
  const fields = Array.from({ length: 50_000 }, (_, i) => `$.items[${i}].card`);
  const maskingRules = Object.fromEntries(fields.map((f) => [f, { customMask: f }]));
  const start = performance.now();
  expect(key({ fields, maskingRules })).toBeDefined();
  expect(performance.now() - start).toBeLessThan(5000);
});
