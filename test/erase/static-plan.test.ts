/**
 * The static fast path against the general evaluator: same results, same errors, on random documents
 * and random lists of plain paths.
 */
import fc from 'fast-check';
import { compileEraser, type EraseOptions } from '../../src/erase/eraser.js';
import { compileRule } from '../../src/erase/rule.js';
import { buildStaticPlan } from '../../src/erase/static-plan.js';
import { DataMaskingFieldNotFoundError } from '../../src/errors.js';
import { compileSelector } from '../../src/selector/selector.js';
import { jsonDocument } from '../support/arbitraries.js';

const runs = { numRuns: Number(process.env.FC_RUNS ?? 1500) };
const step = fc.constantFrom('.a', '.b', '.c', '.card', '[0]', '[1]', '[-1]', '[*]', '.*', "['x y']");
const tail = fc.constantFrom('', '..card', '..a');
const rfcPath = fc
  .tuple(fc.array(step, { minLength: 0, maxLength: 4 }), tail)
  .map(([steps, end]) => `$${steps.join('')}${end}`)
  .filter((p) => p !== '$');
// The Powertools shorthand, where `.0` indexes an array or names key "0".
const shorthandPath = fc
  .tuple(
    fc.constantFrom('a', 'b', 'card', '0'),
    fc.array(fc.oneof(step, fc.constant('.0')), { maxLength: 3 }),
    tail,
  )
  .map(([first, steps, end]) => `${first}${steps.join('')}${end}`);
const staticPath = fc.oneof(rfcPath, shorthandPath);
const rule = fc.constantFrom<object>(
  {},
  { remove: true },
  { dynamicMask: true },
  { hash: 'sha256' },
  { customMask: 'X', when: /^a/ },
);

const eraser = (options: EraseOptions, fastPath: boolean, throwOnMissingField: boolean) =>
  compileEraser(options, { throwOnMissingField, compile: (e) => compileSelector(e), fastPath });

const outcome = (fn: () => unknown): unknown => {
  try {
    return { ok: fn() };
  } catch (error) {
    if (error instanceof DataMaskingFieldNotFoundError) return { missing: error.expression };
    throw error;
  }
};

describe('the static fast path', () => {
  test('gives the results of the general evaluator', () => {
    fc.assert(
      fc.property(
        jsonDocument,
        fc.array(staticPath, { minLength: 1, maxLength: 4 }),
        fc.option(fc.array(staticPath, { maxLength: 2 })),
        rule,
        rule,
        fc.boolean(),
        (data, fields, ruled, top, perField, strict) => {
          const maskingRules = Object.fromEntries((ruled ?? []).map((p) => [p, perField]));
          const options = { fields, maskingRules, ...top } as EraseOptions;
          const fast = outcome(() => eraser(options, true, strict)(data));
          const general = outcome(() => eraser(options, false, strict)(data));
          expect(fast).toEqual(general);
        },
      ),
      runs,
    );
  });

  test('a rule whose `when` does not match leaves the path to the next rule (found by the property above)', () => {
    const options = {
      fields: ['$..card'],
      maskingRules: { '$..card': { customMask: 'X', when: /^a/ } },
    } as EraseOptions;
    for (const fast of [true, false]) {
      expect(eraser(options, fast, false)({ card: false })).toEqual({ card: '*****' });
      expect(eraser(options, fast, false)({ card: 'abc' })).toEqual({ card: 'X' });
    }
  });

  test('qualifies for plain paths and declines what could reach a node twice', () => {
    const plan = (...paths: string[]) =>
      buildStaticPlan(
        paths.map((p) => ({ segments: compileSelector(p).query.segments, rule: compileRule(undefined, p) })),
      );
    expect(
      plan('user.email', 'user.ssn', 'items[*].orders[*].card', 'items[*].customer.email'),
    ).toBeDefined();
    expect(plan('$..password')).toBeDefined();
    expect(plan('user..password', 'items[*]..card')).toBeDefined();
    // A descendant search from a node that also has named paths could reach one node twice.
    expect(plan('user.email', '$..password')).toBeUndefined();
    expect(plan('a[*].b', 'a[0].c')).toBeUndefined();
    expect(plan('a', 'a.b')).toBeUndefined();
    expect(plan('a.b', 'a')).toBeUndefined();
    expect(plan('$[?@.x]')).toBeUndefined();
    expect(plan('$..a.b')).toBeUndefined();
    expect(plan('$[0:2]')).toBeUndefined();
    expect(plan("$['a','b']")).toBeUndefined();
  });

  test('hands data deeper than its recursion limit to the general evaluator', () => {
    let deep: Record<string, unknown> = { card: 'c' };
    for (let i = 0; i < 5000; i++) deep = { child: deep };
    const out = eraser({ fields: ['$..card'] }, true, true)(deep) as Record<string, unknown>;
    let node = out;
    while (node.child) node = node.child as Record<string, unknown>;
    expect(node.card).toBe('*****');
  });

  test('deep nested arrays go to the general evaluator too (no stack overflow)', () => {
    let deep: unknown = [{ card: 'c' }];
    for (let i = 0; i < 5000; i++) deep = [deep];
    const out = eraser({ fields: ['$..card'] }, true, true)(deep);
    let node = out as unknown[];
    while (Array.isArray(node[0])) node = node[0] as unknown[];
    expect(node[0]).toEqual({ card: '*****' });
  });

  test.each([true, false])(
    '..name keeps own __proto__ keys as data and null prototypes as they are (fast path %s)',
    (fast) => {
      const parsed = JSON.parse('{"__proto__":{"card":"4111"},"x":[{"card":"1"}]}');
      const bare = Object.assign(Object.create(null), { card: '2', keep: 1 });
      const data = { parsed, bare };
      const out = eraser({ fields: ['$..card'] }, fast, true)(data) as typeof data;
      expect(Object.getPrototypeOf(out.parsed)).toBe(Object.prototype);
      expect(Object.hasOwn(out.parsed, '__proto__')).toBe(true);
      expect(Object.getOwnPropertyDescriptor(out.parsed, '__proto__')?.value).toEqual({ card: '*****' });
      expect(out.parsed.x).toEqual([{ card: '*****' }]);
      expect(Object.getPrototypeOf(out.bare)).toBeNull();
      expect({ ...out.bare }).toEqual({ card: '*****', keep: 1 });
      // The input is untouched.
      expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ card: '4111' });
      expect(bare.card).toBe('2');
    },
  );

  test.each([true, false])(
    '..name with remove, an array match and a when that misses (fast path %s)',
    (fast) => {
      const data = { card: ['a', 'b'], n: { card: { card: 'zz' } }, m: [{ card: 'x' }] };
      expect(eraser({ fields: ['$..card'] }, fast, true)(data)).toEqual({
        card: ['*****', '*****'],
        n: { card: '*****' },
        m: [{ card: '*****' }],
      });
      expect(eraser({ maskingRules: { '$..card': { remove: true } } }, fast, true)(data)).toEqual({
        n: {},
        m: [{}],
      });
      // `when` misses the object, so the search goes on inside it and masks the inner card.
      expect(
        eraser({ maskingRules: { '$..card': { customMask: 'X', when: /^z/ } } }, fast, true)(data),
      ).toEqual({ card: ['a', 'b'], n: { card: { card: 'X' } }, m: [{ card: 'x' }] });
    },
  );

  test('a polluted Object.prototype: ..name still sees own keys only, as the general evaluator does', () => {
    const data = { a: { b: 1, card: 'own' }, list: [{ x: 1 }] };
    const proto = Object.prototype as Record<string, unknown>;
    proto.card = 'inherited';
    try {
      for (const fast of [true, false]) {
        const out = eraser({ fields: ['$..card'] }, fast, true)(data) as unknown as {
          a: object;
          list: object[];
        };
        expect(Object.keys(out.a)).toEqual(['b', 'card']);
        expect(Object.getOwnPropertyDescriptor(out.a, 'card')?.value).toBe('*****');
        expect(Object.hasOwn(out, 'card')).toBe(false);
        expect(Object.hasOwn(out.list[0], 'card')).toBe(false);
      }
    } finally {
      delete proto.card;
    }
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
