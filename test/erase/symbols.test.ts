/**
 * Issue 9, item 7 (erase): with detectors, a result carries no Symbol-keyed value (detectors cannot
 * scan them), and `mapLeaves` maps object keys too, so detectors find what hides in a key.
 */
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import { REMOVE } from '../../src/erase/constants.js';
import { compileEraser, type EraseOptions } from '../../src/erase/eraser.js';
import { CIRCULAR, mapLeaves, shallowCopy } from '../../src/erase/map-leaves.js';
import { compileSelector } from '../../src/selector/selector.js';

const SECRET = Symbol('secret');
const runs = { numRuns: Number(process.env.FC_RUNS ?? 300) };

/** Every container reachable from `value` that is not `shared` with the input. */
function copiedContainers(value: unknown, input: Set<unknown>, out: object[] = []): object[] {
  if (value === null || typeof value !== 'object' || input.has(value)) return out;
  out.push(value);
  for (const v of Object.values(value)) copiedContainers(v, input, out);
  return out;
}

function containersOf(value: unknown, out = new Set<unknown>()): Set<unknown> {
  if (value === null || typeof value !== 'object' || out.has(value)) return out;
  out.add(value);
  for (const v of Object.values(value)) containersOf(v, out);
  return out;
}

/** An input whose every container holds a Symbol-keyed secret (enumerable, as `{ ...x }` would copy). */
function input() {
  const tag = <T extends object>(o: T): T => Object.assign(o, { [SECRET]: 'pii@example.com' });
  const nullProto = tag(
    Object.assign(Object.create(null) as Record<string, unknown>, { card: '4111', k: 1 }),
  );
  return tag({
    user: tag({ email: 'jane@example.com', name: 'Jane', tags: tag(['a', 'b']) }),
    items: tag([tag({ card: '4111', n: 1 }), tag({ card: '5500', n: 2 })]),
    bare: nullProto,
    note: 'mail jane@example.com',
  });
}

const eraserOf = (options: EraseOptions, fastPath: boolean) =>
  compileEraser(options, { throwOnMissingField: false, compile: (e) => compileSelector(e), fastPath });

describe('Symbol-keyed values never reach a result', () => {
  test('shallowCopy copies string keys only, keeps a null prototype and an own __proto__ key as data', () => {
    const source = JSON.parse('{"a":1,"__proto__":{"polluted":true}}') as Record<string, unknown>;
    Object.defineProperty(source, SECRET, { value: 'x', enumerable: true });
    const copy = shallowCopy(source) as Record<string, unknown>;
    expect(Object.getOwnPropertySymbols(copy)).toEqual([]);
    expect(Object.keys(copy)).toEqual(['a', '__proto__']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const bare = Object.assign(Object.create(null), { a: 1, [SECRET]: 2 });
    const bareCopy = shallowCopy(bare);
    expect(Object.getPrototypeOf(bareCopy)).toBeNull();
    expect(Object.getOwnPropertySymbols(bareCopy)).toEqual([]);
    expect({ ...bareCopy }).toEqual({ a: 1 });

    const list = Object.assign([1, 2], { [SECRET]: 3 });
    expect(Object.getOwnPropertySymbols(shallowCopy(list))).toEqual([]);
  });

  const cases: [string, EraseOptions][] = [
    ['static fields', { fields: ['user.email', 'items[*].card', 'bare.card'] }],
    ['descendant fields', { fields: ['$..card', '$..email'] }],
    ['filter', { fields: ['$.items[?@.n == 2].card'] }],
    ['a rule over containers', { fields: ['user', 'items'], dynamicMask: true }],
    ['a remove rule', { maskingRules: { 'items[0]': { remove: true }, 'user.tags[0]': { remove: true } } }],
    ['detectors', { detectors: ['email'] }],
    ['fields and detectors', { fields: ['items[*].card'], detectors: ['email'] }],
    ['a rule with no fields', { customMask: 'X' }],
  ];
  // Symbol-keyed members are not JSON (JSON.stringify and every Lambda response drop them). Field
  // expressions cannot select them, so they pass through like any unselected member, in shared and copied
  // containers alike (the fast path copies with spreads, which keep them). Detectors cannot scan them: with
  // detectors, no container of the result carries one, copied or not.
  test.each(cases)('%s', (_, options) => {
    for (const fastPath of [true, false]) {
      const data = input();
      const out = eraserOf(options, fastPath)(data);
      const shared = containersOf(data);
      const copied = copiedContainers(out, shared);
      expect(copied.length).toBeGreaterThan(0);
      if (options.detectors !== undefined) {
        for (const c of containersOf(out)) expect(Object.getOwnPropertySymbols(c as object)).toEqual([]);
      }
      expect(JSON.stringify(out)).not.toContain('pii');
    }
  });

  test('through DataMasking.erase with detectors', () => {
    const out = new DataMasking().erase(input(), { fields: ['user.email'], detectors: ['email'] });
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
    expect(Object.getOwnPropertySymbols(out.user)).toEqual([]);
    expect(Object.getOwnPropertySymbols(out.bare)).toEqual([]);
  });
});

describe('mapLeaves with mapKey', () => {
  const star = (k: string) => k.replace(/[a-z]+@[a-z.]+/g, '*****');
  const same = (v: unknown) => v;

  test('renames keys in place, keeping the order of the others', () => {
    const out = mapLeaves({ a: 1, 'jane@example.com': 2, b: 3 }, same, star);
    expect(Object.entries(out as object)).toEqual([
      ['a', 1],
      ['*****', 2],
      ['b', 3],
    ]);
  });

  test('returns the very same reference when no key and no leaf changes', () => {
    const data = { a: { b: [1, { c: 'x' }] } };
    expect(mapLeaves(data, same, star)).toBe(data);
    expect(mapLeaves(data, same, (k) => k)).toBe(data);
  });

  test('collisions get deterministic suffixes and no entry is lost', () => {
    const data = {
      'a@x.io': 1,
      '*****': 2,
      'b@x.io': 3,
      '***** (2)': 4,
      'c@x.io': 5,
    };
    const out = mapLeaves(data, same, star);
    expect(Object.entries(out as object)).toEqual([
      ['***** (3)', 1],
      ['*****', 2],
      ['***** (4)', 3],
      ['***** (2)', 4],
      ['***** (5)', 5],
    ]);
    expect(mapLeaves(data, same, star)).toEqual(out);
  });

  test('a renamed key may take the name another key gave up', () => {
    const out = mapLeaves({ a: 1, b: 2 }, same, (k) => (k === 'a' ? 'b' : k === 'b' ? 'c' : k));
    expect(Object.entries(out as object)).toEqual([
      ['b', 1],
      ['c', 2],
    ]);
  });

  test('keys and leaves together, at every depth, in arrays too', () => {
    const redact = (v: unknown) => (typeof v === 'string' ? star(v) : v);
    const data = {
      'jane@example.com': { 'joe@example.com': 'mail joe@example.com', n: 1 },
      list: [{ 'x@y.io': 'x@y.io' }],
    };
    const out = mapLeaves(data, redact, star);
    expect(out).toEqual({ '*****': { '*****': 'mail *****', n: 1 }, list: [{ '*****': '*****' }] });
    expect(JSON.stringify(out)).not.toContain('@');
    expect(data['jane@example.com']['joe@example.com']).toBe('mail joe@example.com');
  });

  test('a removed member stays removed; a null prototype is kept; __proto__ stays data', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, {
      'a@b.io': 1,
      gone: 2,
      k: 3,
    });
    const out = mapLeaves(bare, (v) => (v === 2 ? REMOVE : v), star) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(Object.entries(out)).toEqual([
      ['*****', 1],
      ['k', 3],
    ]);
    const proto = mapLeaves({ 'a@b.io': 1 }, same, () => '__proto__') as Record<string, unknown>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    const polluted = JSON.parse('{"__proto__":{"x":1},"a@b.io":2}');
    const out2 = mapLeaves(polluted, same, star) as Record<string, unknown>;
    expect(Object.keys(out2)).toEqual(['__proto__', '*****']);
    expect(Object.getPrototypeOf(out2)).toBe(Object.prototype);
  });

  test('the renamed copy carries no Symbol-keyed value', () => {
    const out = mapLeaves({ 'a@b.io': 1, [SECRET]: 'pii' }, same, star) as object;
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
  });

  test('cycles still become [Circular]', () => {
    const data: Record<string, unknown> = { 'a@b.io': 1 };
    data.self = data;
    expect(mapLeaves(data, same, star)).toEqual({ '*****': 1, self: CIRCULAR });
  });

  test('linear: 50,000 keys renamed to the same name (probing from (2) each time would take minutes)', () => {
    const data: Record<string, number> = {};
    for (let i = 0; i < 50_000; i++) data[`u${i}@x.io`] = i;
    const start = performance.now();
    const out = mapLeaves(data, same, () => '*****') as Record<string, number>;
    expect(performance.now() - start).toBeLessThan(5000);
    expect(Object.keys(out)).toHaveLength(50_000);
    expect(out['*****']).toBe(0);
    expect(out['***** (50000)']).toBe(49_999);
  });

  test('property: no entry is lost, unchanged keys keep their name, renamed keys get their mapped name or a suffix', () => {
    const key = fc.oneof(
      fc.constantFrom('a', 'b', 'ab', 'x', 'x (2)', 'xx', '0', '1', '__proto__'),
      fc.string({ maxLength: 4 }),
    );
    const maps = [
      (k: string) => k.replace(/a/g, 'x'),
      () => 'x',
      (k: string) => (k.length > 1 ? k.slice(1) : k),
      (k: string) => `${k} (2)`,
    ];
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 12 }),
        fc.integer({ min: 0, max: maps.length - 1 }),
        (keys, m) => {
          const mapKey = maps[m];
          const data: Record<string, unknown> = {};
          for (const [i, k] of keys.entries())
            Object.defineProperty(data, k, {
              value: i,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          const out = mapLeaves(data, same, mapKey) as Record<string, number>;
          const entries = Object.entries(out);
          expect(entries).toHaveLength(keys.length);
          expect(entries.map(([, v]) => v).sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
          for (const [name, i] of entries) {
            const original = keys[i];
            const mapped = mapKey(original);
            if (mapped === original) expect(name).toBe(original);
            else
              expect(name === mapped || (name.startsWith(`${mapped} (`) && /\(\d+\)$/.test(name))).toBe(true);
          }
        },
      ),
      runs,
    );
  });
});
