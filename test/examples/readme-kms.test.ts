/** The README's "Testing with the KMS double" example, run as written. */
import 'aws-sdk-client-mock-jest';
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { DataMasking } from 'middy-data-masking';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
import { createKmsMock } from 'middy-data-masking/testing';

const kms = createKmsMock(); // kms.keys: one generated key ARN
afterEach(() => kms.reset());
afterAll(() => kms.restore());

test('one data key for the whole record', async () => {
  const masker = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: kms.keys }) });
  await masker.encrypt({ a: 1, b: 2 }, { fields: ['a', 'b'], context: { tenant_id: 't' } });
  expect(kms.count('GenerateDataKey')).toBe(1);
  expect(kms.client).toHaveReceivedCommandTimes(GenerateDataKeyCommand, 1);
});

test('KMS throttled: a typed, retryable error', async () => {
  kms.throttle('GenerateDataKey'); // also: kms.disableKey(arn), kms.denyAccess(arn, 'Decrypt')
  const masker = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: kms.keys }) });
  await expect(masker.encrypt({ a: 1 }, { fields: ['a'] })).rejects.toMatchObject({
    name: 'DataMaskingProviderUnavailableError',
    retryable: true,
  });
});
