/**
 * Issue 9, items 12 and 6 (logger part): the formatter and `createMaskingLogger` refuse an unknown option
 * key at configuration (SPEC §4.6), naming it; and a `g` or `y` RegExp in `keys` matches on every key of
 * every entry (no `lastIndex` carried from one test to the next).
 */
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { createMaskingLogger, MaskingLogFormatter } from '../../src/logger.js';
import { expectNoSecrets, MASK, maskingLogger, useLoggerEnv, useOutput } from './support.js';

useLoggerEnv();
const out = useOutput();

describe('unknown options are refused, naming the key', () => {
  test.each([
    [{ detector: ['email'] }, 'detector'],
    [{ key: ['password'] }, 'key'],
    [{ fields: ['$.a'], maskingRule: {} }, 'maskingRule'],
    [{ caseSensitive: true }, 'caseSensitive'],
    [{ print: () => undefined }, 'print'],
    [{ keys: ['password'], throwOnMissingField: false }, 'throwOnMissingField'],
    [{ detectors: undefined, detectorz: undefined }, 'detectorz'],
  ])('new MaskingLogFormatter(%p)', (options, key) => {
    const build = () => new MaskingLogFormatter(options as never);
    expect(build).toThrow(DataMaskingUnsupportedTypeError);
    expect(build).toThrow(new RegExp(`"${key}"`));
  });

  test.each([
    [{ detector: ['email'] }, 'detector'],
    [{ formatter: {} }, 'formatter'],
    [{ keys: ['password'], Print: console.log }, 'Print'],
    [{ maskingrules: {} }, 'maskingrules'],
  ])('createMaskingLogger(%p)', (options, key) => {
    const build = () => createMaskingLogger(options as never);
    expect(build).toThrow(DataMaskingUnsupportedTypeError);
    expect(build).toThrow(new RegExp(`"${key}"`));
  });

  test('a Symbol key and a non-object are refused too', () => {
    expect(() => new MaskingLogFormatter({ [Symbol('x')]: 1 } as never)).toThrow(
      DataMaskingUnsupportedTypeError,
    );
    expect(() => createMaskingLogger('keys' as never)).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => new MaskingLogFormatter(null as never)).toThrow(DataMaskingUnsupportedTypeError);
  });

  test('every documented option is accepted, and no options at all', () => {
    const all = {
      fields: ['$.a'],
      maskingRules: { '$.b': { customMask: 'X' } },
      keys: ['password', /secret/i],
      caseSensitiveKeys: false,
      detectors: ['email' as const],
    };
    expect(() => new MaskingLogFormatter({ ...all, formatter: undefined })).not.toThrow();
    expect(() => new MaskingLogFormatter()).not.toThrow();
    expect(() => new MaskingLogFormatter(undefined)).not.toThrow();
    expect(() => createMaskingLogger({ ...all, print: () => undefined })).not.toThrow();
    expect(() => createMaskingLogger()).not.toThrow();
  });
});

describe('RegExps with g or y in keys carry no lastIndex', () => {
  test('5 entries in a row, each with a new key name matching a /g and a /y pattern', () => {
    const logger = maskingLogger({ keys: [/token/gy, /secret/g] });
    for (let i = 0; i < 5; i++) {
      // A new name each time: the verdict cache cannot hide a lastIndex carried between tests.
      logger.info(`entry ${i}`, {
        [`token_${i}`]: `tok-value-${i}`,
        nested: { [`my_secret_${i}`]: `sec-value-${i}` },
      });
    }
    const entries = out.entries();
    expect(entries).toHaveLength(5);
    entries.forEach((entry, i) => {
      expect(entry[`token_${i}`]).toBe(MASK);
      expect(entry.nested).toEqual({ [`my_secret_${i}`]: MASK });
    });
    expectNoSecrets(
      out.text(),
      [0, 1, 2, 3, 4].flatMap((i) => [`tok-value-${i}`, `sec-value-${i}`]),
    );
  });

  test('several matching keys in one entry, and the caller’s RegExp is left untouched', () => {
    const pattern = /pass/g;
    pattern.lastIndex = 3;
    const lines: unknown[] = [];
    const log = createMaskingLogger({ keys: [pattern], print: (m) => lines.push(m) });
    for (let i = 0; i < 5; i++)
      log({ [`pass_a${i}`]: `v-a-${i}`, [`pass_b${i}`]: `v-b-${i}`, [`pass_c${i}`]: `v-c-${i}` });
    expect(pattern.lastIndex).toBe(3);
    const text = JSON.stringify(lines);
    for (let i = 0; i < 5; i++) for (const k of ['a', 'b', 'c']) expect(text).not.toContain(`v-${k}-${i}`);
  });
});
