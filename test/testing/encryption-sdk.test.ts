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
