import { type DetectorName, detectors, redactString } from '../../src/detectors/index.js';

const MASK = '*****';
const SIZE = 100_000;
// A hang check, not a speed target: a quadratic scan of 100 KB takes minutes, a linear one milliseconds.
const BOUND_MS = 2000;

const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

const inputs: Record<string, string> = {
  'a run of a': fill('a'),
  'a run of A': fill('A'),
  'a run of digits': fill('1'),
  'a run of 4': fill('4'),
  'a run of dots': fill('.'),
  'a run of @': fill('@'),
  'a run of dashes': fill('-'),
  'a run of spaces': fill(' '),
  'a@a@a…': fill('a@'),
  'a.a.a…': fill('a.'),
  'a@ then a.a.a…': `a@${fill('a.')}`,
  'a run of a then @': `${fill('a')}@`,
  '@ then a run of a': `@${fill('a')}`,
  'local chars then @ and a bad domain, repeated': fill('a.b_c+d%e-f@g.'),
  '.@ repeated': fill('.@'),
  '1-1-1-…': fill('1-'),
  '1 1 1 …': fill('1 '),
  '1.1.1.…': fill('1.'),
  '4111-4111-…': fill('4111-'),
  '4111 1111 … (one long grouped run)': fill('4111 1111 '),
  '123-45-123-45-…': fill('123-45-'),
  '123 45 6789 123 45 6789 …': fill('123 45 6789 '),
  'eyJ repeated': fill('eyJ'),
  'eyJ. repeated': fill('eyJ.'),
  'eyJ.. repeated': fill('eyJ..'),
  'eyJa.eyJb space repeated': fill('eyJa.eyJb '),
  'eyJ then a long segment then a dot, repeated twice': `eyJ${'a'.repeat(SIZE / 2)}.eyJ${'a'.repeat(SIZE / 2)}`,
  'bearer bearer …': fill('bearer '),
  'Bearer without tokens': fill('Bearer "'),
  'bearer then many blanks': `bearer${fill(' ')}`,
  'bearerbearer…': fill('bearer'),
  'secret=secret=…': fill('secret='),
  'secret: " repeated': fill('secret: "'),
  'aws_secret_access_key= repeated': fill('aws_secret_access_key='),
  'secret= then a long key run': `secret=${fill('A')}`,
  'secret= then 39 key characters, repeated': fill(`secret=${'A'.repeat(39)} `),
  'AKIA repeated': fill('AKIA'),
  'AKIA and 15 characters, repeated': fill('AKIAIOSFODNN7EXAMP '),
  'a mix of every anchor': fill('a@b.c1-2 3.4 eyJ.x. bearer secret=AKIA '),
  'a mix without separators': fill('a@1eyJbearersecretAKIA4111-'),
  'unicode and surrogates': fill('é😀@1'),
};

const names = Object.keys(detectors) as DetectorName[];
const cases = names.flatMap((name) =>
  Object.entries(inputs).map(([label, text]) => [name, label, text] as const),
);

describe('adversarial 100 KB inputs', () => {
  test.each(cases)('%s finishes on %s', (name, _label, text) => {
    const started = performance.now();
    const out = detectors[name].redact(text, MASK);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(typeof out).toBe('string');
  });

  test.each(Object.entries(inputs))('all detectors together finish on %s', (_label, text) => {
    const started = performance.now();
    redactString(text, Object.values(detectors), MASK);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });
});
