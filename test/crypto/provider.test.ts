import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
  DataMaskingEncryptKeyError,
  DataMaskingProviderUnavailableError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { AlgorithmSuiteIdentifier } from '../../src/providers/kms.js';
import { everythingIn, provider, useKms } from './support.js';

const { kms } = useKms(3);
const SECRET = 'TOP-SECRET-4111111111111111';

describe('AWSEncryptionSDKProvider', () => {
  test('round trip under a context', async () => {
    const p = provider(kms().keys.slice(0, 1));
    const ciphertext = await p.encrypt(SECRET, { tenant_id: 'acme' });
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(ciphertext).not.toContain(SECRET);
    await expect(p.decrypt(ciphertext, { tenant_id: 'acme' })).resolves.toBe(SECRET);
  });

  test('with several keys, each key alone decrypts', async () => {
    const [k1, k2, k3] = kms().keys;
    const ciphertext = await provider([k1, k2, k3]).encrypt(SECRET, { t: '1' });
    for (const key of [k1, k2, k3]) {
      // A reader with one key accepts three data keys only when told to (the default is its key count).
      await expect(
        provider([key], { maxEncryptedDataKeys: 3 }).decrypt(ciphertext, { t: '1' }),
      ).resolves.toBe(SECRET);
      await expect(provider([key]).decrypt(ciphertext, { t: '1' })).rejects.toThrow(
        DataMaskingDecryptValueError,
      );
    }
    expect(kms().count('GenerateDataKey')).toBe(1);
    expect(kms().count('Encrypt')).toBe(2);
  });

  describe('the context check is exact', () => {
    const cases: [
      string,
      Record<string, string> | undefined,
      Record<string, string> | undefined,
      string[],
    ][] = [
      ['a different value', { tenant_id: 'acme' }, { tenant_id: 'evil' }, ['tenant_id']],
      ['a missing key', { tenant_id: 'acme', region: 'eu' }, { tenant_id: 'acme' }, ['region']],
      ['an extra key', { tenant_id: 'acme' }, { tenant_id: 'acme', role: 'admin' }, ['role']],
      ['a context on the message only', { tenant_id: 'acme' }, undefined, ['tenant_id']],
      ['a context on the caller only', undefined, { tenant_id: 'acme' }, ['tenant_id']],
    ];
    test.each(cases)(
      '%s → DataMaskingContextMismatchError without plaintext',
      async (_, written, expected, keys) => {
        const p = provider(kms().keys.slice(0, 1));
        const ciphertext = await p.encrypt(SECRET, written);
        const error = await p.decrypt(ciphertext, expected).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
        expect(error).toBeInstanceOf(DataMaskingEncryptionError);
        expect((error as DataMaskingContextMismatchError).mismatchedKeys).toEqual(keys);
        expect(everythingIn(error)).not.toContain(SECRET);
        expect(everythingIn(error)).not.toContain('evil');
        expect(everythingIn(error)).not.toContain(ciphertext.slice(40, 80));
      },
    );

    test('the same context passes, in any key order', async () => {
      const p = provider(kms().keys.slice(0, 1));
      const ciphertext = await p.encrypt(SECRET, { a: '1', b: '2' });
      await expect(p.decrypt(ciphertext, { b: '2', a: '1' })).resolves.toBe(SECRET);
    });

    test('the signing suite adds aws-crypto-public-key, which the check ignores', async () => {
      const p = provider(kms().keys.slice(0, 1), {
        algorithm: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
      });
      const ciphertext = await p.encrypt(SECRET, { tenant_id: 'acme' });
      await expect(p.decrypt(ciphertext, { tenant_id: 'acme' })).resolves.toBe(SECRET);
    });
  });

  test('context values must be strings, refused before any KMS call', async () => {
    const p = provider(kms().keys.slice(0, 1));
    await expect(p.encrypt(SECRET, { n: 1 } as never)).rejects.toThrow(DataMaskingUnsupportedTypeError);
    await expect(p.decrypt('AAAA', { n: null } as never)).rejects.toThrow(DataMaskingUnsupportedTypeError);
    await expect(p.encrypt(SECRET, { 'aws-crypto-public-key': 'x' })).rejects.toThrow(
      DataMaskingUnsupportedTypeError,
    );
    expect(kms().count('GenerateDataKey') + kms().count('Decrypt')).toBe(0);
  });

  describe('KMS faults map to the typed errors', () => {
    test('unknown key → DataMaskingEncryptKeyError', async () => {
      const p = provider(['arn:aws:kms:eu-west-1:111122223333:key/99999999-0000-4000-8000-000000000000']);
      await expect(p.encrypt(SECRET)).rejects.toThrow(DataMaskingEncryptKeyError);
    });

    test('disabled key → DataMaskingEncryptKeyError on encrypt, DataMaskingDecryptKeyError on decrypt', async () => {
      const [k1] = kms().keys;
      const ciphertext = await provider([k1], { cache: false }).encrypt(SECRET);
      kms().disableKey(k1);
      await expect(provider([k1], { cache: false }).encrypt(SECRET)).rejects.toThrow(
        DataMaskingEncryptKeyError,
      );
      const error = await provider([k1])
        .decrypt(ciphertext)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingDecryptKeyError);
      expect((error as Error).message).toContain('DisabledException');
    });

    test.each(['GenerateDataKey', 'Encrypt'] as const)(
      'access denied on %s → DataMaskingEncryptKeyError',
      async (operation) => {
        const [k1, k2] = kms().keys;
        kms().denyAccess(operation === 'GenerateDataKey' ? k1 : k2, operation);
        const error = await provider([k1, k2])
          .encrypt(SECRET)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DataMaskingEncryptKeyError);
        expect((error as Error).message).toContain('AccessDeniedException');
      },
    );

    test('access denied on Decrypt → DataMaskingDecryptKeyError', async () => {
      const [k1] = kms().keys;
      const ciphertext = await provider([k1]).encrypt(SECRET);
      kms().denyAccess(k1, 'Decrypt');
      await expect(provider([k1]).decrypt(ciphertext)).rejects.toThrow(DataMaskingDecryptKeyError);
    });

    // Issue 9 item 18: a message under another key cannot be told apart from one whose key ARN was
    // altered, so both are a value that is not a ciphertext for this provider (400), not a key fault (500).
    test('a message under none of the configured keys → DataMaskingDecryptValueError, no KMS call', async () => {
      const [k1, k2] = kms().keys;
      const ciphertext = await provider([k1]).encrypt(SECRET);
      const before = kms().count('Decrypt');
      await expect(provider([k2]).decrypt(ciphertext)).rejects.toThrow(DataMaskingDecryptValueError);
      expect(kms().count('Decrypt')).toBe(before);
    });

    test.each(['GenerateDataKey', 'Decrypt'] as const)(
      'throttling on %s → DataMaskingProviderUnavailableError (retryable)',
      async (operation) => {
        const [k1] = kms().keys;
        const ciphertext = await provider([k1]).encrypt(SECRET);
        kms().throttle(operation, 1);
        const call =
          operation === 'Decrypt' ? provider([k1]).decrypt(ciphertext) : provider([k1]).encrypt(SECRET);
        const error = await call.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DataMaskingProviderUnavailableError);
        expect((error as DataMaskingProviderUnavailableError).retryable).toBe(true);
        // The fault was injected once: the same call now succeeds.
        await expect(
          operation === 'Decrypt' ? provider([k1]).decrypt(ciphertext) : provider([k1]).encrypt(SECRET),
        ).resolves.toBeDefined();
      },
    );
  });

  describe('values that are not ciphertexts → DataMaskingDecryptValueError', () => {
    let ciphertext: string;
    beforeEach(async () => {
      ciphertext = await provider(kms().keys.slice(0, 1)).encrypt(SECRET, { t: '1' });
    });
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64');
      bytes[at] ^= 0x01;
      return bytes.toString('base64');
    };

    test.each([
      ['empty', () => ''],
      ['not base64', () => 'not base64!'],
      ['base64 of garbage', () => Buffer.from('hello world, not a message').toString('base64')],
      ['truncated', () => Buffer.from(ciphertext, 'base64').subarray(0, 60).toString('base64')],
      [
        'truncated body',
        () =>
          Buffer.from(ciphertext, 'base64')
            .subarray(0, Buffer.from(ciphertext, 'base64').length - 5)
            .toString('base64'),
      ],
      ['a flipped bit in the body', () => flip(ciphertext, Buffer.from(ciphertext, 'base64').length - 20)],
      ['a flipped bit in the header', () => flip(ciphertext, 30)],
    ])('%s', async (_, make) => {
      const value = make();
      const error = await provider(kms().keys.slice(0, 1))
        .decrypt(value, { t: '1' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
      expect(everythingIn(error)).not.toContain(SECRET);
    });

    test('the plain cases are exactly DataMaskingDecryptValueError', async () => {
      const p = provider(kms().keys.slice(0, 1));
      for (const value of [
        '',
        '!!',
        'AAAA',
        Buffer.from(ciphertext, 'base64').subarray(0, 10).toString('base64'),
      ]) {
        await expect(p.decrypt(value, { t: '1' })).rejects.toThrow(DataMaskingDecryptValueError);
      }
    });
  });

  describe('interoperability: standard Encryption SDK messages', () => {
    const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

    test('our messages decrypt with the SDK directly (as Powertools does)', async () => {
      const [k1] = kms().keys;
      const ciphertext = await provider([k1]).encrypt(SECRET, { tenant_id: 'acme' });
      const { plaintext, messageHeader } = await sdk.decrypt(
        new KmsKeyringNode({ generatorKeyId: k1 }),
        Buffer.from(ciphertext, 'base64'),
      );
      expect(plaintext.toString('utf8')).toBe(SECRET);
      expect(messageHeader.encryptionContext).toEqual({ tenant_id: 'acme' });
    });

    test('messages the SDK made with its defaults (the Powertools recipe) decrypt here', async () => {
      const [k1] = kms().keys;
      const { result } = await sdk.encrypt(
        new KmsKeyringNode({ generatorKeyId: k1 }),
        JSON.stringify({ card: SECRET }),
        {
          encryptionContext: { tenant_id: 'acme' },
        },
      );
      const masker = new DataMasking({ provider: provider([k1]) });
      await expect(
        masker.decrypt(result.toString('base64'), { context: { tenant_id: 'acme' } }),
      ).resolves.toEqual({ card: SECRET });
    });
  });

  test('a malformed configuration is refused at construction', () => {
    expect(() => provider([])).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => provider(['not-an-arn'])).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => provider(['arn:aws:kms:eu-west-1:1:key/x'], { localCacheCapacity: -1 })).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });
});

describe('a configured client (clientProvider) and network faults', () => {
  const key = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-00000000abcd';
  const failing = (error: unknown) => () => ({
    generateDataKey: () => Promise.reject(error),
    encrypt: () => Promise.reject(error),
    decrypt: () => Promise.reject(error),
  });

  test.each([
    ['a reset socket', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    [
      'a retryable SDK error',
      Object.assign(new Error('5xx'), { name: 'InternalFailure', $retryable: { throttling: false } }),
    ],
  ])('%s → DataMaskingProviderUnavailableError', async (_, error) => {
    const p = provider([key], { clientProvider: failing(error) });
    const thrown = await p.encrypt('x').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(DataMaskingProviderUnavailableError);
    expect((thrown as Error).cause).toBe(error);
  });

  test('the provider uses the injected client for every KMS call', async () => {
    const calls: string[] = [];
    const { kms: double } = { kms: kms() };
    const p = provider([double.keys[0]], {
      clientProvider: (region) => {
        calls.push(region);
        return new (require('@aws-sdk/client-kms').KMS)({
          region,
          credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        });
      },
    });
    const ciphertext = await p.encrypt('x', { t: '1' });
    await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe('x');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((r) => r === 'eu-west-1')).toBe(true);
  });
});

describe('providerOptions', () => {
  test('reach the provider as given', async () => {
    const seen: unknown[] = [];
    const echo = {
      encrypt: async (data: string, _context?: Record<string, string>, options?: Record<string, unknown>) => {
        seen.push(options);
        return Buffer.from(data).toString('base64');
      },
      decrypt: async (data: string, _context?: Record<string, string>, options?: Record<string, unknown>) => {
        seen.push(options);
        return Buffer.from(data, 'base64').toString('utf8');
      },
    };
    const masker = new DataMasking({ provider: echo });
    const encrypted = await masker.encrypt({ a: 1 }, { fields: ['a'], providerOptions: { x: 1 } });
    await masker.decrypt(encrypted, { fields: ['a'], providerOptions: { y: 2 } });
    expect(seen).toEqual([{ x: 1 }, { y: 2 }]);
  });
});

describe('the decryption-material cache', () => {
  test('serves repeated decrypts of one data key with one KMS Decrypt, until maxCacheAgeSeconds', async () => {
    const [k1] = kms().keys;
    const p = provider([k1], { maxCacheAgeSeconds: 0.15 });
    const ciphertext = await p.encrypt(SECRET, { t: '1' });
    const before = kms().count('Decrypt');
    for (let i = 0; i < 5; i++) await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
    expect(kms().count('Decrypt') - before).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
    expect(kms().count('Decrypt') - before).toBe(2);
  });

  test('holds at most localCacheCapacity data keys (least recently used evicted)', async () => {
    const [k1] = kms().keys;
    const writer = provider([k1]);
    const a = await writer.encrypt('a', { t: 'a' });
    const b = await writer.encrypt('b', { t: 'b' });
    const decrypts = async (capacity: number) => {
      const reader = provider([k1], { localCacheCapacity: capacity });
      const before = kms().count('Decrypt');
      for (const [ciphertext, t] of [
        [a, 'a'],
        [b, 'b'],
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await reader.decrypt(ciphertext, { t });
      }
      return kms().count('Decrypt') - before;
    };
    expect(await decrypts(2)).toBe(2);
    expect(await decrypts(1)).toBe(4);
  });

  test('a cached data key is not served for another context: KMS is asked, and refuses', async () => {
    const [k1] = kms().keys;
    const p = provider([k1]);
    const ciphertext = await p.encrypt(SECRET, { tenant_id: 'A' });
    await expect(p.decrypt(ciphertext, { tenant_id: 'A' })).resolves.toBe(SECRET);
    // Same encrypted data key, header context rewritten to tenant B: a cache miss, and KMS binds the
    // data key to tenant A's context, so the message is refused.
    const bytes = Buffer.from(ciphertext, 'base64');
    // The header serializes the context as [key length][key][value length][value].
    const at = bytes.indexOf(Buffer.from('tenant_id', 'utf8')) + 'tenant_id'.length + 2;
    expect(String.fromCharCode(bytes[at])).toBe('A');
    bytes[at] = 'B'.charCodeAt(0);
    const before = kms().count('Decrypt');
    const error = await p.decrypt(bytes.toString('base64'), { tenant_id: 'B' }).catch((e: unknown) => e);
    expect(kms().count('Decrypt') - before).toBe(1);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect(everythingIn(error)).not.toContain(SECRET);
  });

  test('the signing suite still decrypts through the SDK cache (it carries a verification key)', async () => {
    const [k1] = kms().keys;
    const p = provider([k1], {
      algorithm: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    const ciphertext = await p.encrypt(SECRET, { t: '1' });
    const before = kms().count('Decrypt');
    for (let i = 0; i < 3; i++) await expect(p.decrypt(ciphertext, { t: '1' })).resolves.toBe(SECRET);
    expect(kms().count('Decrypt') - before).toBe(1);
  });
});
