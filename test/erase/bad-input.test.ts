import { DataMasking } from '../../src/data-masking.js';
import { CIRCULAR } from '../../src/erase/map-leaves.js';
import { DataMaskingFieldNotFoundError, DataMaskingUnsupportedTypeError } from '../../src/errors.js';

const masker = new DataMasking();
const lenient = new DataMasking({ throwOnMissingField: false });

describe('prototype pollution', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test.each([
    '__proto__.polluted',
    'constructor.prototype.polluted',
    '$.__proto__.polluted',
    "$['__proto__']['polluted']",
    '$..polluted',
  ])('through an expression: %s reaches nothing', (expression) => {
    expect(() => masker.erase({ a: 1 }, { fields: [expression] })).toThrow(DataMaskingFieldNotFoundError);
    expect(lenient.erase({ a: 1 }, { fields: [expression], remove: true })).toEqual({ a: 1 });
  });

  test('through data: an own __proto__ key is masked as data, never set as a prototype', () => {
    const data = JSON.parse('{"__proto__": {"polluted": "yes", "secret": "s"}, "b": 1}');
    const out = masker.erase(data, { fields: ['__proto__.secret', '$..polluted'] }) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"*****","secret":"*****"},"b":1}');
    const whole = masker.erase(data, { fields: ['__proto__'] }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(whole)).toBe(Object.prototype);
    expect(JSON.stringify(whole)).toBe('{"__proto__":"*****","b":1}');
  });

  test('through data: detectors and leaf rules walk an own __proto__ key without pollution', () => {
    const data = JSON.parse('{"__proto__": {"polluted": "123-45-6789"}}');
    const out = masker.erase(data, { dynamicMask: true }) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"***********"}}');
  });
});

describe('deep nesting', () => {
  const nest = (levels: number) => {
    let deep: Record<string, unknown> = { secret: 'bottom', keep: 1 };
    for (let i = 0; i < levels; i++) deep = { child: deep };
    return deep;
  };
  const bottom = (data: unknown) => {
    let node = data as Record<string, unknown>;
    while (node.child) node = node.child as Record<string, unknown>;
    return node;
  };

  test('20,000 levels: field expressions give a result', () => {
    const out = masker.erase(nest(20000), { fields: ['$..secret'] });
    expect(bottom(out)).toEqual({ secret: '*****', keep: 1 });
  });

  test('20,000 levels: whole-payload walks give a typed error, not a stack overflow', () => {
    expect(() => masker.erase(nest(20000), { dynamicMask: true })).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => masker.erase(nest(20000), { detectors: ['email'] })).toThrow(
      DataMaskingUnsupportedTypeError,
    );
    expect(() => masker.erase(nest(20000), { fields: ['child'], hash: 'sha256' })).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });

  test('a 20,000-deep JSON string input gives a result or a typed error', () => {
    const text = `${'{"child":'.repeat(20000)}{"secret":"s"}${'}'.repeat(20000)}`;
    let out: unknown;
    try {
      out = masker.erase(text, { fields: ['$..secret'] });
    } catch (error) {
      expect(error).toBeInstanceOf(DataMaskingUnsupportedTypeError);
      return;
    }
    expect(out).not.toContain('"s"');
  });
});

describe('cycles', () => {
  const cyclic = () => {
    const user: Record<string, unknown> = { name: 'n', password: 'hunter2' };
    user.self = user;
    user.friends = [user, { password: 'p2', back: user }];
    return user;
  };

  test('a descendant erase masks every reachable copy and terminates', () => {
    const data = cyclic();
    const out = masker.erase(data, { fields: ['$..password'] }) as Record<string, unknown>;
    expect(out.password).toBe('*****');
    expect((out.friends as Record<string, unknown>[])[1].password).toBe('*****');
    expect(data.password).toBe('hunter2');
  });

  test('selecting a back-reference masks it', () => {
    const out = masker.erase(cyclic(), { fields: ['$..self', '$..back'] }) as Record<string, unknown>;
    expect(out.self).toBe('*****');
  });

  test('whole-payload walks replace back-references instead of looping', () => {
    const out = masker.erase(cyclic(), { dynamicMask: true }) as Record<string, unknown>;
    expect(out.password).toBe('*******');
    expect(out.self).toBe(CIRCULAR);
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });
});

describe('values that are not JSON', () => {
  class Account {
    public constructor(public readonly iban: string) {}
  }
  const exotic = () => ({
    when: new Date(0),
    buf: Buffer.from('secret'),
    map: new Map([['k', 'secret']]),
    account: new Account('DE89'),
    fn: () => 'secret',
    big: 10n,
    sym: Symbol('s'),
    und: undefined,
    nan: Number.NaN,
  });

  test('they are leaves: masked whole when selected', () => {
    const out = masker.erase(exotic(), { fields: ['$.*'] });
    expect(Object.values(out).every((v) => (v as unknown) === '*****')).toBe(true);
  });

  test('they pass through untouched (same reference) when not selected', () => {
    const data = { ...exotic(), ssn: 'x' };
    const out = masker.erase(data, { fields: ['ssn'] });
    for (const key of Object.keys(exotic()) as (keyof ReturnType<typeof exotic>)[]) {
      expect(Object.is(out[key], data[key])).toBe(true);
    }
    // A path into a class instance opens its JSON form (SPEC §4.7): what leaves is that form, masked.
    const opened = masker.erase(data, { fields: ['account.iban'] }) as unknown as { account: unknown };
    expect(opened.account).toEqual({ iban: '*****' });
    expect(data.account).toBeInstanceOf(Account);
    expect(() => masker.erase(data, { fields: ['when.iban'] })).toThrow(DataMaskingFieldNotFoundError);
  });

  test('rules see their string form', () => {
    const out = masker.erase(exotic(), { fields: ['when', 'big', 'nan'], customMask: 'x', when: undefined });
    expect(out).toMatchObject({ when: 'x', big: 'x', nan: 'x' });
    const hashed = masker.erase({ when: new Date(0) }, { fields: ['when'], dynamicMask: true });
    expect(hashed.when).toBe('*'.repeat(new Date(0).toISOString().length));
  });

  test('a function rule may return anything, and a throwing one propagates', () => {
    expect(masker.erase({ a: 1 }, { maskingRules: { a: () => ({ nested: true }) } })).toEqual({
      a: { nested: true },
    });
    expect(() =>
      masker.erase(
        { a: 1 },
        {
          maskingRules: {
            a: () => {
              throw new RangeError('boom');
            },
          },
        },
      ),
    ).toThrow(RangeError);
  });
});

describe('scale', () => {
  test('a 1,000,000-element array is erased in bounded time', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => ({ id: i, card: '4111' }));
    const started = performance.now();
    const out = masker.erase(big, { fields: ['$[*].card'] });
    expect(out[999_999]).toEqual({ id: 999_999, card: '*****' });
    expect(big[999_999].card).toBe('4111');
    // A hang check, not a speed target.
    expect(performance.now() - started).toBeLessThan(20000);
  });
});
