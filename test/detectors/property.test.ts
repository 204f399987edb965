import fc from 'fast-check';
import {
  type Detector,
  type DetectorName,
  detectors,
  phoneDetector,
  redactString,
} from '../../src/detectors/index.js';

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
  // URL-encoded e-mail addresses.
  '%40',
  '%2B',
  '%3D',
  'jane%40example.com',
  // IBANs and their parts.
  'DE89',
  'DE89370400440532013000',
  'DE89 3704 0044 0532 0130 00',
  ' 3704',
  'GB82WEST12345698765432',
  'de',
  // Phone numbers and their parts.
  '+',
  '+1 ',
  '+44 20 7946 0958',
  '+1 (415) 555-0132',
  '(415) ',
  '(',
  ')',
  '415-555-0132',
  '415.555.0132',
  '415 555 0132',
  '555',
  '0132',
  '1-',
  '2 ',
  'phone ',
  // IP addresses and their parts.
  '192.168.0.1',
  '10.0.0.1:8080',
  '1.2.3.4.',
  '255.',
  '::',
  '::1',
  'fe80::1',
  '2001:db8::',
  'ffff:',
  ':1',
  'abcd',
  'version ',
  // Private keys.
  '-----BEGIN PRIVATE KEY-----',
  '-----END PRIVATE KEY-----',
  '-----BEGIN ',
  '-----',
  '\\n',
  '\n',
  // Prefixed tokens.
  'sk_live_',
  'rk_test_',
  'aB3dE5gH7jK9mN1pQ3sT5vX7',
  'ghp_',
  'github_pat_',
  'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
  'xoxb-',
  'xoxe.xoxp-',
  'xapp-',
  '1234567890-',
  'hooks.slack.com/services/',
  'T0/B0/XXXXXXXX',
  'AIza',
  'SyA-1234567890abcdefghijklmnopqrstu',
  // Basic credentials.
  'Basic ',
  'basic',
  'dXNlcjpwYXNz',
  'Authorization: ',
  '==',
  // Dotted card numbers and documentation key ids.
  '4111.1111.1111.1111',
  'EXAMPLE',
  // Image names, documentation secrets, challenges, product versions and ports.
  '@2x.png',
  '@1.5x.webp',
  '%402x.png',
  'EXAMPLEKEY',
  'Tk3vQ9mXr7Lp/2Wz8Ny4Hb6Jd1Fs5Gc0Va+Ue7Ko',
  'realm="api"',
  'error=',
  '"Authorization":"',
  'Chrome/',
  'Version/17.0.1.2',
  ':443',
  '10.0.0.1:9092,',
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

/** Dense text for the number detectors: where card, SSN, phone and IP address disagree about boundaries. */
const numbers = fc
  .array(
    fc.constantFrom(
      '0',
      '1',
      '2',
      '4',
      '9',
      '10',
      '192',
      '255',
      '415',
      '555',
      '0132',
      '4111',
      'a',
      'f',
      'x',
      ':',
      '::',
      '.',
      '-',
      ',',
      '+',
      '(',
      ')',
      ' ',
      '*',
      '10.0.0.1',
      '1.2.3.4',
      'fe80',
      '4111111111111111',
      '123-45-6789',
      '415-555-0132',
      '415 555 0132',
      '(415) ',
      '+1 ',
      '+44 20 7946 0958',
      '4111.1111.1111.1111',
      'DE89 3704 0044 0532 0130 00',
      'phone ',
      'version ',
      '8080',
      ':443',
      '/',
      'Chrome/',
      '10.0.0.1:9092,',
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/** Prefixes cut in pieces, so that masks and joins can assemble or split them. */
const assembled = fc
  .array(
    fc.constantFrom(
      'hooks',
      '.slack',
      '.com',
      '/services/',
      '/',
      'xox',
      'b-',
      'e.',
      'p-',
      'xapp-',
      'gh',
      'p_',
      'github_',
      'pat_',
      'sk_',
      'live_',
      'AI',
      'za',
      '-----',
      'BEGIN ',
      'END ',
      'PRIVATE KEY',
      'Bas',
      'ic ',
      'Author',
      'ization',
      ': ',
      '"',
      '\\',
      'dXNl',
      'cjpw',
      'YXNz',
      'eyJ',
      'a',
      '1',
      '-',
      '_',
      '.',
      ' ',
      '%40',
      '%2B',
      'jane',
      'example.com',
      'aB3dE5gH7jK9mN1pQ3sT5vX7',
      'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'secret=',
      'Bearer ',
      'AKIA',
      'Y34FZKBOKMUTVV7A',
      'DE89',
      '370400440532013000',
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

/** Inputs on which fuzzing once found a second pass that changed something. */
const regressions = [
  '::1+44 20 7946 0958',
  'fe80::1+44 20 7946 0958',
  '1.2.3.4.+4111-1111',
  'ffff::1-fe80::1',
  '2001:db8::,192.168.0.1:1',
  'fe80::1-1.2.3.4.',
  '415 555 0132 415-555-0132',
  'rk_test_DE89370400440532013000xoxe.xoxp-eyJhbGciOiJIUzI1NiJ9',
  '"secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKExoxe.xoxp-ASIA4111xoxe.xoxp-',
  'Bearer eyJ1-hooks.slack.com/services/hooks.slack.com/services/wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  '1.2.3.4:415 555 0132',
  '10.0.0.1:1 (415) 555-0132',
];

const TRIGGERS =
  /[0-9@]|eyJ|bearer|secret|AKIA|ASIA|ABIA|ACCA|-----BEGIN|basic|gh[pousr]_|github_pat_|[rs]k_(?:live|test)_|hooks\.slack\.com|AIza/i;

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

  test.each(regressions)('a second pass changes nothing in %j', (text) => {
    const out = redactString(text, all, MASK);
    for (const detector of all) expect(detector.redact(out, MASK)).toBe(out);
  });

  test.each([
    ['number-dense text', numbers],
    ['text with prefixes cut in pieces', assembled],
  ])('nothing detectable is left in the output of redactString, for %s', (_label, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (text) => {
        const out = redactString(text, all, MASK);
        for (const detector of all) expect(detector.redact(out, MASK)).toBe(out);
      }),
      { numRuns: 3000 },
    );
  });

  test('a keyword phone detector finds nothing in its own output', () => {
    const keywordPhone = phoneDetector({ requireKeyword: true });
    fc.assert(
      fc.property(fc.oneof(numbers, tricky), (text) => {
        const out = keywordPhone.redact(text, MASK);
        expect(keywordPhone.redact(out, MASK)).toBe(out);
      }),
      { numRuns: 2000 },
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
