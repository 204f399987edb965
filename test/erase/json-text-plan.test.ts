/**
 * The static plan over JSON text (batch records): it must give what the parse path gives — parse, erase,
 * stringify — up to spacing and spelling, and never accept text `JSON.parse` refuses.
 */
import fc from 'fast-check';
import { DEFAULT_MASK } from '../../src/erase/constants.js';
import { compileEraser, type EraseOptions } from '../../src/erase/eraser.js';
import { parseJson } from '../../src/erase/lossless-json.js';
import { textEraserOf } from '../../src/erase/text-eraser.js';
import { compileSelector } from '../../src/selector/selector.js';
import { jsonDocument } from '../support/arbitraries.js';

const runs = { numRuns: Number(process.env.FC_RUNS ?? 1000) };

function compile(options: EraseOptions, throwOnMissingField = false) {
  const eraser = compileEraser(options, { throwOnMissingField, compile: (e) => compileSelector(e) });
  return { eraser, text: textEraserOf(eraser) };
}

/** The text form; fails the test when the configuration was expected to have one. */
function textEraser(options: EraseOptions): (text: string) => string | undefined {
  const { text } = compile(options);
  if (text === undefined) throw new Error('no text form for this configuration');
  return text;
}

/** JSON text as plain data, as a reader of the parse path's output sees it (`-0` is written `0` there). */
const plain = (text: string): unknown => JSON.parse(JSON.stringify(JSON.parse(text)));

/** What the parse path gives for `text`, as plain JSON data. */
function parsePath(options: EraseOptions, text: string): unknown {
  const out = compile(options).eraser(parseJson(text));
  return JSON.parse(JSON.stringify(out));
}

describe('the JSON text plan', () => {
  test('masks the selected values in place, and keeps every other character', () => {
    const text =
      '{ "id" : 12345678901234567890, "user": {"email":"jane@example.com" ,"n":1.50e2},\n"x":[ 1 ] }';
    const out = textEraser({ fields: ['user.email', 'id'] })(text);
    expect(out).toBe('{ "id" : "*****", "user": {"email":"*****" ,"n":1.50e2},\n"x":[ 1 ] }');
  });

  test('gives the same string back when nothing is selected', () => {
    const text = '{"a":{"b":1}}';
    expect(textEraser({ fields: ['a.c', 'z'] })(text)).toBe(text);
  });

  test('wildcards, indices from either end, names that are also indices, and `..`', () => {
    const doc = { a: [{ c: 1 }, { c: 2 }, { c: 3 }], b: { x: { card: 1 }, y: [{ card: [1, 2] }] }, '0': 'z' };
    const text = JSON.stringify(doc, null, 2);
    for (const fields of [['a[*].c'], ['a[0].c', 'b.*.card'], ['a[-1]'], ['$..card'], ['0'], ['a.0.c']]) {
      const out = textEraser({ fields })(text);
      expect(out).toBeDefined();
      expect(JSON.parse(out as string)).toEqual(parsePath({ fields }, text));
    }
  });

  test('other rules run on the selected value, parsed from its own text', () => {
    const text = '{"card":"4111 1111 1111 1111","n":12345678901234567890,"list":["ab","cd"]}';
    const options: EraseOptions = {
      maskingRules: {
        card: { regexPattern: /\d(?=[\d ]{4})/g, maskFormat: '*' },
        n: { dynamicMask: true },
        list: { customMask: 'X' },
      },
    };
    expect(textEraser(options)(text)).toBe(
      '{"card":"**** **** **** 1111","n":"********************","list":["X","X"]}',
    );
  });

  test('removal takes its separator with it, wherever the member is', () => {
    const remove = textEraser({ fields: ['a', 'c'], remove: true } as EraseOptions);
    expect(remove('{"a":1,"b":2,"c":3}')).toBe('{"b":2}');
    expect(remove('{ "a" : 1 , "c" : 3 , "b" : 2 }')).toBe('{ "b" : 2 }');
    expect(remove('{"b":2,"a":1,"c":3}')).toBe('{"b":2}');
    expect(JSON.parse(remove('{"a":1,"c":3}') as string)).toEqual({});
    const elements = textEraser({ fields: ['x[*]'], remove: true } as EraseOptions);
    expect(JSON.parse(elements('{"x":[1,2,3]}') as string)).toEqual({ x: [] });
    const first = textEraser({ fields: ['x[0]'], remove: true } as EraseOptions);
    expect(first('{"x":[1,2,3]}')).toBe('{"x":[2,3]}');
    const last = textEraser({ fields: ['x[-1]'], remove: true } as EraseOptions);
    expect(last('{"x":[1,2,3]}')).toBe('{"x":[1,2]}');
    expect(last('{"x":[1]}')).toBe('{"x":[]}');
  });

  test('a key spelled with escapes is the key it spells', () => {
    const out = textEraser({ fields: ['user.email'] })('{"us\\u0065r":{"\\u0065mail":"jane@example.com"}}');
    expect(out).toBe('{"us\\u0065r":{"\\u0065mail":"*****"}}');
  });

  test('every occurrence of a duplicate key is masked, whichever one a reader keeps', () => {
    const out = textEraser({ fields: ['email', 'a.b'] })(
      '{"email":"first@example.com","a":{"b":"x"},"email":"second@example.com","a":{"b":"y"}}',
    );
    expect(out).toBe('{"email":"*****","a":{"b":"*****"},"email":"*****","a":{"b":"*****"}}');
  });

  test.each([
    ['not JSON', 'card=4111'],
    ['empty', ''],
    ['a trailing comma', '{"a":1,}'],
    ['a leading zero', '{"a":01}'],
    ['a bare minus', '{"a":-}'],
    ['a bare decimal point', '{"a":1.}'],
    ['an exponent without digits', '{"a":1e}'],
    ['single quotes', "{'a':1}"],
    ['a raw tab in a string', '{"a":"x\ty"}'],
    ['a raw line feed in a key', '{"a\n":1}'],
    ['an unknown escape', '{"a":"\\x41"}'],
    ['a short unicode escape', '{"a":"\\u41"}'],
    ['NaN', '{"a":NaN}'],
    ['a comment', '{"a":1 /* c */}'],
    ['text after the document', '{"a":1} {"a":2}'],
    ['an unterminated string', '{"a":"x'],
    ['an unclosed object', '{"a":{"b":1}'],
    ['a misspelled literal', '{"a":nul}'],
    ['a vertical tab as space', '{"a":\u000b1}'],
    ['a byte-order mark', '\ufeff{"a":1}'],
  ])('gives %s back to the parse path', (_, text) => {
    expect(textEraser({ fields: ['a', 'b.c'] })(text)).toBeUndefined();
  });

  test.each([
    ['a string on a path (it may hold JSON)', ['a.b'], '{"a":"{\\"b\\":1}"}', true],
    ['a string below `..` that starts like JSON', ['$..card'], '{"x":"[{\\"card\\":1}]"}', true],
    ['a string below `..` that starts with an escape', ['$..card'], '{"x":"\\u007b\\"card\\":1}"}', true],
    ['an escaped key below `..`', ['$..card'], '{"c\\u0061rd":1}', true],
    ['any non-empty `body` below `..`', ['$..card'], '{"body":"card=1"}', false],
  ])('gives %s back to the parse path', (_, fields, text, masks) => {
    expect(textEraser({ fields })(text)).toBeUndefined();
    // Which masks what it must look into (the last one is plain text to the parse path too).
    expect(parsePath({ fields }, text)).not.toEqual(masks ? JSON.parse(text) : {});
    if (!masks) expect(parsePath({ fields }, text)).toEqual(JSON.parse(text));
  });

  test('an empty string on a path is a leaf, not something to open', () => {
    expect(textEraser({ fields: ['a.b'] })('{"a":""}')).toBe('{"a":""}');
  });

  test('nesting past 400 goes to the parse path; 400 does not', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const erase = textEraser({ fields: ['a'] });
    expect(erase(`{"b":${nested(398)},"a":1}`)).toBe(`{"b":${nested(398)},"a":"*****"}`);
    expect(erase(`{"b":${nested(400)},"a":1}`)).toBeUndefined();
  });

  test('no text form where the text walk cannot keep what a rule needs', () => {
    expect(compile({ fields: ['a'], detectors: ['email'] }).text).toBeUndefined(); // every string
    expect(compile({ maskingRules: { a: (v: unknown) => v } }).text).toBeUndefined(); // reads the path
    expect(compile({ fields: ['$'] }).text).toBeUndefined(); // the whole document
    expect(compile({ maskingRules: { '$..a': { customMask: 'x' } } }).text).toBeUndefined();
    expect(compile({ fields: ['a[?@.b]'] }).text).toBeUndefined(); // a filter: the general evaluator
  });

  test('an expression that selects nothing is judged by the parse path when it is reported', () => {
    const { text, eraser } = compile({ fields: ['a', 'missing'] }, true);
    expect(text?.('{"a":1}')).toBeUndefined();
    expect(() => eraser({ a: 1 })).toThrow('missing');
    expect(text?.('{"a":1,"missing":2}')).toBe('{"a":"*****","missing":"*****"}');
  });

  test('long strings, escapes and control characters among them', () => {
    const long = 'x'.repeat(100_000);
    const text = JSON.stringify({ a: long, b: 'tab\there "quoted" \\ \u0001', c: long, card: 'secret' });
    const out = textEraser({ fields: ['card'] })(text);
    expect(out).toBe(text.replace('"secret"', `"${DEFAULT_MASK}"`));
  });
});

// ——— properties ———

const expression = fc.oneof(
  fc.constantFrom('a.0', 'a.0.card', '0', 'b.1', 'card'), // Powertools' dotted form: names that are indices too
  fc
    .array(fc.constantFrom('.a', '.b', '.card', "['0']", '[*]', '[0]', '[-1]', '[1]'), {
      minLength: 1,
      maxLength: 3,
    })
    .chain((segments) =>
      fc.boolean().map((descendant) => `$${segments.join('')}${descendant ? '..card' : ''}`),
    ),
);
const rule = fc.constantFrom<Record<string, unknown>>(
  {},
  { remove: true },
  { customMask: 'X' },
  { dynamicMask: true },
  { regexPattern: /a/g, maskFormat: 'Z' },
  { hash: 'sha256' },
  { when: /^a/ },
);
const options: fc.Arbitrary<EraseOptions> = fc.oneof(
  fc
    .tuple(fc.array(expression, { minLength: 1, maxLength: 3 }), rule)
    .map(([fields, top]) => ({ fields, ...top }) as EraseOptions),
  fc
    .array(fc.tuple(expression, rule), { minLength: 1, maxLength: 3 })
    .map((pairs) => ({ maskingRules: Object.fromEntries(pairs) }) as EraseOptions),
);

/** JSON text of `value` with random spacing, keys partly spelled with escapes, numbers in other spellings. */
function spelled(value: unknown, choices: () => number): string {
  const space = () => [' ', '', '\n  ', '\t', '\r\n'][choices() % 5];
  const str = (s: string) =>
    choices() % 3 === 0
      ? `"${[...s].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
      : JSON.stringify(s);
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number')
    return [String(value), `${value}.0`, `${value}e0`, `${value}E+00`][choices() % 4];
  if (typeof value === 'string') return str(value);
  if (Array.isArray(value))
    return `[${space()}${value.map((v) => spelled(v, choices)).join(`${space()},`)}${space()}]`;
  const members = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${space()}${str(k)}${space()}:${space()}${spelled(v, choices)}`,
  );
  return `{${members.join(',')}${space()}}`;
}

const spelledDocument = fc.tuple(jsonDocument, fc.infiniteStream(fc.nat())).map(([doc, stream]) => {
  const it = stream[Symbol.iterator]();
  return spelled(doc, () => it.next().value as number);
});

/** A text changed in one place: most are not JSON any more, some still are. */
const mutated = fc
  .tuple(
    spelledDocument,
    fc.nat(),
    fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      ',',
      ':',
      '\\',
      ' ',
      '\u0001',
      '0',
      '-',
      '.',
      'e',
      't',
      'n',
      'u',
    ),
    fc.constantFrom('insert', 'delete', 'replace'),
  )
  .map(([text, at, ch, how]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'insert') return text.slice(0, i) + ch + text.slice(i);
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + ch + text.slice(i + 1);
  });

describe('the JSON text plan, against the parse path', () => {
  test('where it answers, it answers what parse, erase and stringify give', () => {
    let answered = 0;
    fc.assert(
      fc.property(spelledDocument, options, (text, opts) => {
        const { text: erase } = compile(opts);
        if (erase === undefined) return;
        const out = erase(text);
        if (out === undefined) return;
        answered++;
        expect(plain(out)).toEqual(parsePath(opts, text));
      }),
      runs,
    );
    // Not vacuous: many generated cases take the text walk (the others run into strings to open).
    expect(answered).toBeGreaterThan(runs.numRuns / 10);
  });

  test('it never accepts text JSON.parse refuses, and agrees with the parse path on what it accepts', () => {
    fc.assert(
      fc.property(mutated, options, (text, opts) => {
        const { text: erase } = compile(opts);
        const out = erase?.(text);
        if (out === undefined) return;
        expect(() => JSON.parse(text)).not.toThrow();
        expect(plain(out)).toEqual(parsePath(opts, text));
      }),
      runs,
    );
  });
});
