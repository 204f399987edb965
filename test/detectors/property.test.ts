import fc from 'fast-check';
import { type Detector, type DetectorName, detectors, redactString } from '../../src/detectors/index.js';

const MASK = '*****';
const all: Detector[] = Object.values(detectors);
const names = Object.keys(detectors) as DetectorName[];

/** Fragments that make detectors fire, almost fire, or disagree about boundaries. */
const fragments = fc.constantFrom(
  'a',
  'Z',
  '1',
  '4',
  '0',
  '_',
  '.',
  '-',
  ' ',
  '\t',
  '@',
  '/',
  '+',
  '=',
  ':',
  '"',
  "'",
  '\\',
  ',',
  'jane@example.com',
  'x@y.co',
  '4111',
  '1111',
  '4111111111111111',
  '378282246310005',
  '123',
  '45',
  '6789',
  '123-45-6789',
  'eyJ',
  'eyJhbGciOiJIUzI1NiJ9',
  'Bearer ',
  'bearer',
  'secret',
  'secret=',
  '_access_key',
  'Key',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'AKIA',
  'ASIA',
  'IOSFODNN7EXAMPLE',
  'AKIAIOSFODNN7EXAMPLE',
  'AKIAIOSFODNN7EXAMPL',
  '4111 1111 1111 1111',
  '4111-1111',
  '3782 822463 10005',
  '123 45 6789',
  '0.',
  '1.',
  'eyJa.b.c',
  'eyJa.eyJb.',
  'Bearer eyJ',
  ': ',
  '\\"',
  '"secret": "',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE',
  'x@1.co',
  '.com',
);

/** Random text built from the fragments above and arbitrary strings. */
const tricky = fc
  .array(
    fc.oneof({ arbitrary: fragments, weight: 4 }, { arbitrary: fc.string({ maxLength: 4 }), weight: 1 }),
    {
      maxLength: 40,
    },
  )
  .map((parts) => parts.join(''));

const anyText = fc.oneof(
  tricky,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
);

const TRIGGERS = /[0-9@]|eyJ|bearer|secret|AKIA|ASIA|ABIA|ACCA/i;

describe('properties', () => {
  test('redactString never throws and always returns a string', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(typeof redactString(text, all, MASK)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  test('nothing detectable is left in the output of redactString', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = redactString(text, all, MASK);
        for (const detector of all) expect(detector.redact(out, MASK)).toBe(out);
      }),
      { numRuns: 3000 },
    );
  });

  test.each(names)('%s finds nothing in its own output', (name) => {
    const detector = detectors[name];
    fc.assert(
      fc.property(anyText, (text) => {
        const out = detector.redact(text, MASK);
        expect(detector.redact(out, MASK)).toBe(out);
      }),
      { numRuns: 1000 },
    );
  });

  test('text without any trigger is returned unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ unit: 'grapheme', maxLength: 200 })), (text) => {
        fc.pre(!TRIGGERS.test(text));
        expect(redactString(text, all, MASK)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  test('only masked parts change: the output minus its masks is a subsequence of the input', () => {
    fc.assert(
      fc.property(tricky, (text) => {
        const kept = redactString(text, all, '\u0000').split('\u0000').join('');
        let i = 0;
        for (const char of kept) {
          i = text.indexOf(char, i);
          expect(i).not.toBe(-1);
          i++;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
