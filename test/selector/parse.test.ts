import { DataMaskingError, DataMaskingInvalidSelectorError } from '../../src/errors.js';
import { parseExpression } from '../../src/selector/parse.js';
import { compileSelector, selectPaths } from '../../src/selector/selector.js';

const invalid = (expression: string): DataMaskingInvalidSelectorError => {
  try {
    compileSelector(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(DataMaskingInvalidSelectorError);
    return error as DataMaskingInvalidSelectorError;
  }
  throw new Error(`expected ${JSON.stringify(expression)} to be refused`);
};

describe('parsing field expressions', () => {
  test('RFC 9535 queries parse to segments', () => {
    const q = parseExpression("$.a['b'][0][1:3][?@.x > 1]..c[*]");
    expect(q.relative).toBe(false);
    expect(q.segments.map((s) => [s.descendant, s.selectors.map((x) => x.kind)])).toEqual([
      [false, ['name']],
      [false, ['name']],
      [false, ['index']],
      [false, ['slice']],
      [false, ['filter']],
      [true, ['name']],
      [false, ['wildcard']],
    ]);
  });

  test('the Powertools shorthand means $. + the expression', () => {
    const data = { a: { b: 1 }, 'x-api-key': 'k', items: [{ id: 1 }, { id: 2 }], c: { d: { name: 'n' } } };
    expect(selectPaths(data, 'a.b')).toEqual(["$['a']['b']"]);
    expect(selectPaths(data, 'x-api-key')).toEqual(["$['x-api-key']"]);
    expect(selectPaths(data, 'items[*].id')).toEqual(["$['items'][0]['id']", "$['items'][1]['id']"]);
    expect(selectPaths(data, 'items[-1].id')).toEqual(["$['items'][1]['id']"]);
    expect(selectPaths(data, 'c..name')).toEqual(["$['c']['d']['name']"]);
    expect(selectPaths(data, 'a.*')).toEqual(["$['a']['b']"]);
    expect(selectPaths(data, '[0]')).toEqual([]);
    expect(selectPaths(data, '..id')).toEqual(["$['items'][0]['id']", "$['items'][1]['id']"]);
  });

  test('a numeric shorthand name indexes arrays and names object keys', () => {
    expect(selectPaths({ items: ['a', 'b'] }, 'items.1')).toEqual(["$['items'][1]"]);
    expect(selectPaths({ items: { 1: 'a' } }, 'items.1')).toEqual(["$['items']['1']"]);
    // In RFC syntax a name never selects an array element.
    expect(selectPaths({ items: ['a', 'b'] }, "$.items['1']")).toEqual([]);
  });

  test.each([
    ['', 0, 'empty'],
    ['$.', 2, 'member name'],
    ['$[', 2, 'selector'],
    ['$[?@.a ==]', 9, 'query, a literal'],
    ['a..', 3, 'member name'],
    ['$.a[01]', 4, 'leading zeros'],
    ['$[?(@.a]', 7, "')'"],
    ['$[?length(@.a)]', 3, 'returns a value'],
    ['$[?@.* == 1]', 3, 'singular'],
    ['$[?match(@.a, "x") == true]', 3, 'comparable'],
    ['$[?foo(@.a)]', 3, 'unknown function'],
    [' $', 0, 'member name'],
    ["$['\\x']", 3, 'escape'],
    ['$.a b', 3, 'unexpected'],
    ['$[?!!@.a]', 4, 'expected a query'],
  ])('%j is refused at position %i', (expression, position, reason) => {
    const error = invalid(expression);
    expect(error.name).toBe('DataMaskingInvalidSelectorError');
    expect(error).toBeInstanceOf(DataMaskingError);
    expect(error.position).toBe(position);
    expect(error.expression).toBe(expression);
    expect(error.message).toContain(JSON.stringify(expression));
    expect(error.message).toContain(`position ${position}`);
    expect(error.reason).toContain(reason);
  });

  test('non-string expressions are refused with the typed error', () => {
    expect(() => compileSelector(42 as unknown as string)).toThrow(DataMaskingInvalidSelectorError);
  });

  test('filters nesting past the limit are refused, not a stack overflow', () => {
    const deep = `$[?${'('.repeat(5000)}@.a${')'.repeat(5000)}]`;
    expect(invalid(deep).reason).toContain('deeper');
    const nots = `$[?${'!('.repeat(5000)}@.a${')'.repeat(5000)}]`;
    expect(invalid(nots).reason).toContain('deeper');
  });

  test('compiled selectors are reusable and never re-parse', () => {
    const selector = compileSelector('$.items[?@.price > 10].name');
    const a = {
      items: [
        { price: 5, name: 'x' },
        { price: 20, name: 'y' },
      ],
    };
    const b = { items: [{ price: 50, name: 'z' }] };
    expect(selector.values(a)).toEqual(['y']);
    expect(selector.values(b)).toEqual(['z']);
    expect(selector.paths(a)).toEqual(["$['items'][1]['name']"]);
  });
});
