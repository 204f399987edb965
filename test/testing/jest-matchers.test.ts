// The README's recipe: the double's `client` is an aws-sdk-client-mock stub, so the
// aws-sdk-client-mock-jest matchers work on it.
import 'aws-sdk-client-mock-jest';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { createKmsMock } from '../../src/testing/index.js';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

test('aws-sdk-client-mock-jest matchers see the commands the Encryption SDK sent', async () => {
  const kms = createKmsMock();
  try {
    const [keyArn] = kms.keys;
    const keyring = new KmsKeyringNode({ generatorKeyId: keyArn });
    const { result } = await encrypt(keyring, 'secret', { encryptionContext: { tenant_id: 't-1' } });

    expect(kms.client).toHaveReceivedCommandTimes(GenerateDataKeyCommand, 1);
    expect(kms.client).toHaveReceivedCommandWith(GenerateDataKeyCommand, {
      KeyId: keyArn,
      NumberOfBytes: 32,
      EncryptionContext: expect.objectContaining({ tenant_id: 't-1' }),
    });
    expect(kms.client).not.toHaveReceivedCommand(DecryptCommand);

    await decrypt(keyring, result);
    expect(kms.client).toHaveReceivedCommandTimes(DecryptCommand, 1);
    expect(kms.client).toHaveReceivedNthCommandWith(2, DecryptCommand, { KeyId: keyArn });

    kms.reset();
    expect(kms.client).not.toHaveReceivedAnyCommand();
  } finally {
    kms.restore();
  }
});
