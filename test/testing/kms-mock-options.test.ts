/**
 * Issue 9, items 12 and 21: createKmsMock refuses an unknown option before installing anything, and its
 * reset() is the double's alone: a warm provider does not call KMS, a new one or clearCache() is cold.
 */
import { randomUUID } from 'node:crypto';
import { KMS } from '@aws-sdk/client-kms';
import { DataMaskingDecryptKeyError, DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { AWSEncryptionSDKProvider } from '../../src/providers/kms.js';
import { createKmsMock, type KmsMock } from '../../src/testing/index.js';

const keyArn = () => `arn:aws:kms:eu-west-1:111122223333:key/${randomUUID()}`;

describe('createKmsMock options', () => {
  test.each([
    ['key', { key: [keyArn()] }],
    ['keyIds', { keyIds: [keyArn()] }],
    ['region', { keys: [keyArn()], region: 'eu-west-1' }],
  ])('an unknown key (%s) is refused, naming it', (name, options) => {
    let error: unknown;
    try {
      createKmsMock(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataMaskingUnsupportedTypeError);
    expect((error as Error).message).toContain(JSON.stringify(name));
  });

  test('a refused call installs nothing: the double installed before keeps answering', async () => {
    const mock = createKmsMock();
    try {
      expect(() => createKmsMock({ kyes: [keyArn()] } as never)).toThrow(DataMaskingUnsupportedTypeError);
      const kms = new KMS({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      await kms.generateDataKey({ KeyId: mock.keys[0], KeySpec: 'AES_256' });
      expect(mock.count('GenerateDataKey')).toBe(1);
    } finally {
      mock.restore();
    }
  });

  test('options that are not an object are refused', () => {
    expect(() => createKmsMock(null as never)).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => createKmsMock([keyArn()] as never)).toThrow(DataMaskingUnsupportedTypeError);
  });
});

describe('reset() resets the double, not the providers', () => {
  let mock: KmsMock;
  beforeAll(() => {
    mock = createKmsMock();
  });
  afterAll(() => mock.restore());

  test('a warm provider decrypts from its cache; a new provider, or clearCache(), sees the disabled key', async () => {
    const [key] = mock.keys;
    const warm = new AWSEncryptionSDKProvider({ keys: [key] });
    const ciphertext = await warm.encrypt('secret', { t: '1' });
    await warm.decrypt(ciphertext, { t: '1' });
    mock.reset();
    mock.disableKey(key);
    await expect(warm.decrypt(ciphertext, { t: '1' })).resolves.toBe('secret');
    expect(mock.count('Decrypt')).toBe(0);
    await expect(
      new AWSEncryptionSDKProvider({ keys: [key] }).decrypt(ciphertext, { t: '1' }),
    ).rejects.toThrow(DataMaskingDecryptKeyError);
    warm.clearCache();
    await expect(warm.decrypt(ciphertext, { t: '1' })).rejects.toThrow(DataMaskingDecryptKeyError);
    expect(mock.count('Decrypt')).toBe(2);
  });
});
