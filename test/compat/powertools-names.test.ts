/**
 * Issue 10 (started): the names Powertools' data-masking exports resolve here too, so an import of them
 * keeps compiling and working after the migration (the type aliases are checked by tsc, the values here).
 */
import {
  DataMasking,
  type DataMaskingConstructorOptions,
  DEFAULT_MASK,
  DEFAULT_MASK_VALUE,
  type DecryptOptions,
  type EncryptOptions,
} from '../../src/index.js';

test('DEFAULT_MASK_VALUE is the mask erase writes', () => {
  expect(DEFAULT_MASK_VALUE).toBe('*****');
  expect(DEFAULT_MASK_VALUE).toBe(DEFAULT_MASK);
  expect(new DataMasking().erase({ a: 'x' }, { fields: ['a'] })).toEqual({ a: DEFAULT_MASK_VALUE });
});

test('the option types are the ones DataMasking takes', () => {
  const constructorOptions: DataMaskingConstructorOptions = { throwOnMissingField: false };
  const encryptOptions: EncryptOptions = { fields: ['a'], context: { tenant_id: 't' } };
  const decryptOptions: DecryptOptions = { fields: ['a'] };
  const masker = new DataMasking(constructorOptions);
  expect(masker.erase({ b: 1 }, { fields: ['a'] })).toEqual({ b: 1 });
  expect(encryptOptions.fields).toEqual(decryptOptions.fields);
});
