import { randomUUID } from 'node:crypto';
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  KMS as SdkKms,
} from '@aws-crypto/client-node';
import { KMS, KMSClient } from '@aws-sdk/client-kms';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingDecryptKeyError, DataMaskingEncryptKeyError } from '../../src/errors.js';
import { AWSEncryptionSDKProvider } from '../../src/providers/kms.js';
import { createKmsMock, type KmsMock } from '../../src/testing/index.js';

const keyArn = () => `arn:aws:kms:eu-west-1:111122223333:key/${randomUUID()}`;
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const context = { tenant_id: 't-1', purpose: 'unit-test' };

describe('the real AWS Encryption SDK against the double', () => {
  const keys = [keyArn(), keyArn()];
  const [first, second] = keys;
  let kms: KmsMock;

  beforeEach(() => {
    kms = createKmsMock({ keys });
  });
  afterEach(() => kms.restore());

  test('the SDK uses the same KMS class as the one the double stubs', () => {
    expect(SdkKms).toBe(KMS);
    expect(Object.getPrototypeOf(SdkKms.prototype)).toBe(KMSClient.prototype);
  });

  test('encrypts and decrypts with the default client provider, one KMS call per key', async () => {
    // The default client provider builds (and caches) the SDK's own KMS clients: only a stub on the class
    // they come from can answer them.
    const keyring = new KmsKeyringNode({ generatorKeyId: first, keyIds: [second] });
    const { result, messageHeader } = await encrypt(keyring, 'card 4111 1111 1111 1111', {
      encryptionContext: context,
    });
    expect(kms.count('GenerateDataKey')).toBe(1);
    expect(kms.count('Encrypt')).toBe(1);
    expect(messageHeader.encryptedDataKeys.map((edk) => edk.providerInfo)).toEqual([first, second]);

    const decrypted = await decrypt(keyring, result);
    expect(decrypted.plaintext.toString()).toBe('card 4111 1111 1111 1111');
    expect(decrypted.messageHeader.encryptionContext).toMatchObject(context);
    expect(kms.count('Decrypt')).toBe(1);
  });

  test('a message made with two keys decrypts with a keyring holding only the second', async () => {
    const { result } = await encrypt(
      new KmsKeyringNode({ generatorKeyId: first, keyIds: [second] }),
      'secret',
      {
        encryptionContext: context,
      },
    );
    kms.disableKey(first); // proves the first key is not what decrypts it
    const { plaintext, messageHeader } = await decrypt(new KmsKeyringNode({ keyIds: [second] }), result);
    expect(plaintext.toString()).toBe('secret');
    expect(messageHeader.encryptionContext).toMatchObject(context);
  });

  test('a disabled generator key makes encrypt reject', async () => {
    kms.disableKey(first);
    await expect(encrypt(new KmsKeyringNode({ generatorKeyId: first }), 'secret')).rejects.toThrow(
      /is disabled/,
    );
  });

  test('a key denied for Decrypt makes decrypt reject, unless another key of the message can', async () => {
    const { result } = await encrypt(
      new KmsKeyringNode({ generatorKeyId: first, keyIds: [second] }),
      'secret',
    );
    kms.denyAccess(second, 'Decrypt');
    await expect(decrypt(new KmsKeyringNode({ keyIds: [second] }), result)).rejects.toThrow(
      /AccessDeniedException|not authorized/,
    );
    const { plaintext } = await decrypt(new KmsKeyringNode({ keyIds: [first, second] }), result);
    expect(plaintext.toString()).toBe('secret');
  });

  test('a denied Encrypt on an extra key makes encrypt reject', async () => {
    kms.denyAccess(second, 'Encrypt');
    await expect(
      encrypt(new KmsKeyringNode({ generatorKeyId: first, keyIds: [second] }), 'secret'),
    ).rejects.toThrow(/not authorized/);
  });

  test('a throttled GenerateDataKey makes one encrypt reject, the next succeeds', async () => {
    const keyring = new KmsKeyringNode({ generatorKeyId: first });
    kms.throttle('GenerateDataKey');
    await expect(encrypt(keyring, 'secret')).rejects.toThrow(/Rate exceeded/);
    await expect(encrypt(keyring, 'secret')).resolves.toBeDefined();
    expect(kms.count('GenerateDataKey')).toBe(2);
  });

  test('count() shows the data key cache saving KMS calls', async () => {
    const cmm = new NodeCachingMaterialsManager({
      backingMaterials: new KmsKeyringNode({ generatorKeyId: first }),
      cache: getLocalCryptographicMaterialsCache(10),
      maxAge: 60_000,
      maxMessagesEncrypted: 10,
    });
    for (let message = 0; message < 3; message++) {
      await encrypt(cmm, `secret ${message}`, { encryptionContext: context });
    }
    expect(kms.count('GenerateDataKey')).toBe(1);
  });

  test('the messages survive reset(); the keys stay', async () => {
    const keyring = new KmsKeyringNode({ generatorKeyId: first });
    const { result } = await encrypt(keyring, 'secret', { encryptionContext: context });
    kms.reset();
    const { plaintext } = await decrypt(keyring, result);
    expect(plaintext.toString()).toBe('secret');
    expect(kms.count('GenerateDataKey')).toBe(0);
    expect(kms.count('Decrypt')).toBe(1);
  });
});

// Issue 14: a key policy on the encryption context (kms:EncryptionContext:tenant_id), end to end through the
// SDK, this library's provider and DataMasking, as a per-tenant KMS permission works in AWS.
describe('key policies on the encryption context, through the SDK, AWSEncryptionSDKProvider and DataMasking', () => {
  const key = keyArn();
  const acme = { tenant_id: 'acme' };
  const globex = { tenant_id: 'globex' };
  const order = () => ({ id: 'ord-1', card: '4111 1111 1111 1111' });
  const fields = ['card'];
  let kms: KmsMock;

  // Tenant acme only, for making data keys; Decrypt is left to each test.
  beforeEach(() => {
    kms = createKmsMock({
      keys: [key],
      policies: { [key]: [{ conditions: acme, operations: ['GenerateDataKey', 'Encrypt'] }] },
    });
  });
  afterEach(() => kms.restore());

  const masker = (provider = new AWSEncryptionSDKProvider({ keys: [key] })) => new DataMasking({ provider });

  test('the SDK encrypts under the allowed tenant only', async () => {
    const keyring = new KmsKeyringNode({ generatorKeyId: key });
    await expect(encrypt(keyring, 'secret', { encryptionContext: acme })).resolves.toBeDefined();
    await expect(encrypt(keyring, 'secret', { encryptionContext: globex })).rejects.toThrow(
      /not authorized to perform: kms:GenerateDataKey/,
    );
  });

  test('encrypting under acme works; under globex it fails with DataMaskingEncryptKeyError', async () => {
    const m = masker();
    const encrypted = await m.encrypt(order(), { fields, context: acme });
    await expect(m.decrypt(encrypted, { fields, context: acme })).resolves.toEqual(order());

    const error = await m.encrypt(order(), { fields, context: globex }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingEncryptKeyError);
    expect((error as Error).message).toContain('AccessDeniedException');
    expect(kms.count('GenerateDataKey')).toBe(2);
  });

  test('after the policy changes to allow Decrypt for globex only, acme data no longer decrypts: DataMaskingDecryptKeyError', async () => {
    const encrypted = await masker().encrypt(order(), { fields, context: acme });
    const warm = new AWSEncryptionSDKProvider({ keys: [key] });
    await expect(masker(warm).decrypt(encrypted, { fields, context: acme })).resolves.toEqual(order());
    await expect(
      masker(new AWSEncryptionSDKProvider({ keys: [key], cache: false })).decrypt(encrypted, {
        fields,
        context: acme,
      }),
    ).resolves.toEqual(order());

    kms.allowContext(key, globex, 'Decrypt');
    const decrypts = kms.count('Decrypt');
    // A fresh provider, or one without a cache, asks KMS, which now refuses acme's context.
    for (const provider of [
      new AWSEncryptionSDKProvider({ keys: [key] }),
      new AWSEncryptionSDKProvider({ keys: [key], cache: false }),
    ]) {
      const error = await masker(provider)
        .decrypt(encrypted, { fields, context: acme })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingDecryptKeyError);
      expect((error as Error).message).toContain('AccessDeniedException');
    }
    expect(kms.count('Decrypt')).toBe(decrypts + 2);
    // A warm cache does not ask KMS, as against AWS for up to maxCacheAgeSeconds.
    await expect(masker(warm).decrypt(encrypted, { fields, context: acme })).resolves.toEqual(order());
    expect(kms.count('Decrypt')).toBe(decrypts + 2);

    // reset() drops the statement allowContext added: Decrypt is unrestricted again, while the policy the
    // double was created with still keeps globex from making data keys.
    kms.reset();
    await expect(
      masker(new AWSEncryptionSDKProvider({ keys: [key], cache: false })).decrypt(encrypted, {
        fields,
        context: acme,
      }),
    ).resolves.toEqual(order());
    await expect(masker().encrypt(order(), { fields, context: globex })).rejects.toThrow(
      DataMaskingEncryptKeyError,
    );
  });
});
