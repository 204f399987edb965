import { randomUUID } from 'node:crypto';
import {
  DecryptCommand,
  type DecryptCommandInput,
  type DecryptCommandOutput,
  DescribeKeyCommand,
  DisabledException,
  EncryptCommand,
  type EncryptCommandInput,
  type EncryptCommandOutput,
  GenerateDataKeyCommand,
  type GenerateDataKeyCommandInput,
  type GenerateDataKeyCommandOutput,
  GenerateDataKeyWithoutPlaintextCommand,
  type GenerateDataKeyWithoutPlaintextCommandInput,
  type GenerateDataKeyWithoutPlaintextCommandOutput,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMS,
  KMSClient,
  KMSServiceException,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { createKmsMock, type KmsMock, type KmsOperation } from '../../src/testing/index.js';

const REGION = 'eu-west-1';
// Never used to sign anything that leaves the process: every call is answered by the double, or, after
// restore(), refused by a local port nothing listens on.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const keyArn = (region = REGION) => `arn:aws:kms:${region}:111122223333:key/${randomUUID()}`;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The four operations, called either through the aggregated `KMS` class or through `KMSClient#send`. */
interface Api {
  generateDataKey(input: GenerateDataKeyCommandInput): Promise<GenerateDataKeyCommandOutput>;
  generateDataKeyWithoutPlaintext(
    input: GenerateDataKeyWithoutPlaintextCommandInput,
  ): Promise<GenerateDataKeyWithoutPlaintextCommandOutput>;
  encrypt(input: EncryptCommandInput): Promise<EncryptCommandOutput>;
  decrypt(input: DecryptCommandInput): Promise<DecryptCommandOutput>;
}

const viaAggregatedClient = (): Api => {
  const kms = new KMS({ region: REGION, credentials: CREDENTIALS });
  return {
    generateDataKey: (input) => kms.generateDataKey(input),
    generateDataKeyWithoutPlaintext: (input) => kms.generateDataKeyWithoutPlaintext(input),
    encrypt: (input) => kms.encrypt(input),
    decrypt: (input) => kms.decrypt(input),
  };
};

const viaSend = (): Api => {
  const kms = new KMSClient({ region: REGION, credentials: CREDENTIALS });
  return {
    generateDataKey: (input) => kms.send(new GenerateDataKeyCommand(input)),
    generateDataKeyWithoutPlaintext: (input) => kms.send(new GenerateDataKeyWithoutPlaintextCommand(input)),
    encrypt: (input) => kms.send(new EncryptCommand(input)),
    decrypt: (input) => kms.send(new DecryptCommand(input)),
  };
};

/** The two operations that make a data key; they share their input rules. */
const DATA_KEY_OPERATIONS = [
  ['GenerateDataKey', (api: Api, input: GenerateDataKeyCommandInput) => api.generateDataKey(input)],
  [
    'GenerateDataKeyWithoutPlaintext',
    (api: Api, input: GenerateDataKeyWithoutPlaintextCommandInput) =>
      api.generateDataKeyWithoutPlaintext(input),
  ],
] as const;

/** Awaits a rejection and returns the error, so a test can look at more than its class. */
const failure = async (promise: Promise<unknown>): Promise<KMSServiceException> => {
  try {
    await promise;
  } catch (error) {
    return error as KMSServiceException;
  }
  throw new Error('expected a rejection');
};

describe('createKmsMock options', () => {
  test('generates one key in eu-west-1, account 111122223333, when none are given', () => {
    const kms = createKmsMock();
    try {
      expect(kms.keys).toHaveLength(1);
      expect(kms.keys[0]).toMatch(
        /^arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    } finally {
      kms.restore();
    }
  });

  test('generates one key when the list is empty', () => {
    const kms = createKmsMock({ keys: [] });
    try {
      expect(kms.keys).toHaveLength(1);
    } finally {
      kms.restore();
    }
  });

  test('keeps the given keys, in order, in a frozen list', () => {
    const keys = [keyArn(), keyArn('us-east-1'), 'arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234abcd'];
    const kms = createKmsMock({ keys });
    try {
      expect(kms.keys).toEqual(keys);
      expect(Object.isFrozen(kms.keys)).toBe(true);
    } finally {
      kms.restore();
    }
  });

  test.each([
    ['a bare key id', randomUUID()],
    ['an alias ARN', 'arn:aws:kms:eu-west-1:111122223333:alias/my-key'],
    ['another service', 'arn:aws:s3:::bucket'],
    ['an empty string', ''],
  ])('refuses %s as a key', (_, key) => {
    expect(() => createKmsMock({ keys: [key] })).toThrow(TypeError);
  });

  test('refuses a key given twice', () => {
    const key = keyArn();
    expect(() => createKmsMock({ keys: [key, key] })).toThrow(/given twice/);
  });
});

describe.each([
  ['the aggregated KMS class', viaAggregatedClient],
  ['KMSClient#send', viaSend],
])('KMS double through %s', (_, connect) => {
  const keys = [keyArn(), keyArn()];
  const [key, otherKey] = keys;
  const context = { tenant_id: 't-1', purpose: 'test' };
  let mock: KmsMock;
  let kms: Api;

  beforeEach(() => {
    mock = createKmsMock({ keys });
    kms = connect();
  });
  afterEach(() => mock.restore());

  describe('round trips', () => {
    test('GenerateDataKey then Decrypt returns the same data key, and both name the key by ARN', async () => {
      const generated = await kms.generateDataKey({
        KeyId: key,
        NumberOfBytes: 32,
        EncryptionContext: context,
      });
      expect(generated.KeyId).toBe(key);
      expect(generated.Plaintext).toBeInstanceOf(Uint8Array);
      expect(generated.Plaintext).toHaveLength(32);
      const expected = Buffer.from(generated.Plaintext as Uint8Array).toString('hex');

      const decrypted = await kms.decrypt({
        CiphertextBlob: generated.CiphertextBlob,
        EncryptionContext: context,
      });
      expect(decrypted.KeyId).toBe(key);
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString('hex')).toBe(expected);
    });

    test.each([
      [{ KeySpec: 'AES_256' as const }, 32],
      [{ KeySpec: 'AES_128' as const }, 16],
      [{ NumberOfBytes: 1 }, 1],
      [{ NumberOfBytes: 1024 }, 1024],
    ])('GenerateDataKey %o makes a %i-byte key', async (size, bytes) => {
      const generated = await kms.generateDataKey({ KeyId: key, ...size });
      expect(generated.Plaintext).toHaveLength(bytes);
    });

    test('GenerateDataKeyWithoutPlaintext answers KeyId (the ARN) and CiphertextBlob, never Plaintext', async () => {
      const generated = await kms.generateDataKeyWithoutPlaintext({
        KeyId: key.split('/')[1],
        KeySpec: 'AES_256',
        EncryptionContext: context,
      });
      expect(Object.keys(generated).sort()).toEqual(['$metadata', 'CiphertextBlob', 'KeyId']);
      expect(generated).not.toHaveProperty('Plaintext');
      expect(generated.KeyId).toBe(key);
      expect(generated.CiphertextBlob).toBeInstanceOf(Uint8Array);
      expect(generated.$metadata.httpStatusCode).toBe(200);
    });

    test.each([
      [{ KeySpec: 'AES_256' as const }, 32],
      [{ KeySpec: 'AES_128' as const }, 16],
      [{ NumberOfBytes: 1 }, 1],
      [{ NumberOfBytes: 1024 }, 1024],
    ])('GenerateDataKeyWithoutPlaintext %o then Decrypt returns a %i-byte key', async (size, bytes) => {
      const generated = await kms.generateDataKeyWithoutPlaintext({
        KeyId: key,
        EncryptionContext: context,
        ...size,
      });
      const decrypted = await kms.decrypt({
        CiphertextBlob: generated.CiphertextBlob,
        EncryptionContext: context,
      });
      expect(decrypted.KeyId).toBe(key);
      expect(decrypted.Plaintext).toBeInstanceOf(Uint8Array);
      expect(decrypted.Plaintext).toHaveLength(bytes);
    });

    test('GenerateDataKeyWithoutPlaintext makes a new data key every time', async () => {
      const keys = [];
      for (let call = 0; call < 2; call++) {
        const generated = await kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32 });
        const decrypted = await kms.decrypt({ CiphertextBlob: generated.CiphertextBlob });
        keys.push(Buffer.from(decrypted.Plaintext as Uint8Array).toString('hex'));
      }
      expect(keys[0]).not.toBe(keys[1]);
      expect(keys[0]).not.toBe('00'.repeat(32));
    });

    test('Encrypt then Decrypt returns the plaintext, with or without KeyId', async () => {
      const encrypted = await kms.encrypt({
        KeyId: key,
        Plaintext: utf8('secret'),
        EncryptionContext: context,
      });
      expect(encrypted.KeyId).toBe(key);
      expect(encrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      for (const KeyId of [undefined, key]) {
        const decrypted = await kms.decrypt({
          KeyId,
          CiphertextBlob: encrypted.CiphertextBlob,
          EncryptionContext: context,
        });
        expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('secret');
      }
    });

    test('accepts the bare key id, and answers with the full ARN', async () => {
      const keyId = key.split('/')[1];
      const encrypted = await kms.encrypt({ KeyId: keyId, Plaintext: utf8('secret') });
      expect(encrypted.KeyId).toBe(key);
      const decrypted = await kms.decrypt({ KeyId: keyId, CiphertextBlob: encrypted.CiphertextBlob });
      expect(decrypted.KeyId).toBe(key);
    });

    test('each key has its own master key', async () => {
      const a = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      const b = await kms.encrypt({ KeyId: otherKey, Plaintext: utf8('secret') });
      expect((await kms.decrypt({ CiphertextBlob: a.CiphertextBlob })).KeyId).toBe(key);
      expect((await kms.decrypt({ CiphertextBlob: b.CiphertextBlob })).KeyId).toBe(otherKey);
    });

    test('makes a new ciphertext every time, even of the same plaintext', async () => {
      const a = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      const b = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      expect(
        Buffer.from(a.CiphertextBlob as Uint8Array).equals(Buffer.from(b.CiphertextBlob as Uint8Array)),
      ).toBe(false);
    });

    test('ciphertexts made before reset() still decrypt', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      mock.reset();
      const decrypted = await kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob });
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('secret');
    });
  });

  describe('Plaintext buffers', () => {
    // The Encryption SDK copies the Plaintext it gets, then zeroes it: a shared buffer would zero the key
    // for the next caller.
    test('zeroing a Decrypt response does not affect a later Decrypt', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      const first = await kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob });
      (first.Plaintext as Uint8Array).fill(0);
      const second = await kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob });
      expect(Buffer.from(second.Plaintext as Uint8Array).toString()).toBe('secret');
    });

    test('zeroing a GenerateDataKey response does not affect decrypting its blob', async () => {
      const generated = await kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 });
      const expected = Buffer.from(generated.Plaintext as Uint8Array).toString('hex');
      (generated.Plaintext as Uint8Array).fill(0);
      const decrypted = await kms.decrypt({ CiphertextBlob: generated.CiphertextBlob });
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString('hex')).toBe(expected);
    });

    test('every Plaintext owns its whole ArrayBuffer', async () => {
      const generated = await kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 });
      const decrypted = await kms.decrypt({ CiphertextBlob: generated.CiphertextBlob });
      const again = await kms.decrypt({ CiphertextBlob: generated.CiphertextBlob });
      for (const plaintext of [generated.Plaintext, decrypted.Plaintext, again.Plaintext] as Uint8Array[]) {
        expect(plaintext.byteOffset).toBe(0);
        expect(plaintext.buffer.byteLength).toBe(plaintext.byteLength);
      }
      expect(decrypted.Plaintext?.buffer).not.toBe(again.Plaintext?.buffer);
      expect(generated.Plaintext?.buffer).not.toBe(decrypted.Plaintext?.buffer);
    });

    test('does not keep or change the caller’s Plaintext', async () => {
      const plaintext = utf8('secret');
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: plaintext });
      expect(Buffer.from(plaintext).toString()).toBe('secret');
      plaintext.fill(0);
      const decrypted = await kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob });
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('secret');
    });
  });

  describe('encryption context', () => {
    test.each([
      ['another value', { tenant_id: 't-2', purpose: 'test' }],
      ['a missing key', { tenant_id: 't-1' }],
      ['an extra key', { ...context, extra: 'x' }],
      ['no context', undefined],
      ['an empty context', {}],
      ['a key renamed', { tenant_ID: 't-1', purpose: 'test' }],
      ['a value moved to another key', { tenant_id: 'test', purpose: 't-1' }],
    ])('Decrypt with %s fails with InvalidCiphertextException', async (_, wrong) => {
      const encrypted = await kms.encrypt({
        KeyId: key,
        Plaintext: utf8('secret'),
        EncryptionContext: context,
      });
      const error = await failure(
        kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: wrong }),
      );
      expect(error).toBeInstanceOf(InvalidCiphertextException);
      expect(error.name).toBe('InvalidCiphertextException');
    });

    test.each([
      ['another value', { tenant_id: 't-2', purpose: 'test' }],
      ['no context', undefined],
      ['an extra key', { ...context, extra: 'x' }],
    ])(
      'Decrypt of a GenerateDataKeyWithoutPlaintext blob with %s fails with InvalidCiphertextException',
      async (_, wrong) => {
        const generated = await kms.generateDataKeyWithoutPlaintext({
          KeyId: key,
          KeySpec: 'AES_256',
          EncryptionContext: context,
        });
        const error = await failure(
          kms.decrypt({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: wrong }),
        );
        expect(error).toBeInstanceOf(InvalidCiphertextException);
        expect(error.name).toBe('InvalidCiphertextException');
      },
    );

    test('key order does not matter, as in KMS', async () => {
      const encrypted = await kms.encrypt({
        KeyId: key,
        Plaintext: utf8('secret'),
        EncryptionContext: context,
      });
      const decrypted = await kms.decrypt({
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionContext: { purpose: 'test', tenant_id: 't-1' },
      });
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('secret');
    });

    test('no context and an empty context are the same, as in KMS', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      await expect(
        kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: {} }),
      ).resolves.toMatchObject({ KeyId: key });
      const encryptedWithEmpty = await kms.encrypt({
        KeyId: key,
        Plaintext: utf8('secret'),
        EncryptionContext: {},
      });
      await expect(kms.decrypt({ CiphertextBlob: encryptedWithEmpty.CiphertextBlob })).resolves.toMatchObject(
        {
          KeyId: key,
        },
      );
    });

    test('a context made to look alike by moving separators does not match', async () => {
      const encrypted = await kms.encrypt({
        KeyId: key,
        Plaintext: utf8('secret'),
        EncryptionContext: { a: 'b,c=d' },
      });
      const error = await failure(
        kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { a: 'b', c: 'd' } }),
      );
      expect(error).toBeInstanceOf(InvalidCiphertextException);
    });
  });

  describe('ciphertext checks', () => {
    test('changing any single byte of the blob fails with InvalidCiphertextException', async () => {
      const encrypted = await kms.encrypt({
        KeyId: key,
        Plaintext: utf8('secret'),
        EncryptionContext: context,
      });
      const blob = encrypted.CiphertextBlob as Uint8Array;
      for (let index = 0; index < blob.byteLength; index++) {
        const tampered = Uint8Array.from(blob);
        tampered[index] ^= 0x01;
        const error = await failure(kms.decrypt({ CiphertextBlob: tampered, EncryptionContext: context }));
        expect(error).toBeInstanceOf(InvalidCiphertextException);
      }
    });

    test.each([
      ['random bytes', () => Uint8Array.from(Buffer.from(randomUUID().repeat(4)))],
      ['one byte', () => Uint8Array.of(0x4d)],
      ['a real KMS blob header', () => Uint8Array.of(0x01, 0x02, 0x02, 0x00, 0x78, 0x9a)],
    ])('%s fail with InvalidCiphertextException', async (_, blob) => {
      const error = await failure(kms.decrypt({ CiphertextBlob: blob() }));
      expect(error).toBeInstanceOf(InvalidCiphertextException);
    });

    test('a truncated blob fails with InvalidCiphertextException', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      const blob = encrypted.CiphertextBlob as Uint8Array;
      for (const length of [1, 4, blob.byteLength - 7, blob.byteLength - 1]) {
        const error = await failure(kms.decrypt({ CiphertextBlob: blob.subarray(0, length) }));
        expect(error).toBeInstanceOf(InvalidCiphertextException);
      }
    });

    test('a blob made by another double does not decrypt here', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      mock.restore();
      // Same key ARN, but a new master key: as a blob from another account's key of the same name would be.
      mock = createKmsMock({ keys });
      const error = await failure(kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob }));
      expect(error).toBeInstanceOf(InvalidCiphertextException);
    });

    test('Decrypt with the KeyId of another key fails with IncorrectKeyException', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      const error = await failure(kms.decrypt({ KeyId: otherKey, CiphertextBlob: encrypted.CiphertextBlob }));
      expect(error).toBeInstanceOf(IncorrectKeyException);
      expect(error.name).toBe('IncorrectKeyException');
    });
  });

  describe('errors', () => {
    test.each([
      ['GenerateDataKey', (api: Api, KeyId: string) => api.generateDataKey({ KeyId, NumberOfBytes: 32 })],
      [
        'GenerateDataKeyWithoutPlaintext',
        (api: Api, KeyId: string) => api.generateDataKeyWithoutPlaintext({ KeyId, NumberOfBytes: 32 }),
      ],
      ['Encrypt', (api: Api, KeyId: string) => api.encrypt({ KeyId, Plaintext: utf8('secret') })],
    ])(
      '%s with an unknown key fails with NotFoundException, built as the client builds it',
      async (_, call) => {
        const unknown = keyArn();
        const error = await failure(call(kms, unknown));
        expect(error).toBeInstanceOf(NotFoundException);
        expect(error).toBeInstanceOf(KMSServiceException);
        expect(error.name).toBe('NotFoundException');
        expect(error.$fault).toBe('client');
        expect(error.$metadata.httpStatusCode).toBe(400);
        expect(error.message).toBe(`Key '${unknown}' does not exist`);
      },
    );

    test('Decrypt with an unknown KeyId fails with NotFoundException', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      const error = await failure(kms.decrypt({ KeyId: keyArn(), CiphertextBlob: encrypted.CiphertextBlob }));
      expect(error).toBeInstanceOf(NotFoundException);
    });

    test('an alias is an unknown key', async () => {
      const error = await failure(kms.encrypt({ KeyId: 'alias/my-key', Plaintext: utf8('secret') }));
      expect(error).toBeInstanceOf(NotFoundException);
    });

    test('disableKey makes every operation on that key fail with DisabledException, and no other', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      mock.disableKey(key);
      for (const call of [
        kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 }),
        kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32 }),
        kms.encrypt({ KeyId: key, Plaintext: utf8('secret') }),
        kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob }),
      ]) {
        const error = await failure(call);
        expect(error).toBeInstanceOf(DisabledException);
        expect(error.name).toBe('DisabledException');
        expect(error.message).toBe(`${key} is disabled.`);
      }
      await expect(kms.encrypt({ KeyId: otherKey, Plaintext: utf8('secret') })).resolves.toMatchObject({
        KeyId: otherKey,
      });
      await expect(
        kms.generateDataKeyWithoutPlaintext({ KeyId: otherKey, NumberOfBytes: 32 }),
      ).resolves.toMatchObject({ KeyId: otherKey });
    });

    test('denyAccess(key, operation) denies that operation on that key only', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      const otherEncrypted = await kms.encrypt({ KeyId: otherKey, Plaintext: utf8('secret') });
      mock.denyAccess(key, 'Decrypt');

      const error = await failure(kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob }));
      // client-kms has no class for it: the client builds it as KMSServiceException named by the error code.
      expect(error).toBeInstanceOf(KMSServiceException);
      expect(error.name).toBe('AccessDeniedException');
      expect(error.$fault).toBe('client');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(`kms:Decrypt on resource: ${key}`);

      await expect(kms.encrypt({ KeyId: key, Plaintext: utf8('secret') })).resolves.toBeDefined();
      await expect(kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 })).resolves.toBeDefined();
      await expect(kms.decrypt({ CiphertextBlob: otherEncrypted.CiphertextBlob })).resolves.toBeDefined();
    });

    test('denyAccess(key, GenerateDataKeyWithoutPlaintext) denies that operation only, under its own name', async () => {
      mock.denyAccess(key, 'GenerateDataKeyWithoutPlaintext');

      const error = await failure(
        kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32, EncryptionContext: context }),
      );
      expect(error).toBeInstanceOf(KMSServiceException);
      expect(error.name).toBe('AccessDeniedException');
      expect(error.message).toContain(`kms:GenerateDataKeyWithoutPlaintext on resource: ${key}`);

      // kms:GenerateDataKey is another permission: still granted, and its key decrypts.
      const generated = await kms.generateDataKey({
        KeyId: key,
        NumberOfBytes: 32,
        EncryptionContext: context,
      });
      await expect(
        kms.decrypt({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context }),
      ).resolves.toMatchObject({ KeyId: key });
      await expect(kms.encrypt({ KeyId: key, Plaintext: utf8('secret') })).resolves.toBeDefined();
      await expect(
        kms.generateDataKeyWithoutPlaintext({ KeyId: otherKey, NumberOfBytes: 32 }),
      ).resolves.toMatchObject({ KeyId: otherKey });
    });

    test('denyAccess(key, GenerateDataKey) does not deny GenerateDataKeyWithoutPlaintext', async () => {
      mock.denyAccess(key, 'GenerateDataKey');
      await expect(kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 })).rejects.toHaveProperty(
        'name',
        'AccessDeniedException',
      );
      await expect(
        kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32 }),
      ).resolves.toMatchObject({ KeyId: key });
    });

    test('denyAccess(key) denies every operation on that key; denials add up', async () => {
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      mock.denyAccess(otherKey, 'Encrypt');
      mock.denyAccess(otherKey, 'GenerateDataKey');
      await expect(kms.encrypt({ KeyId: otherKey, Plaintext: utf8('x') })).rejects.toHaveProperty(
        'name',
        'AccessDeniedException',
      );
      await expect(kms.generateDataKey({ KeyId: otherKey, NumberOfBytes: 32 })).rejects.toHaveProperty(
        'name',
        'AccessDeniedException',
      );

      mock.denyAccess(key);
      for (const call of [
        kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 }),
        kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32 }),
        kms.encrypt({ KeyId: key, Plaintext: utf8('secret') }),
        kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob }),
      ]) {
        expect((await failure(call)).name).toBe('AccessDeniedException');
      }
    });

    test('throttle(operation, 2) fails exactly the next two calls of that operation', async () => {
      mock.throttle('GenerateDataKey', 2);
      for (let attempt = 0; attempt < 2; attempt++) {
        const error = await failure(kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 }));
        expect(error).toBeInstanceOf(KMSServiceException);
        expect(error.name).toBe('ThrottlingException');
        expect(error.message).toBe('Rate exceeded');
        // Other operations are not throttled meanwhile.
        await expect(kms.encrypt({ KeyId: key, Plaintext: utf8('secret') })).resolves.toBeDefined();
      }
      await expect(kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 })).resolves.toBeDefined();
      expect(mock.count('GenerateDataKey')).toBe(3);
    });

    test('throttle(GenerateDataKeyWithoutPlaintext) fails that operation only, and is counted', async () => {
      mock.throttle('GenerateDataKeyWithoutPlaintext', 2);
      for (let attempt = 0; attempt < 2; attempt++) {
        const error = await failure(kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32 }));
        expect(error).toBeInstanceOf(KMSServiceException);
        expect(error.name).toBe('ThrottlingException');
        expect(error.message).toBe('Rate exceeded');
        await expect(kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 })).resolves.toBeDefined();
      }
      await expect(
        kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32 }),
      ).resolves.toMatchObject({ KeyId: key });
      expect(mock.count('GenerateDataKeyWithoutPlaintext')).toBe(3);
      expect(mock.count('GenerateDataKey')).toBe(2);
    });

    test('throttle() defaults to one call, and throttles add up', async () => {
      mock.throttle('Encrypt');
      mock.throttle('Encrypt');
      const call = () => kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      await expect(call()).rejects.toHaveProperty('name', 'ThrottlingException');
      await expect(call()).rejects.toHaveProperty('name', 'ThrottlingException');
      await expect(call()).resolves.toBeDefined();
    });

    test.each([
      ['neither NumberOfBytes nor KeySpec', { KeyId: 'k' }],
      ['both NumberOfBytes and KeySpec', { NumberOfBytes: 32, KeySpec: 'AES_256' as const }],
      ['NumberOfBytes 0', { NumberOfBytes: 0 }],
      ['NumberOfBytes 1025', { NumberOfBytes: 1025 }],
      ['NumberOfBytes 1.5', { NumberOfBytes: 1.5 }],
      ['an unknown KeySpec', { KeySpec: 'AES_512' as 'AES_256' }],
    ])(
      'GenerateDataKey and GenerateDataKeyWithoutPlaintext with %s fail with the same ValidationException',
      async (_, input) => {
        const messages = [];
        for (const [, generate] of DATA_KEY_OPERATIONS) {
          const error = await failure(generate(kms, { KeyId: key, ...input }));
          expect(error).toBeInstanceOf(KMSServiceException);
          expect(error.name).toBe('ValidationException');
          expect(error.message).toMatch(/^1 validation error detected: /);
          messages.push(error.message);
        }
        expect(messages[1]).toBe(messages[0]);
        expect(mock.count('GenerateDataKeyWithoutPlaintext')).toBe(1);
      },
    );

    test.each(DATA_KEY_OPERATIONS)('%s with no KeyId fails with ValidationException', async (_, generate) => {
      const error = await failure(generate(kms, { KeyId: undefined, NumberOfBytes: 32 }));
      expect(error.name).toBe('ValidationException');
    });

    test.each([
      ['no KeyId', () => kms.encrypt({ KeyId: undefined, Plaintext: utf8('x') })],
      ['an empty Plaintext', () => kms.encrypt({ KeyId: key, Plaintext: new Uint8Array(0) })],
      ['a Plaintext over 4096 bytes', () => kms.encrypt({ KeyId: key, Plaintext: new Uint8Array(4097) })],
      ['no CiphertextBlob', () => kms.decrypt({ CiphertextBlob: undefined })],
    ])('%s fails with ValidationException', async (_, call) => {
      expect((await failure(call())).name).toBe('ValidationException');
    });

    test('error messages carry neither plaintext nor key material', async () => {
      const secret = 'my-very-secret-plaintext';
      const generated = await kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 });
      const encrypted = await kms.encrypt({
        KeyId: key,
        Plaintext: utf8(secret),
        EncryptionContext: context,
      });
      const dataKey = Buffer.from(generated.Plaintext as Uint8Array);
      const errors = [
        await failure(kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: {} })),
        await failure(kms.decrypt({ KeyId: otherKey, CiphertextBlob: encrypted.CiphertextBlob })),
        await failure(kms.decrypt({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context })),
      ];
      mock.disableKey(key);
      errors.push(await failure(kms.encrypt({ KeyId: key, Plaintext: utf8(secret) })));
      for (const error of errors) {
        const text = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
        for (const leak of [
          secret,
          Buffer.from(secret).toString('hex'),
          Buffer.from(secret).toString('base64'),
          dataKey.toString('hex'),
          dataKey.toString('base64'),
        ]) {
          expect(text).not.toContain(leak);
        }
      }
    });
  });

  describe('key policies on the encryption context (allowContext)', () => {
    type Context = Record<string, string> | undefined;
    const acme = { tenant_id: 'acme' };
    const globex = { tenant_id: 'globex' };
    /** Every context a test below runs an operation under: Decrypt needs a blob made under each. */
    const CONTEXTS: readonly Context[] = [
      acme,
      globex,
      { tenant_id: 'initech' },
      { tenant_id: 'ACME' },
      { Tenant_ID: 'acme' },
      { tenant_id: 'acme', TENANT_ID: 'globex' },
      { tenant_id: 'acme', purpose: 'billing' },
      { tenant_id: 'acme', purpose: 'audit' },
      { tenant_id: 'globex', purpose: 'billing' },
      { tenant_id: 'globex', purpose: 'audit' },
      { purpose: 'audit' },
      { purpose: 'billing' },
      {},
      undefined,
    ];
    const name = (context: Context) =>
      JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
    let blobs: Map<string, Uint8Array>;

    // Made before any policy, so that Decrypt fails for the policy's sake, never for want of a blob.
    beforeEach(async () => {
      blobs = new Map();
      for (const each of CONTEXTS) {
        const { CiphertextBlob } = await kms.encrypt({
          KeyId: key,
          Plaintext: utf8('secret'),
          EncryptionContext: each,
        });
        blobs.set(name(each), CiphertextBlob as Uint8Array);
      }
    });

    /** `operation` on `key` under `context`; Decrypt decrypts the blob made under that very context. */
    const run = (operation: KmsOperation, context: Context): Promise<unknown> => {
      switch (operation) {
        case 'GenerateDataKey':
          return kms.generateDataKey({ KeyId: key, NumberOfBytes: 32, EncryptionContext: context });
        case 'GenerateDataKeyWithoutPlaintext':
          return kms.generateDataKeyWithoutPlaintext({
            KeyId: key,
            NumberOfBytes: 32,
            EncryptionContext: context,
          });
        case 'Encrypt':
          return kms.encrypt({ KeyId: key, Plaintext: utf8('secret'), EncryptionContext: context });
        case 'Decrypt':
          return kms.decrypt({ CiphertextBlob: blobs.get(name(context)), EncryptionContext: context });
      }
    };

    const OPERATIONS = [
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'Encrypt',
      'Decrypt',
    ] as const satisfies readonly KmsOperation[];

    const expectAllowed = async (operation: KmsOperation, context: Context) => {
      await expect(run(operation, context)).resolves.toMatchObject({ KeyId: key });
    };
    const expectDenied = async (operation: KmsOperation, context: Context) => {
      const error = await failure(run(operation, context));
      expect(error).toBeInstanceOf(KMSServiceException);
      expect(error.name).toBe('AccessDeniedException');
      expect(error.message).toContain(`kms:${operation} on resource: ${key}`);
    };

    test.each(OPERATIONS)(
      '%s: the allowed value passes, another fails with AccessDeniedException built as denyAccess builds it',
      async (operation) => {
        mock.allowContext(key, { tenant_id: 'acme' });
        await expectAllowed(operation, acme);
        const error = await failure(run(operation, globex));
        expect(error).toBeInstanceOf(KMSServiceException);
        expect(error.name).toBe('AccessDeniedException');
        expect(error.$fault).toBe('client');
        expect(error.$metadata.httpStatusCode).toBe(400);
        expect(error.message).toBe(
          `User is not authorized to perform: kms:${operation} on resource: ${key} because the encryption context in the request does not satisfy the key policy`,
        );
        // The other key keeps the default policy: any context.
        await expect(
          kms.encrypt({ KeyId: otherKey, Plaintext: utf8('x'), EncryptionContext: globex }),
        ).resolves.toMatchObject({ KeyId: otherKey });
      },
    );

    test.each(OPERATIONS)(
      '%s: a context without the condition key is denied (StringEquals on a missing key is false)',
      async (operation) => {
        mock.allowContext(key, { tenant_id: 'acme' });
        for (const missing of [{ purpose: 'audit' }, {}, undefined] as Context[]) {
          await expectDenied(operation, missing);
        }
        // Keys the statement does not name are allowed beside it (kms:EncryptionContextKeys is not modeled).
        await expectAllowed(operation, { tenant_id: 'acme', purpose: 'billing' });
      },
    );

    test.each(OPERATIONS)('%s: any one of several allowed values passes', async (operation) => {
      mock.allowContext(key.split('/')[1], { tenant_id: ['acme', 'globex'] });
      await expectAllowed(operation, acme);
      await expectAllowed(operation, globex);
      await expectDenied(operation, { tenant_id: 'initech' });
    });

    test('the conditions of one statement must all hold (AND)', async () => {
      mock.allowContext(key, { tenant_id: 'acme', purpose: 'billing' });
      await expectAllowed('Encrypt', { tenant_id: 'acme', purpose: 'billing' });
      await expectDenied('Encrypt', { tenant_id: 'acme', purpose: 'audit' });
      await expectDenied('Encrypt', { tenant_id: 'globex', purpose: 'billing' });
      await expectDenied('Encrypt', acme);
    });

    test('several statements: any one allows (OR)', async () => {
      mock.allowContext(key, { tenant_id: 'acme' });
      mock.allowContext(key, { purpose: 'audit' });
      await expectAllowed('Decrypt', acme);
      await expectAllowed('Decrypt', { purpose: 'audit' });
      await expectAllowed('Decrypt', { tenant_id: 'globex', purpose: 'audit' });
      await expectDenied('Decrypt', { tenant_id: 'globex', purpose: 'billing' });
      await expectDenied('Decrypt', globex);
    });

    test('values are case-sensitive; condition key names are not, as in KMS', async () => {
      mock.allowContext(key, { tenant_id: 'acme' });
      await expectDenied('GenerateDataKey', { tenant_id: 'ACME' });
      await expectAllowed('GenerateDataKey', { Tenant_ID: 'acme' });
      // The same key twice in two cases: every value must be allowed.
      await expectDenied('GenerateDataKey', { tenant_id: 'acme', TENANT_ID: 'globex' });
    });

    test('a policy on some operations leaves the others allowed under any context', async () => {
      mock.allowContext(key, { tenant_id: 'acme' }, 'Decrypt');
      await expectDenied('Decrypt', globex);
      await expectAllowed('Decrypt', acme);
      for (const operation of ['GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'Encrypt'] as const) {
        await expectAllowed(operation, globex);
      }

      mock.allowContext(key, { tenant_id: 'globex' }, ['Encrypt', 'GenerateDataKey']);
      await expectAllowed('Encrypt', globex);
      await expectDenied('Encrypt', acme);
      await expectDenied('GenerateDataKey', acme);
      await expectAllowed('GenerateDataKeyWithoutPlaintext', acme);
      // A statement for other operations adds nothing to Decrypt's.
      await expectDenied('Decrypt', globex);
    });

    test('Decrypt checks the context of the request, before the ciphertext: a refused context is AccessDeniedException, not InvalidCiphertextException', async () => {
      const made = blobs.get(name(acme));
      mock.allowContext(key, { tenant_id: 'globex' }, 'Decrypt');
      // The blob's own context, refused by the policy: denied, although it would decrypt.
      await expectDenied('Decrypt', acme);
      // Allowed by the policy but not the blob's context: the policy passes, then the AAD check fails.
      const error = await failure(kms.decrypt({ CiphertextBlob: made, EncryptionContext: globex }));
      expect(error).toBeInstanceOf(InvalidCiphertextException);
      // Refused by the policy and not the blob's context either: the policy is checked first.
      const refused = await failure(
        kms.decrypt({ CiphertextBlob: made, EncryptionContext: { purpose: 'x' } }),
      );
      expect(refused.name).toBe('AccessDeniedException');
    });

    test('denyAccess still denies under an allowed context, and authorization comes before the key state', async () => {
      mock.allowContext(key, { tenant_id: 'acme' });
      mock.denyAccess(key, 'Encrypt');
      const denied = await failure(run('Encrypt', acme));
      expect(denied.message).toContain('denyAccess');
      mock.disableKey(key);
      expect((await failure(run('Decrypt', globex))).name).toBe('AccessDeniedException');
      expect(await failure(run('Decrypt', acme))).toBeInstanceOf(DisabledException);
    });

    test('a statement is copied: changing the conditions object afterwards changes nothing', async () => {
      const allowed = ['acme'];
      const conditions = { tenant_id: allowed };
      mock.allowContext(key, conditions);
      allowed.push('globex');
      Object.assign(conditions, { purpose: 'audit' });
      await expectAllowed('Encrypt', acme);
      await expectDenied('Encrypt', globex);
    });

    test('denied calls are counted, and reset() clears the policies', async () => {
      mock.reset();
      mock.allowContext(key, { tenant_id: 'acme' });
      mock.allowContext(otherKey, { tenant_id: 'acme' }, 'Encrypt');
      for (const operation of OPERATIONS) await expectDenied(operation, globex);
      for (const operation of OPERATIONS) await expectAllowed(operation, acme);
      for (const operation of OPERATIONS) expect(mock.count(operation)).toBe(2);

      mock.reset();
      for (const operation of OPERATIONS) await expectAllowed(operation, globex);
      await expect(
        kms.encrypt({ KeyId: otherKey, Plaintext: utf8('x'), EncryptionContext: globex }),
      ).resolves.toBeDefined();
      expect(mock.count('Decrypt')).toBe(1);
    });

    test('the message names neither the context keys nor their values', async () => {
      mock.allowContext(key, { tenant_id: 'acme' });
      for (const operation of OPERATIONS) {
        const error = await failure(run(operation, { tenant_id: 'globex', purpose: 'billing' }));
        const text = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
        for (const leak of ['acme', 'globex', 'billing', 'tenant_id', 'purpose']) {
          expect(text).not.toContain(leak);
        }
      }
    });

    test.each([
      ['an unknown key', () => mock.allowContext(keyArn(), { tenant_id: 'acme' })],
      ['an alias', () => mock.allowContext('alias/nope', { tenant_id: 'acme' })],
      ['no conditions', () => mock.allowContext(key, {})],
      ['conditions that are not an object', () => mock.allowContext(key, null as never)],
      ['conditions that are an array', () => mock.allowContext(key, [] as never)],
      ['an empty list of values', () => mock.allowContext(key, { tenant_id: [] })],
      ['a value that is not a string', () => mock.allowContext(key, { tenant_id: 1 as never })],
      ['a list holding a non-string', () => mock.allowContext(key, { tenant_id: ['acme', null as never] })],
      ['an empty condition key', () => mock.allowContext(key, { '': 'acme' })],
      ['a key given twice in two cases', () => mock.allowContext(key, { tenant_id: 'a', Tenant_Id: 'b' })],
      ['an unknown operation', () => mock.allowContext(key, { t: 'a' }, 'Sign' as KmsOperation)],
      [
        'an unknown operation in a list',
        () => mock.allowContext(key, { t: 'a' }, ['Decrypt', 'Sign' as never]),
      ],
      ['an empty list of operations', () => mock.allowContext(key, { t: 'a' }, [])],
    ])('allowContext refuses %s with a TypeError, and changes nothing', async (_, call) => {
      expect(call).toThrow(TypeError);
      await expectAllowed('Encrypt', globex);
      await expectAllowed('Decrypt', { tenant_id: 'initech' });
    });
  });

  describe('counts, reset and restore', () => {
    test('count() counts every call that reached the double, failed ones included', async () => {
      expect(mock.count('GenerateDataKey')).toBe(0);
      const generated = await kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 });
      await kms.decrypt({ CiphertextBlob: generated.CiphertextBlob });
      await failure(kms.decrypt({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { a: 'b' } }));
      await failure(kms.encrypt({ KeyId: keyArn(), Plaintext: utf8('x') }));
      expect(mock.count('GenerateDataKeyWithoutPlaintext')).toBe(0);
      await kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 32 });
      await failure(kms.generateDataKeyWithoutPlaintext({ KeyId: keyArn(), NumberOfBytes: 32 }));
      await failure(kms.generateDataKeyWithoutPlaintext({ KeyId: key, NumberOfBytes: 0 }));
      expect(mock.count('GenerateDataKeyWithoutPlaintext')).toBe(3);
      expect(mock.count('GenerateDataKey')).toBe(1);
      expect(mock.count('Decrypt')).toBe(2);
      expect(mock.count('Encrypt')).toBe(1);
    });

    test('reset() clears counts, disabled keys, denials and throttles', async () => {
      await kms.generateDataKey({ KeyId: key, NumberOfBytes: 32 });
      mock.disableKey(key);
      mock.denyAccess(otherKey);
      mock.throttle('Decrypt', 5);
      mock.reset();
      expect(mock.count('GenerateDataKey')).toBe(0);
      expect(mock.client.calls()).toHaveLength(0);
      const encrypted = await kms.encrypt({ KeyId: key, Plaintext: utf8('secret') });
      await expect(kms.encrypt({ KeyId: otherKey, Plaintext: utf8('secret') })).resolves.toBeDefined();
      await expect(kms.decrypt({ CiphertextBlob: encrypted.CiphertextBlob })).resolves.toBeDefined();
      expect(mock.count('Encrypt')).toBe(2);
    });

    test('restore() puts the real client back', async () => {
      mock.restore();
      // A port nothing listens on, one attempt: the real client fails fast without leaving the machine.
      const real = new KMSClient({
        region: REGION,
        credentials: CREDENTIALS,
        endpoint: 'http://127.0.0.1:1',
        maxAttempts: 1,
      });
      const error = await failure(real.send(new EncryptCommand({ KeyId: key, Plaintext: utf8('secret') })));
      expect(error).not.toBeInstanceOf(KMSServiceException);
      expect(String(error)).toMatch(/ECONNREFUSED/);
      expect(mock.count('Encrypt')).toBe(0);
      expect(KMSClient.prototype.send).not.toBe(mock.client.send);
      mock.restore(); // twice is harmless
    });

    test('restore() of a replaced double leaves the newer one installed', async () => {
      const newer = createKmsMock({ keys });
      try {
        mock.restore();
        await expect(kms.encrypt({ KeyId: key, Plaintext: utf8('secret') })).resolves.toBeDefined();
        expect(newer.count('Encrypt')).toBe(1);
      } finally {
        newer.restore();
      }
    });
  });

  describe('commands the double does not implement', () => {
    test('reject, naming the command', async () => {
      const client = new KMSClient({ region: REGION, credentials: CREDENTIALS });
      await expect(client.send(new DescribeKeyCommand({ KeyId: key }))).rejects.toThrow(
        /answer DescribeKeyCommand with kmsMock\.client\.on/,
      );
    });

    test('can be answered through client.on(...), without losing the double', async () => {
      mock.client.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: key, Enabled: true } });
      const client = new KMSClient({ region: REGION, credentials: CREDENTIALS });
      await expect(client.send(new DescribeKeyCommand({ KeyId: key }))).resolves.toMatchObject({
        KeyMetadata: { KeyId: key },
      });
      await expect(kms.encrypt({ KeyId: key, Plaintext: utf8('secret') })).resolves.toBeDefined();
    });
  });

  describe('control methods', () => {
    test('refuse a key the double does not know', () => {
      expect(() => mock.disableKey(keyArn())).toThrow(TypeError);
      expect(() => mock.denyAccess('alias/nope')).toThrow(TypeError);
    });

    test('accept the bare key id', async () => {
      mock.disableKey(key.split('/')[1]);
      await expect(kms.encrypt({ KeyId: key, Plaintext: utf8('x') })).rejects.toBeInstanceOf(
        DisabledException,
      );
    });

    test('refuse an unknown operation or a bad count', () => {
      expect(() => mock.count('ReEncrypt' as 'Encrypt')).toThrow(TypeError);
      expect(() => mock.denyAccess(key, 'Sign' as 'Encrypt')).toThrow(TypeError);
      expect(() => mock.throttle('Decrypt', -1)).toThrow(TypeError);
      expect(() => mock.throttle('Decrypt', 1.5)).toThrow(TypeError);
      expect(() => mock.throttle('Decrypt', Number.POSITIVE_INFINITY)).not.toThrow();
    });
  });
});

test('stubbing KMSClient also intercepts the aggregated KMS class, which extends it', () => {
  expect(Object.getPrototypeOf(KMS.prototype)).toBe(KMSClient.prototype);
  expect(Object.hasOwn(KMS.prototype, 'send')).toBe(false);
});
