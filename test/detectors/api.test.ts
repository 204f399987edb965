import {
  type Detector,
  type DetectorName,
  detectors,
  patternDetector,
  phoneDetector,
  redactString,
  resolveDetectors,
} from '../../src/detectors/index.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';

const MASK = '*****';

describe('detectors', () => {
  test('lists every built-in under its own name', () => {
    expect(Object.keys(detectors)).toEqual([
      'privateKey',
      'email',
      'slackToken',
      'githubToken',
      'stripeKey',
      'gcpApiKey',
      'awsAccessKeyId',
      'awsSecretAccessKey',
      'jwt',
      'basicAuth',
      'bearerToken',
      'iban',
      'creditCard',
      'usSsn',
      'phone',
      'ipAddress',
    ]);
    for (const [key, detector] of Object.entries(detectors)) expect(detector.name).toBe(key);
  });

  test('is frozen, and so is each detector', () => {
    expect(Object.isFrozen(detectors)).toBe(true);
    for (const detector of Object.values(detectors)) expect(Object.isFrozen(detector)).toBe(true);
  });

  test.each(Object.keys(detectors) as DetectorName[])('%s returns its input when nothing matches', (name) => {
    const text = 'nothing to see here';
    expect(detectors[name].redact(text, MASK)).toBe(text);
    expect(detectors[name].redact('', MASK)).toBe('');
  });

  test('uses the mask literally, even with replacement patterns in it', () => {
    expect(detectors.email.redact('a@b.co', '$&$1')).toBe('$&$1');
    expect(detectors.awsAccessKeyId.redact('AKIAY34FZKBOKMUTVV7A', '$&')).toBe('$&');
    expect(detectors.phone.redact('415-555-0132', '$&')).toBe('$&');
  });
});

describe('resolveDetectors', () => {
  const custom: Detector = { name: 'custom', redact: (text) => text };

  test('accepts names and objects (custom first, built-ins in their safe order)', () => {
    expect(resolveDetectors(['jwt', custom, 'email'])).toEqual([custom, detectors.email, detectors.jwt]);
    expect(resolveDetectors([])).toEqual([]);
  });

  test('returns a new array', () => {
    const list: DetectorName[] = ['email'];
    expect(resolveDetectors(list)).not.toBe(list);
  });

  test('rejects an unknown name with the typed error naming it', () => {
    expect(() => resolveDetectors(['email', 'passport' as DetectorName])).toThrow(
      DataMaskingUnsupportedTypeError,
    );
    expect(() => resolveDetectors(['email', 'passport' as DetectorName])).toThrow(/"passport" at index 1/);
  });

  test('does not mistake inherited properties for names', () => {
    expect(() => resolveDetectors(['toString' as DetectorName])).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => resolveDetectors(['__proto__' as DetectorName])).toThrow(DataMaskingUnsupportedTypeError);
  });

  const identity = (text: string): string => text;
  test.each<[string, unknown, RegExp]>([
    ['null', null, /index 0.*null/],
    ['a number', 42, /index 0.*42/],
    ['an object without redact', { name: 'half' }, /index 0.*"half"/],
    ['an object with an empty name', { name: '', redact: identity }, /index 0/],
    ['an object without a name', { redact: identity }, /index 0.*without a name/],
    ['a function', identity, /index 0/],
  ])('rejects %s with the typed error', (_label, entry, message) => {
    const list = [entry] as unknown as Detector[];
    expect(() => resolveDetectors(list)).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => resolveDetectors(list)).toThrow(message);
  });

  test('rejects a list that is not an array', () => {
    expect(() => resolveDetectors('email' as unknown as DetectorName[])).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });
});

describe('redactString', () => {
  const all = resolveDetectors(Object.keys(detectors) as DetectorName[]);

  test('returns the same string when nothing matched', () => {
    const text = 'order 98765432 for 3.14 on 2024-01-15';
    expect(redactString(text, all, MASK)).toBe(text);
    expect(redactString(text, [], MASK)).toBe(text);
  });

  test('applies each detector in order to the previous output', () => {
    const calls: string[] = [];
    const spy = (name: string): Detector => ({
      name,
      redact: (text) => {
        calls.push(`${name}:${text}`);
        return `${text}${name}`;
      },
    });
    expect(redactString('x', [spy('a'), spy('b')], MASK)).toBe('xab');
    expect(calls).toEqual(['a:x', 'b:xa']);
  });

  test('an earlier detector claims a value whole', () => {
    expect(redactString('Bearer eyJa.eyJb.c2ln', [detectors.jwt, detectors.bearerToken], MASK)).toBe(
      'Bearer *****',
    );
  });
});

describe('patternDetector', () => {
  test('masks every match of the pattern, even without the g flag', () => {
    const ticket = patternDetector({ name: 'ticket', pattern: /TKT-\d{4}/ });
    expect(ticket.name).toBe('ticket');
    expect(ticket.redact('see TKT-1234 and TKT-5678.', MASK)).toBe('see ***** and *****.');
  });

  test('keeps the flags of the pattern', () => {
    const word = patternDetector({ name: 'word', pattern: /secret/i });
    expect(word.redact('Secret SECRET', MASK)).toBe('***** *****');
  });

  test('does not touch the caller pattern', () => {
    const pattern = /\d+/g;
    pattern.lastIndex = 3;
    patternDetector({ name: 'n', pattern }).redact('1 2 3', MASK);
    expect(pattern.lastIndex).toBe(3);
  });

  test.each(['y', 'gy', 'iy'])('drops the sticky flag (%s): matches anywhere, in every call', (flags) => {
    const pattern = new RegExp('TKT-\\d{4}', flags);
    pattern.lastIndex = 5;
    const ticket = patternDetector({ name: 'ticket', pattern });
    for (let i = 0; i < 10; i++) {
      expect(ticket.redact(`TKT-000${i}`, MASK)).toBe(MASK);
      expect(ticket.redact(`see TKT-000${i}, TKT-111${i}`, MASK)).toBe(`see ${MASK}, ${MASK}`);
    }
    expect(pattern.lastIndex).toBe(5);
  });

  test('validate keeps rejected matches unmasked', () => {
    const even = patternDetector({
      name: 'even',
      pattern: /\d+/,
      validate: (match) => Number(match) % 2 === 0,
    });
    expect(even.redact('1 2 3 4', MASK)).toBe('1 ***** 3 *****');
    const text = '1 3 5';
    expect(even.redact(text, MASK)).toBe(text);
  });

  test('never masks empty matches', () => {
    const empty = patternDetector({ name: 'empty', pattern: /x*/ });
    expect(empty.redact('abc', MASK)).toBe('abc');
    expect(empty.redact('axxb', MASK)).toBe('a*****b');
  });

  test('is usable in resolveDetectors and redactString', () => {
    const ticket = patternDetector({ name: 'ticket', pattern: /\bTKT-\d{4}\b/ });
    expect(redactString('TKT-1234 by a@b.co', resolveDetectors([ticket, 'email']), MASK)).toBe(
      '***** by *****',
    );
  });

  test.each([
    ['an empty name', { name: '', pattern: /x/ }],
    ['a string pattern', { name: 'x', pattern: 'x' }],
    ['a non-function validate', { name: 'x', pattern: /x/, validate: true }],
  ])('rejects %s with the typed error', (_label, options) => {
    expect(() => patternDetector(options as unknown as Parameters<typeof patternDetector>[0])).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });
});

describe('resolveDetectors order', () => {
  test('custom detectors run first, then the built-ins in their safe order, without duplicates', () => {
    const custom = patternDetector({ name: 'ticket', pattern: /TCK-\d+/ });
    const resolved = resolveDetectors(['usSsn', custom, 'creditCard', 'email', 'usSsn']);
    expect(resolved.map((d) => d.name)).toEqual(['ticket', 'email', 'creditCard', 'usSsn']);
  });

  test('the new built-ins take their documented places: secrets first, number detectors last', () => {
    const resolved = resolveDetectors([
      'ipAddress',
      'phone',
      'iban',
      'basicAuth',
      'privateKey',
      'creditCard',
    ]);
    expect(resolved.map((d) => d.name)).toEqual([
      'privateKey',
      'basicAuth',
      'iban',
      'creditCard',
      'phone',
      'ipAddress',
    ]);
  });

  test('a phone detector from the factory is a custom detector, run first', () => {
    const keywordPhone = phoneDetector({ requireKeyword: true });
    expect(resolveDetectors(['phone', keywordPhone]).map((d) => d)).toEqual([keywordPhone, detectors.phone]);
  });
});
