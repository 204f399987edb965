/**
 * Issue 10 / SPEC §4.5: two Powertools behaviours of its newest release. A wildcard over an empty list
 * is a match with no items, not a missing field; only an absent name or index is. A present but
 * `undefined` value is left as it is by `encrypt` and `decrypt`, with no provider call and no warning.
 */
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingFieldNotFoundError } from '../../src/errors.js';
import { compileSelector } from '../../src/selector/selector.js';

const provider = () => ({
  encrypt: jest.fn(async (text: string) => `ENC:${text}`),
  decrypt: jest.fn(async (text: string) => text.slice(4)),
});

let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe('an empty list is not a missing field', () => {
  test.each([
    ['orders[*].card', { orders: [] }],
    ['orders.*.card', { orders: {} }],
    ['items[*].orders[*].card', { items: [{ orders: [] }, { orders: [] }] }],
    ['items[*].orders[*].card', { items: [] }],
    ['$.orders[0:2].card', { orders: [] }],
    ['$.orders[?@.id].card', { orders: [] }],
    ['$..orders[*].card', { a: { orders: [] } }],
  ])('%s over %j: erase and encrypt give it back, no warning', async (field, data) => {
    const p = provider();
    const masker = new DataMasking({ provider: p });
    expect(masker.erase(data, { fields: [field] })).toEqual(data);
    // The general evaluator (a rule with a function) and the compiled fast path agree.
    expect(masker.erase(data, { maskingRules: { [field]: () => 'x' } })).toEqual(data);
    await expect(masker.encrypt(data, { fields: [field] })).resolves.toEqual(data);
    await expect(masker.decrypt(data, { fields: [field] })).resolves.toEqual(data);
    expect(p.encrypt).not.toHaveBeenCalled();
    const lenient = new DataMasking({ provider: p, throwOnMissingField: false });
    lenient.erase(data, { fields: [field] });
    await lenient.encrypt(data, { fields: [field] });
    expect(warn).not.toHaveBeenCalled();
  });

  test.each([
    ['orders[*].card', { orders: [{ id: 1 }] }, 'the items have no card'],
    ['orders[0].card', { orders: [] }, 'an index is a name, not a list'],
    ['orders[*].card', {}, 'no orders at all'],
    ['orders[*].card', { orders: 'none' }, 'orders is not a list'],
    ['items[*].orders[*].card', { items: [{ orders: [] }, {}] }, 'one item has no orders'],
    ['$.orders[?@.id > 5].card', { orders: [{ id: 1 }] }, 'a filter that keeps none of a non-empty list'],
    ['$..card', { orders: [] }, 'a descendant search that finds nothing'],
  ])('%s over %j is missing (%s)', async (field, data, _why) => {
    const masker = new DataMasking({ provider: provider() });
    expect(() => masker.erase(data, { fields: [field] })).toThrow(DataMaskingFieldNotFoundError);
    expect(() => masker.erase(data, { maskingRules: { [field]: () => 'x' } })).toThrow(
      DataMaskingFieldNotFoundError,
    );
    await expect(masker.encrypt(data, { fields: [field] })).rejects.toThrow(`Field not found: '${field}'`);
    new DataMasking({ throwOnMissingField: false }).erase(data, { fields: [field] });
    expect(warn).toHaveBeenCalledWith(`Field not found: '${field}'`);
  });

  test('a match elsewhere still counts: the expression selected something', () => {
    const masker = new DataMasking();
    expect(masker.erase({ a: [], b: [{ c: 1 }] }, { fields: ['$[*][*].c'] })).toEqual({
      a: [],
      b: [{ c: '*****' }],
    });
  });

  test('property: a list of empty lists under a wildcard path is never missing', () => {
    const masker = new DataMasking();
    fc.assert(
      fc.property(fc.array(fc.constantFrom([], {}), { maxLength: 5 }), (groups) => {
        const data = { groups: groups.map((orders) => ({ orders })) };
        expect(masker.erase(data, { fields: ['groups[*].orders[*].card'] })).toEqual(data);
        expect(compileSelector('groups[*].orders[*].card').missingIn(data)).toBe(false);
      }),
    );
  });
});

describe('a present but undefined value', () => {
  test('encrypt leaves it, decrypt leaves it, the round trip holds', async () => {
    const p = provider();
    const masker = new DataMasking({ provider: p });
    const data = { ssn: undefined, name: 'Jane' };
    const encrypted = await masker.encrypt(data, { fields: ['ssn', 'name'] });
    expect(encrypted).toEqual({ ssn: undefined, name: 'ENC:"Jane"' });
    expect(Object.hasOwn(encrypted, 'ssn')).toBe(true);
    const decrypted = await masker.decrypt(encrypted, { fields: ['ssn', 'name'] });
    expect(decrypted).toEqual({ ssn: undefined, name: 'Jane' });
    expect(p.encrypt).toHaveBeenCalledTimes(1);
    expect(p.decrypt).toHaveBeenCalledTimes(1);
    expect(warn).not.toHaveBeenCalled();
  });

  test('it is found (not missing), and the other values are still checked first', async () => {
    const p = provider();
    const masker = new DataMasking({ provider: p });
    await expect(masker.encrypt({ ssn: undefined }, { fields: ['ssn'] })).resolves.toEqual({
      ssn: undefined,
    });
    // A value JSON cannot hold is still refused, before any provider call.
    await expect(masker.encrypt({ ssn: undefined, f: () => 1 }, { fields: ['ssn', 'f'] })).rejects.toThrow(
      'cannot be encrypted',
    );
    // Plaintext next to an undefined value is still refused in decrypt.
    await expect(masker.decrypt({ ssn: undefined, card: 4111 }, { fields: ['ssn', 'card'] })).rejects.toThrow(
      'is not a ciphertext string',
    );
    expect(p.encrypt).not.toHaveBeenCalled();
    expect(p.decrypt).not.toHaveBeenCalled();
  });

  test('each value is serialized once', async () => {
    const toJSON = jest.fn(() => 'x');
    const masker = new DataMasking({ provider: provider() });
    await masker.encrypt({ a: { toJSON } }, { fields: ['a'] });
    expect(toJSON).toHaveBeenCalledTimes(1);
  });
});
