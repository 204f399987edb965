/**
 * Issue 9, item 6: a sticky or global RegExp in a rule, a `when` guard or a pattern detector must mask
 * every value the same way whatever was masked before it, and never touch the caller's RegExp object.
 */
import { DataMasking } from '../../src/data-masking.js';
import { patternDetector } from '../../src/detectors/detector.js';
import { compileEraser, type EraseOptions } from '../../src/erase/eraser.js';
import { compileSelector } from '../../src/selector/selector.js';

const FLAGS = ['', 'g', 'y', 'gy', 'gi', 'iy', 'dgimsuy'] as const;
const SSN = '\\d{3}-\\d{2}-\\d{4}';
const values = Array.from({ length: 10 }, (_, i) => `12${i}-45-678${i}`);

/** A fresh RegExp with `lastIndex` set to 5, the way a caller's earlier use would have left it. */
function used(source: string, flags: string): RegExp {
  const regex = new RegExp(source, flags);
  regex.lastIndex = 5;
  return regex;
}

const eraserOf = (options: EraseOptions, fastPath = true) =>
  compileEraser(options, { throwOnMissingField: true, compile: (e) => compileSelector(e), fastPath });

describe.each(FLAGS)('regexPattern with flags %p', (flags) => {
  test('masks 10 values in a row, in 10 calls and in one call, and never touches the caller’s RegExp', () => {
    const regex = used(SSN, flags);
    const masker = new DataMasking();
    for (const value of values) {
      expect(
        masker.erase({ ssn: value }, { fields: ['ssn'], regexPattern: regex, maskFormat: '***' }),
      ).toEqual({
        ssn: '***',
      });
    }
    for (const fastPath of [true, false]) {
      const erase = eraserOf({ fields: ['$.ssns[*]'], regexPattern: regex, maskFormat: '***' }, fastPath);
      expect(erase({ ssns: values })).toEqual({ ssns: values.map(() => '***') });
      expect(erase({ ssns: values })).toEqual({ ssns: values.map(() => '***') });
    }
    // Without fields: every leaf of the payload.
    const whole = eraserOf({ regexPattern: regex, maskFormat: '***' });
    for (const value of values) expect(whole({ a: value, b: [value] })).toEqual({ a: '***', b: ['***'] });
    // Per field, through maskingRules.
    const perField = eraserOf({ maskingRules: { 'ssns[*]': { regexPattern: regex, maskFormat: '***' } } });
    expect(perField({ ssns: values })).toEqual({ ssns: values.map(() => '***') });
    expect(regex.lastIndex).toBe(5);
    expect(regex.flags).toBe(flags);
  });

  test('y is dropped: a match anywhere in the value is masked, not only at its start', () => {
    const regex = used(SSN, flags);
    const erase = eraserOf({ fields: ['$[*]'], regexPattern: regex, maskFormat: '***' });
    const texts = values.map((v) => `ssn: ${v}.`);
    expect(erase(texts)).toEqual(texts.map(() => 'ssn: ***.'));
    expect(regex.lastIndex).toBe(5);
  });

  test('g keeps its meaning: every occurrence with it, the first without it', () => {
    const regex = used(SSN, flags);
    const erase = eraserOf({ fields: ['$[*]'], regexPattern: regex, maskFormat: '***' });
    const texts = values.map((v) => `${v} and ${v}`);
    const expected = flags.includes('g')
      ? '*** and ***'
      : texts.map((t) => t.replace(new RegExp(SSN), '***'));
    const out = erase(texts) as string[];
    out.forEach((o, i) => {
      expect(o).toBe(typeof expected === 'string' ? expected : expected[i]);
    });
  });

  test('when: every matching value passes the guard, whatever came before', () => {
    const guard = used(`^${SSN}$`, flags);
    const erase = eraserOf({ fields: ['$[*]'], customMask: 'X', when: guard });
    const mixed = values.flatMap((v, i) => [v, `E${i}`]);
    expect(erase(mixed)).toEqual(values.flatMap((_, i) => ['X', `E${i}`]));
    expect(erase(mixed)).toEqual(values.flatMap((_, i) => ['X', `E${i}`]));
    // An unanchored sticky guard matches anywhere too.
    const loose = used(SSN, flags);
    const erase2 = eraserOf({ fields: ['$[*]'], customMask: 'X', when: loose });
    expect(erase2(values.map((v) => `id ${v}`))).toEqual(values.map(() => 'X'));
    expect(guard.lastIndex).toBe(5);
    expect(loose.lastIndex).toBe(5);
  });

  test('patternDetector: every value is redacted, wherever the match is', () => {
    const pattern = used(SSN, flags);
    const detector = patternDetector({ name: 'ssn', pattern });
    for (const value of values) {
      expect(detector.redact(value, '***')).toBe('***');
      expect(detector.redact(`id ${value} and ${value}`, '***')).toBe('id *** and ***');
    }
    const erase = eraserOf({ detectors: [detector] });
    expect(erase({ notes: values.map((v) => `call ${v}`) })).toEqual({
      notes: values.map(() => 'call *****'),
    });
    expect(pattern.lastIndex).toBe(5);
    expect(pattern.flags).toBe(flags);
  });
});

test('a RegExp subclass with its own exec is copied from source and flags, not called', () => {
  class Spy extends RegExp {
    public calls = 0;
    public override exec(s: string): RegExpExecArray | null {
      this.calls++;
      return super.exec(s);
    }
  }
  const spy = new Spy(SSN, 'y');
  const erase = eraserOf({ fields: ['$[*]'], regexPattern: spy, maskFormat: '***', when: spy });
  expect(erase(values)).toEqual(values.map(() => '***'));
  expect(spy.calls).toBe(0);
  expect(spy.lastIndex).toBe(0);
});
