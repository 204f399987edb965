/**
 * Issue 9, items 12 and 21: createKmsMock refuses an unknown option before installing anything, and its
 * reset() is the double's alone: a warm provider does not call KMS, a new one or clearCache() is cold.
 * Issue 14: key policies on the encryption context given up front (`policies`), which reset() keeps.
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

describe('createKmsMock({ policies }): key policies on the encryption context from the start', () => {
  const kmsClient = () =>
    new KMS({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const encryptUnder = (key: string, tenant: string) =>
    kmsClient().encrypt({
      KeyId: key,
      Plaintext: Buffer.from('x'),
      EncryptionContext: { tenant_id: tenant },
    });

  test('are enforced as allowContext would, and survive reset(), unlike those allowContext adds', async () => {
    const [key, other] = [keyArn(), keyArn()];
    const mock = createKmsMock({
      keys: [key, other],
      policies: {
        [key]: [{ conditions: { tenant_id: 'acme' } }],
        // A bare key id, one statement per operation set.
        [other.split('/')[1]]: [
          { conditions: { tenant_id: ['acme', 'globex'] }, operations: 'Encrypt' },
          { conditions: { tenant_id: 'initech' }, operations: ['Decrypt'] },
        ],
      },
    });
    try {
      await expect(encryptUnder(key, 'acme')).resolves.toBeDefined();
      await expect(encryptUnder(key, 'globex')).rejects.toHaveProperty('name', 'AccessDeniedException');
      await expect(encryptUnder(other, 'globex')).resolves.toBeDefined();
      await expect(encryptUnder(other, 'initech')).rejects.toHaveProperty('name', 'AccessDeniedException');

      mock.allowContext(key, { tenant_id: 'globex' });
      await expect(encryptUnder(key, 'globex')).resolves.toBeDefined();
      mock.reset();
      // The statement added since is gone; the ones the double was created with stay.
      await expect(encryptUnder(key, 'globex')).rejects.toHaveProperty('name', 'AccessDeniedException');
      await expect(encryptUnder(key, 'acme')).resolves.toBeDefined();
      await expect(encryptUnder(other, 'initech')).rejects.toHaveProperty('name', 'AccessDeniedException');
      expect(mock.count('Encrypt')).toBe(3);
    } finally {
      mock.restore();
    }
  });

  test('statements are copied at creation', async () => {
    const key = keyArn();
    const statement = { conditions: { tenant_id: ['acme'] } };
    const mock = createKmsMock({ keys: [key], policies: { [key]: [statement] } });
    try {
      statement.conditions.tenant_id.push('globex');
      await expect(encryptUnder(key, 'globex')).rejects.toHaveProperty('name', 'AccessDeniedException');
    } finally {
      mock.restore();
    }
  });

  test('an unknown property of a statement is refused, naming it', () => {
    const key = keyArn();
    const refused = () =>
      createKmsMock({
        keys: [key],
        policies: { [key]: [{ conditions: { t: 'a' }, action: 'Decrypt' } as never] },
      });
    expect(refused).toThrow(DataMaskingUnsupportedTypeError);
    expect(refused).toThrow(/unknown option "action"/);
  });

  test.each([
    ['a key the double does not know', () => ({ [keyArn()]: [{ conditions: { t: 'a' } }] }), TypeError],
    ['a key without statements', (key: string) => ({ [key]: [] }), TypeError],
    ['statements that are not an array', (key: string) => ({ [key]: { conditions: { t: 'a' } } }), TypeError],
    [
      'a statement that is missing',
      (key: string) => ({ [key]: [undefined] }),
      DataMaskingUnsupportedTypeError,
    ],
    ['a statement that is null', (key: string) => ({ [key]: [null] }), DataMaskingUnsupportedTypeError],
    [
      'a statement without conditions',
      (key: string) => ({ [key]: [{ operations: ['Decrypt'] }] }),
      TypeError,
    ],
    [
      'an unknown operation',
      (key: string) => ({ [key]: [{ conditions: { t: 'a' }, operations: ['Sign'] }] }),
      TypeError,
    ],
    ['policies that are not an object', () => [], TypeError],
  ] as const)('%s is refused, and the double installed before keeps answering', async (_, policies, type) => {
    const before = createKmsMock();
    try {
      const key = keyArn();
      expect(() => createKmsMock({ keys: [key], policies: policies(key) as never })).toThrow(type);
      await kmsClient().generateDataKey({ KeyId: before.keys[0], KeySpec: 'AES_256' });
      expect(before.count('GenerateDataKey')).toBe(1);
    } finally {
      before.restore();
    }
  });
});
