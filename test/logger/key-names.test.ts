/**
 * Issue 9, item 7 (logger part): detectors scan key names too — of plain objects, of Maps, of class
 * instances, inside JSON bodies. A key holding a detected value is renamed to its redacted form; on a
 * collision the entry is kept under a deterministic ` (2)`, ` (3)` suffix. Symbol-keyed properties are
 * never carried into what is printed.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { createMaskingLogger } from '../../src/logger.js';
import {
  ALL_DETECTORS,
  expectNoSecrets,
  MASK,
  maskingLogger,
  S,
  useLoggerEnv,
  useOutput,
} from './support.js';

useLoggerEnv();
const out = useOutput();

describe('detectors scan object keys', () => {
  test("logger.info('x', { [email]: 3 }): the key is renamed to its redacted form", () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('x', { [S.email]: 3, plain: 1 });
    const entry = out.entries()[0];
    expect(entry[MASK]).toBe(3);
    expect(entry.plain).toBe(1);
    expectNoSecrets(out.text(), [S.email]);
  });

  test('only the detected substring of a key is masked', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('x', { stats: { [`visits of ${S.email}`]: 7 } });
    expect(out.entries()[0].stats).toEqual({ [`visits of ${MASK}`]: 7 });
  });

  test('collisions keep every entry, with deterministic suffixes; keys not renamed keep their names', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('x', { counts: { [S.email]: 1, [S.email2]: 2, [MASK]: 3, 'jo@example.net': 4 } });
    const counts = out.entries()[0].counts as Record<string, number>;
    expect(counts).toEqual({ [MASK]: 3, [`${MASK} (2)`]: 1, [`${MASK} (3)`]: 2, [`${MASK} (4)`]: 4 });
    expect(Object.keys(counts)).toEqual([`${MASK} (2)`, `${MASK} (3)`, MASK, `${MASK} (4)`]);
  });

  test('a key at the top level of the entry, and deep in arrays', () => {
    const logger = maskingLogger({ detectors: ALL_DETECTORS });
    logger.info({ message: 'x', [S.ssn]: 'top' } as never);
    logger.info('y', { list: [{ a: [{ [`card ${S.card}`]: true }] }] });
    expectNoSecrets(out.text(), [S.ssn, S.card]);
    expect(out.entries()[0][MASK]).toBe('top');
  });

  test('keys of a JSON body (a string) are scanned too', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('x', { body: JSON.stringify({ [S.email]: { visits: 2 } }) });
    expect(JSON.parse(out.entries()[0].body as string)).toEqual({ [MASK]: { visits: 2 } });
    expectNoSecrets(out.text(), [S.email]);
  });

  test('a key name that is a JSON string with a secret key inside is masked by keys', () => {
    const logger = maskingLogger({ keys: ['password'] });
    logger.info('x', { index: { [JSON.stringify({ password: S.password })]: 1 } });
    expect(out.entries()[0].index).toEqual({ [JSON.stringify({ password: MASK })]: 1 });
    expectNoSecrets(out.text(), [S.password]);
  });

  test('a secret key name still masks the value, whatever its name becomes', () => {
    const logger = maskingLogger({ keys: [/token/i], detectors: ['email'] });
    logger.info('x', { [`token ${S.email}`]: 'abc-secret-value' });
    const entry = out.entries()[0];
    expect(entry[`token ${MASK}`]).toBe(MASK);
    expect(out.text()).not.toContain('abc-secret-value');
  });
});

describe('Map keys', () => {
  test('a Map keyed by e-mail addresses', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('x', {
      byEmail: new Map([
        [S.email, 1],
        [S.email2, 2],
        ['other', 3],
      ]),
    });
    expect(out.entries()[0].byEmail).toEqual({ [MASK]: 1, [`${MASK} (2)`]: 2, other: 3 });
    expectNoSecrets(out.text(), [S.email, S.email2]);
  });

  test('a Map at the top of createMaskingLogger, and a Map in a Map', () => {
    const lines: unknown[] = [];
    const log = createMaskingLogger({ detectors: ['email', 'usSsn'], print: (m) => lines.push(m) });
    log(new Map<string, unknown>([[S.email, new Map([[S.ssn, 'x']])]]));
    expect(lines[0]).toEqual({ [MASK]: { [MASK]: 'x' } });
    expectNoSecrets(JSON.stringify(lines[0]), [S.email, S.ssn]);
  });

  test('a Map keyed by objects prints as the logger would, with nothing leaked', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('x', {
      m: new Map<unknown, unknown>([
        [{ email: S.email }, 1],
        [S.email, 2],
      ]),
    });
    expectNoSecrets(out.text(), [S.email]);
  });
});

describe('Symbol-keyed properties are never carried', () => {
  const secret = Symbol('secret');
  const collect = () => {
    const lines: unknown[] = [];
    return { lines, print: (m: unknown) => lines.push(m) };
  };
  /** Own symbols anywhere in a printed value. */
  const symbolsIn = (value: unknown, seen = new Set<unknown>()): symbol[] => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return [];
    seen.add(value);
    return [
      ...Object.getOwnPropertySymbols(value),
      ...Object.values(value).flatMap((v) => symbolsIn(v, seen)),
    ];
  };

  test('in a plain object, whether or not anything else in it is masked', () => {
    const { lines, print } = collect();
    const log = createMaskingLogger({ keys: ['password'], print });
    log({ a: { [secret]: S.apiKey, ok: 1 }, b: { [secret]: S.pin, password: 'x' } });
    log({ [secret]: S.apiKey, ok: 1 });
    for (const line of lines) {
      expect(symbolsIn(line)).toEqual([]);
      expect(inspect(line, { depth: Infinity, showHidden: true })).not.toContain(S.apiKey);
      expect(inspect(line, { depth: Infinity, showHidden: true })).not.toContain(S.pin);
    }
  });

  test('in class instances, errors and Maps', () => {
    class Account {
      public readonly id = 'acc-1';
      public readonly [secret] = S.apiKey;
    }
    const error = Object.assign(new Error('boom'), { [secret]: S.pin });
    const { lines, print } = collect();
    createMaskingLogger({ detectors: ['email'], print })({
      account: new Account(),
      error,
      map: new Map<unknown, unknown>([
        [secret, S.apiKey],
        ['k', 1],
      ]),
    });
    expect(symbolsIn(lines[0])).toEqual([]);
    const text = inspect(lines[0], { depth: Infinity, showHidden: true });
    expect(text).not.toContain(S.apiKey);
    expect(text).not.toContain(S.pin);
  });

  test('through the Powertools formatter nothing of a symbol-keyed value is printed', () => {
    const logger = maskingLogger({ detectors: ['email'] });
    logger.info('x', { user: { [secret]: S.email, name: 'Jane' } });
    expect(out.entries()[0].user).toEqual({ name: 'Jane' });
    expectNoSecrets(out.text(), [S.email]);
  });
});

describe('property: no detected value leaves through a key name', () => {
  const local = fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/);
  test('e-mail keys at random depths, in objects and Maps, with colliding neighbours', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(local, fc.integer({ min: 0, max: 3 }), fc.boolean()), {
          minLength: 1,
          maxLength: 6,
        }),
        (specs) => {
          out.clear();
          const emails: string[] = [];
          const root: Record<string, unknown> = { [MASK]: 'taken' };
          specs.forEach(([name, depth, asMap], i) => {
            const email = `${name}${i}@example.com`;
            emails.push(email);
            let node: Record<string, unknown> = root;
            for (let d = 0; d < depth; d++) {
              node.child ??= {};
              node = node.child as Record<string, unknown>;
            }
            if (asMap) node[`m${i}`] = new Map([[email, i]]);
            else node[email] = i;
          });
          maskingLogger({ detectors: ['email'] }).info('x', { data: root });
          expectNoSecrets(out.text(), emails);
          // Nothing was lost: every value is still printed.
          const printed = out.text();
          for (let i = 0; i < specs.length; i++) expect(printed).toMatch(new RegExp(`:${i}[,}]`));
        },
      ),
      { numRuns: 150 },
    );
  });
});
