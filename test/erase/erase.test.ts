import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingFieldNotFoundError, DataMaskingInvalidSelectorError } from '../../src/errors.js';
import { deepFreeze } from '../support/deep-freeze.js';

const masker = new DataMasking();

const customer = () => ({
  id: 1,
  name: 'John Doe',
  age: 30,
  email: 'johndoe@example.com',
  address: { street: '123 Main St', city: 'Anytown', state: 'CA', zip: '12345' },
  company_address: { street: '456 ACME Ave', city: 'Anytown', state: 'CA', zip: '12345' },
});

describe('erase: the Powertools reference examples', () => {
  test('email, address.street and company_address on a customer record', () => {
    expect(masker.erase(customer(), { fields: ['email', 'address.street', 'company_address'] })).toEqual({
      ...customer(),
      email: '*****',
      address: { street: '*****', city: 'Anytown', state: 'CA', zip: '12345' },
      company_address: '*****',
    });
  });

  test('card_number', () => {
    expect(
      masker.erase({ card_number: '1234 5678 9012 3456', name: 'Carlos' }, { fields: ['card_number'] }),
    ).toEqual({
      card_number: '*****',
      name: 'Carlos',
    });
  });

  test('address.postcode', () => {
    const data = {
      name: 'Carlos',
      operation: 'non sensitive',
      card_number: '1111 2222 3333 4444',
      address: { postcode: 12345 },
    };
    expect(masker.erase(data, { fields: ['address.postcode'] })).toEqual({
      ...data,
      address: { postcode: '*****' },
    });
  });

  const twoAddresses = () => ({
    name: 'Carlos',
    address: [
      { postcode: 12345, street: 'Nowhere Street' },
      { postcode: 67890, street: 'Somewhere Street' },
    ],
  });

  test('address holding a list of two objects becomes two masks', () => {
    expect(masker.erase(twoAddresses(), { fields: ['address'] })).toEqual({
      name: 'Carlos',
      address: ['*****', '*****'],
    });
  });

  test('category..name', () => {
    const data = { category: { subcategory: { brand: { product: { name: 'Car', id: 7 } } } }, name: 'top' };
    expect(masker.erase(data, { fields: ['category..name'] })).toEqual({
      category: { subcategory: { brand: { product: { name: '*****', id: 7 } } } },
      name: 'top',
    });
  });

  test('address[*].street', () => {
    expect(masker.erase(twoAddresses(), { fields: ['address[*].street'] }).address).toEqual([
      { postcode: 12345, street: '*****' },
      { postcode: 67890, street: '*****' },
    ]);
  });

  test('address[-1].street', () => {
    expect(masker.erase(twoAddresses(), { fields: ['address[-1].street'] }).address).toEqual([
      { postcode: 12345, street: 'Nowhere Street' },
      { postcode: 67890, street: '*****' },
    ]);
  });

  test('$.address[?(@.postcode > 12000)] selects whole elements', () => {
    const data = { address: [{ postcode: 11000 }, ...twoAddresses().address] };
    expect(masker.erase(data, { fields: ['$.address[?(@.postcode > 12000)]'] })).toEqual({
      address: [{ postcode: 11000 }, '*****', '*****'],
    });
  });

  test('a JSON string in gives a JSON string out', () => {
    const out = masker.erase(JSON.stringify(customer()), { fields: ['email', 'address.street'] });
    expect(typeof out).toBe('string');
    expect(JSON.parse(out)).toEqual({
      ...customer(),
      email: '*****',
      address: { ...customer().address, street: '*****' },
    });
  });
});

describe('erase without fields', () => {
  test.each([
    [null, null],
    [undefined, undefined],
    ['secret', '*****'],
    [42, '*****'],
    [true, '*****'],
    [{ a: 1, b: { c: 2 } }, '*****'],
    [
      [1, 'two', { three: 3 }],
      ['*****', '*****', '*****'],
    ],
    [[], []],
  ])('%j → %j', (data, expected) => {
    expect(masker.erase(data)).toEqual(expected);
  });

  test('a top-level rule without fields applies to every leaf and keeps the shape', () => {
    expect(masker.erase({ a: 'abc', b: [12, { c: 'de' }], n: null }, { dynamicMask: true })).toEqual({
      a: '***',
      b: ['**', { c: '**' }],
      n: null,
    });
    expect(masker.erase('secret', { customMask: 'X' })).toBe('X');
  });
});

describe('erase with fields', () => {
  test('a selected array keeps its length with each element masked', () => {
    expect(masker.erase({ cards: ['a', 'b', 'c'], keep: 1 }, { fields: ['cards'] })).toEqual({
      cards: ['*****', '*****', '*****'],
      keep: 1,
    });
  });

  test('every JSON type is masked when selected', () => {
    const data = { s: 's', n: 1, b: false, z: null, o: { x: 1 } };
    expect(masker.erase(data, { fields: ['$.*'] })).toEqual({
      s: '*****',
      n: '*****',
      b: '*****',
      z: '*****',
      o: '*****',
    });
  });

  test('the root itself can be selected', () => {
    expect(masker.erase({ a: 1 }, { fields: ['$'] })).toBe('*****');
  });

  test('an ancestor selected by another expression wins, in either order', () => {
    const data = { a: { b: 'x', c: 'y' } };
    expect(masker.erase(data, { fields: ['a.b', 'a'] })).toEqual({ a: '*****' });
    expect(masker.erase(data, { fields: ['a', 'a.b'] })).toEqual({ a: '*****' });
  });

  test('filters see the original input, whatever the order of expressions', () => {
    const data = {
      items: [
        { id: 1, price: 50 },
        { id: 2, price: 5 },
      ],
    };
    const out = masker.erase(data, { fields: ['items[*].price', '$.items[?@.price > 10].id'] });
    expect(out).toEqual({
      items: [
        { id: '*****', price: '*****' },
        { id: 2, price: '*****' },
      ],
    });
  });

  test('the result shares unmasked subtrees with the input and copies only the touched path', () => {
    const data = {
      keep: { deep: { x: 1 } },
      user: { profile: { name: 'n' }, ssn: '123-45-6789' },
      list: [{ a: 1 }],
    };
    const out = masker.erase(data, { fields: ['user.ssn'] });
    expect(out).not.toBe(data);
    expect(out.user).not.toBe(data.user);
    expect(out.keep).toBe(data.keep);
    expect(out.list).toBe(data.list);
    expect(out.user.profile).toBe(data.user.profile);
    expect(data.user.ssn).toBe('123-45-6789');
  });

  test('deep-frozen input is never written', () => {
    const data = deepFreeze(customer());
    expect(masker.erase(data, { fields: ['address.street', 'email'] }).email).toBe('*****');
  });

  test('throwOnMissingField: on by default, skipping when off', () => {
    expect(() => masker.erase({ a: 1 }, { fields: ['b'] })).toThrow(DataMaskingFieldNotFoundError);
    try {
      masker.erase({ a: 1 }, { fields: ['a', 'missing.field'] });
    } catch (error) {
      expect((error as DataMaskingFieldNotFoundError).expression).toBe('missing.field');
      expect((error as Error).name).toBe('DataMaskingFieldNotFoundError');
    }
    const lenient = new DataMasking({ throwOnMissingField: false });
    const data = { a: 1 };
    expect(lenient.erase(data, { fields: ['b', 'a'] })).toEqual({ a: '*****' });
    expect(lenient.erase(data, { fields: ['b'] })).toBe(data);
  });

  test('an invalid expression fails when compiled, before any data', () => {
    expect(() => masker.compileErase({ fields: ['$[?'] })).toThrow(DataMaskingInvalidSelectorError);
    expect(() => masker.erase({}, { maskingRules: { 'a[': { customMask: 'x' } } })).toThrow(
      DataMaskingInvalidSelectorError,
    );
  });

  test('compileErase returns a reusable function', () => {
    const erase = masker.compileErase({ fields: ['card'] });
    expect(erase({ card: 1 })).toEqual({ card: '*****' });
    expect(erase({ card: 2, x: 3 })).toEqual({ card: '*****', x: 3 });
  });
});
