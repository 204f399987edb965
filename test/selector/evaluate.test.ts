import { compileSelector, selectPaths } from '../../src/selector/selector.js';

describe('evaluating field expressions', () => {
  test('filters: comparisons, logic, functions', () => {
    const data = {
      address: [
        { street: 'a', postcode: 10000, tags: ['x'] },
        { street: 'b', postcode: 13000, tags: [] },
        { street: 'c', postcode: 15000, email: 'c@example.com', tags: ['x', 'y'] },
      ],
    };
    expect(selectPaths(data, '$.address[?(@.postcode > 12000)]')).toEqual([
      "$['address'][1]",
      "$['address'][2]",
    ]);
    expect(selectPaths(data, '$.address[?@.postcode > 12000 && !@.email]')).toEqual(["$['address'][1]"]);
    expect(selectPaths(data, '$.address[?length(@.tags) == 2].street')).toEqual([
      "$['address'][2]['street']",
    ]);
    expect(selectPaths(data, '$.address[?count(@.tags[*]) == 0]')).toEqual(["$['address'][1]"]);
    expect(selectPaths(data, '$.address[?match(@.street, "[ab]")].street')).toHaveLength(2);
    expect(selectPaths(data, '$.address[?search(@.email, "example")].street')).toEqual([
      "$['address'][2]['street']",
    ]);
    expect(selectPaths(data, '$.address[?value(@.tags[0]) == "x"].street')).toHaveLength(2);
    expect(selectPaths(data, '$.address[?@.postcode == $.address[0].postcode]')).toEqual(["$['address'][0]"]);
  });

  test('strings compare by code point, not UTF-16 unit', () => {
    // U+FF61 is below U+1F600 as code points, above its surrogates as UTF-16 units.
    const data = [{ s: '\uFF61' }, { s: '😀' }];
    expect(selectPaths(data, '$[?@.s < "😀"]')).toEqual(['$[0]']);
  });

  test('match() treats . as any character but line breaks, and refuses non I-Regexp patterns', () => {
    expect(selectPaths(['a\nb', 'axb'], '$[?match(@, "a.b")]')).toEqual(['$[1]']);
    expect(selectPaths(['ab'], '$[?match(@, "(?:ab)")]')).toEqual([]);
    expect(selectPaths(['ab'], '$[?match(@, "\\\\p{Lu}b")]')).toEqual([]);
    expect(selectPaths(['Ab'], '$[?match(@, "\\\\p{Lu}b")]')).toEqual(['$[0]']);
    // RFC 9535 §2.4.6: a non-string argument is no match (json-p3 stringifies it and says yes).
    expect(selectPaths([[['a']]], '$[?match(@[0], "a.*")]')).toEqual([]);
  });

  test('descendant order is document order (pre-order)', () => {
    const data = { a: { name: 1, b: { name: 2 } }, c: [{ name: 3 }] };
    expect(selectPaths(data, '$..name')).toEqual([
      "$['a']['name']",
      "$['a']['b']['name']",
      "$['c'][0]['name']",
    ]);
  });

  test('normalized paths escape names', () => {
    expect(selectPaths({ "it's\n\u0001\\": 1 }, '$.*')).toEqual(["$['it\\'s\\n\\u0001\\\\']"]);
  });

  test('a node reached by several routes is selected once per route', () => {
    expect(selectPaths(['a'], '$[0, 0, -1]')).toEqual(['$[0]', '$[0]', '$[0]']);
  });

  test('only own members of arrays and plain objects are read', () => {
    class User {
      public name = 'n';
    }
    const data = {
      user: new User(),
      when: new Date(0),
      map: new Map([['a', 1]]),
      buf: Buffer.from('ab'),
      fn: () => 1,
    };
    expect(selectPaths(data, '$.user.name')).toEqual([]);
    expect(selectPaths(data, '$..*')).toEqual(["$['user']", "$['when']", "$['map']", "$['buf']", "$['fn']"]);
    expect(selectPaths({ a: [1] }, '$.a.length')).toEqual([]);
    expect(selectPaths({}, '$.constructor')).toEqual([]);
    expect(selectPaths({}, '$.__proto__')).toEqual([]);
    expect(selectPaths({}, "$['toString']")).toEqual([]);
    expect(selectPaths({}, '$.constructor.prototype')).toEqual([]);
  });

  test('an own __proto__ key (as JSON.parse makes) is an ordinary member', () => {
    const data = JSON.parse('{"__proto__": {"polluted": "yes"}}');
    expect(selectPaths(data, '$.__proto__.polluted')).toEqual(["$['__proto__']['polluted']"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('cycles are not followed forever', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    a.list = [a, { name: 'b', back: a }];
    expect(selectPaths(a, '$..name')).toEqual(["$['name']", "$['list'][1]['name']"]);
    // Back-references are selected (so erase can mask them) but never entered.
    expect(compileSelector('$..*').paths(a)).toEqual([
      "$['name']",
      "$['self']",
      "$['list']",
      "$['list'][0]",
      "$['list'][1]",
      "$['list'][1]['name']",
      "$['list'][1]['back']",
    ]);
  });

  test('20,000 levels of nesting: a result, not a stack overflow', () => {
    let deep: Record<string, unknown> = { secret: 'bottom' };
    for (let i = 0; i < 20000; i++) deep = { child: deep };
    const paths = selectPaths(deep, '$..secret');
    expect(paths).toHaveLength(1);
    expect(paths[0].startsWith("$['child']['child']")).toBe(true);
    expect(selectPaths(deep, '$.child.child')).toEqual(["$['child']['child']"]);
  });

  test('a 1,000,000-element array is walked in bounded time', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => ({ id: i, card: 'x' }));
    const started = performance.now();
    expect(compileSelector('$[*].card').values(big)).toHaveLength(1_000_000);
    expect(compileSelector('$[?@.id == 999999].card').values(big)).toEqual(['x']);
    // A hang check, not a speed target: linear work on a million nodes is far below this.
    expect(performance.now() - started).toBeLessThan(20000);
  });
});
