/**
 * Issue 10: the Powertools subpaths resolve to the same classes and types here, so a migration changes
 * only the package name in every import (the packed package's subpaths are checked by check:tarball).
 */
import {
  DataMaskingContextMismatchError,
  DataMaskingEncryptionError,
  DataMaskingFieldNotFoundError,
  DataMaskingUnsupportedTypeError,
} from 'middy-data-masking/errors';
import type { AWSEncryptionSDKProviderOptions, SDKClient } from 'middy-data-masking/providers/kms/types';
import type {
  DataMaskingConstructorOptions,
  DecryptOptions,
  EncryptionProvider,
  EncryptOptions,
  EraseOptions,
  MaskedPayload,
  MaskingRule,
} from 'middy-data-masking/types';
import * as main from '../../src/index.js';

test('the error classes of /errors are the ones the main entry exports (instanceof holds across imports)', () => {
  expect(DataMaskingEncryptionError).toBe(main.DataMaskingEncryptionError);
  expect(DataMaskingFieldNotFoundError).toBe(main.DataMaskingFieldNotFoundError);
  expect(DataMaskingUnsupportedTypeError).toBe(main.DataMaskingUnsupportedTypeError);
  expect(new DataMaskingContextMismatchError(['tenant_id'])).toBeInstanceOf(main.DataMaskingEncryptionError);
});

test('the /types and /providers/kms/types names type real values', () => {
  const rule: MaskingRule = { customMask: 'X' };
  const erase: EraseOptions = { fields: ['a'], ...rule };
  const constructorOptions: DataMaskingConstructorOptions = { throwOnMissingField: true };
  const encrypt: EncryptOptions = { fields: ['a'], context: { tenant_id: 't' } };
  const decrypt: DecryptOptions = { fields: ['a'] };
  const provider: EncryptionProvider = { encrypt: async (d) => d, decrypt: async (d) => d };
  const providerOptions: AWSEncryptionSDKProviderOptions = {
    keys: ['arn:aws:kms:eu-west-1:111122223333:key/k'],
  };
  const masked: MaskedPayload<string[]> = ['*****'];
  const client: Partial<SDKClient> = {};
  const masker = new main.DataMasking({ ...constructorOptions, provider });
  expect(masker.erase({ a: 'secret' }, erase)).toEqual({ a: 'X' });
  expect(encrypt.fields).toEqual(decrypt.fields);
  expect(providerOptions.keys).toHaveLength(1);
  expect(masked).toEqual(['*****']);
  expect(client).toEqual({});
});
