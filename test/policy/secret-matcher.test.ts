import fc from 'fast-check';
import { secretsDetector } from '../../src/policy/secret-matcher.js';

const MASK = '*****';

describe('secretsDetector', () => {
  test('every occurrence, whole or inside a string; the same string back when none', () => {
    const d = secretsDetector(['hunter2!', 'sk-live-123456']);
    expect(d.redact('pw=hunter2! and key sk-live-123456, again hunter2!', MASK)).toBe(
      `pw=${MASK} and key ${MASK}, again ${MASK}`,
    );
    const text = 'nothing here';
    expect(d.redact(text, MASK)).toBe(text);
  });

  test('overlapping and nested secrets leave no character of any of them', () => {
    expect(secretsDetector(['abcd', 'cdef']).redact('xabcdefx', MASK)).toBe(`x${MASK}x`);
    expect(secretsDetector(['bcde', 'abcdefg']).redact('abcdefg', MASK)).toBe(MASK);
    // A long secret reaching back over two shorter ones already found.
    expect(secretsDetector(['abab', 'xyxy', 'ababqxyxyr']).redact('-ababqxyxyr-', MASK)).toBe(`-${MASK}-`);
  });

  test('too short or non-string secrets are refused without quoting them', () => {
    expect(() => secretsDetector(['abc'])).toThrow('entry 0 must be a string of at least 4 characters');
    expect(() => secretsDetector(['long enough', 42 as never])).toThrow('entry 1');
    try {
      secretsDetector(['pw1']);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('pw1');
    }
  });

  test('1,000 secrets at once: each found, one pass', () => {
    const secrets = Array.from(
      { length: 1000 },
      (_, i) => `secret-${i.toString(36)}-${(i * 7919).toString(16)}`,
    );
    const d = secretsDetector(secrets);
    const text = secrets.filter((_, i) => i % 3 === 0).join(' | ');
    const out = d.redact(text, MASK);
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out.split(' | ').every((part) => part === MASK)).toBe(true);
    // Linear: a 1 MB text against the 1,000 secrets (a hang check, not a speed target).
    const big = 'secret-'.repeat(150_000);
    const started = performance.now();
    expect(d.redact(big, MASK)).toBe(big);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('property: no secret survives, and text without secrets is untouched', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 4, maxLength: 8, unit: fc.constantFrom('a', 'b', 'c') }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(fc.constantFrom('a', 'b', 'c', ' ', 'x'), { maxLength: 60 }),
        (secrets, chars) => {
          const text = chars.join('');
          const out = secretsDetector(secrets).redact(text, '#');
          for (const s of secrets) expect(out).not.toContain(s);
          if (!secrets.some((s) => text.includes(s))) expect(out).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
