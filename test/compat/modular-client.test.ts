/**
 * Issue 10: `clientProvider` accepts the modular `KMSClient` v3 users construct (only `send(command)`),
 * not only the aggregated `KMS` class; the KMS double answers it like any client, faults included.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingContextMismatchError, DataMaskingProviderUnavailableError } from '../../src/errors.js';
import { AWSEncryptionSDKProvider } from '../../src/providers/kms.js';
import { createKmsMock, type KmsMock } from '../../src/testing/index.js';

let kms: KmsMock;
beforeAll(() => {
  kms = createKmsMock();
});
afterAll(() => kms.restore());
beforeEach(() => kms.reset());

const modular = (regions: string[]) => (region: string) => {
  regions.push(region);
  return new KMSClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
};

test('encrypt and decrypt through a modular KMSClient', async () => {
  const regions: string[] = [];
  const masker = new DataMasking({
    provider: new AWSEncryptionSDKProvider({ keys: kms.keys, clientProvider: modular(regions) }),
  });
  const encrypted = await masker.encrypt({ card: '4111' }, { fields: ['card'], context: { tenant_id: 'a' } });
  const reader = new DataMasking({
    provider: new AWSEncryptionSDKProvider({ keys: kms.keys, clientProvider: modular(regions) }),
  });
  await expect(reader.decrypt(encrypted, { fields: ['card'], context: { tenant_id: 'a' } })).resolves.toEqual(
    {
      card: '4111',
    },
  );
  await expect(reader.decrypt(encrypted, { fields: ['card'], context: { tenant_id: 'b' } })).rejects.toThrow(
    DataMaskingContextMismatchError,
  );
  expect(kms.count('GenerateDataKey')).toBe(1);
  expect(kms.count('Decrypt')).toBe(1);
  expect(regions.length).toBeGreaterThan(0);
});

test('a throttled KMS through a modular client is classified as unavailable', async () => {
  kms.throttle('GenerateDataKey', Number.POSITIVE_INFINITY);
  const masker = new DataMasking({
    provider: new AWSEncryptionSDKProvider({ keys: kms.keys, clientProvider: modular([]) }),
  });
  await expect(masker.encrypt('x', { context: { tenant_id: 'a' } })).rejects.toThrow(
    DataMaskingProviderUnavailableError,
  );
});
