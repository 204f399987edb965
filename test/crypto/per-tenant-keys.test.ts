/**
 * Issue 14 (SPEC §12): `keys` as a function of the encryption context — a tenant-to-KMS-key map (bring your
 * own key per tenant). Encrypt generates under the tenant's key; decrypt tries only the keys the function
 * gives for the expected context; caches and single flights are partitioned by key list; a context mapped
 * to no key fails closed before any KMS call.
 */
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { PATH_CONTEXT_KEY } from '../../src/crypto/binding.js';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptKeyError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import {
  AlgorithmSuiteIdentifier,
  AWSEncryptionSDKProvider,
  type AWSEncryptionSDKProviderOptions,
} from '../../src/providers/kms.js';
import { everythingIn, useKms } from './support.js';

const { kms } = useKms(5);
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'] as const;
type Tenant = (typeof TENANTS)[number];
const SECRET = 'TOP-SECRET-4111111111111111';
const SIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
const runs = { numRuns: Number(process.env.FC_RUNS ?? 50) };

/** The tenant's key: tenant i → the double's key i. */
const keyOf = (tenant: Tenant): string => kms().keys[TENANTS.indexOf(tenant)] as string;
const ctx = (tenant: string) => ({ tenant_id: tenant });

/** A tenant-to-key map, as the README shows it; unknown tenants map to no key. */
const tenantMap = (): Record<string, string> =>
  Object.fromEntries(TENANTS.map((tenant) => [tenant, keyOf(tenant)]));

const byTenant =
  (map: Readonly<Record<string, string>>) =>
  ({ tenant_id }: Readonly<Record<string, string>>): readonly string[] =>
    tenant_id !== undefined && Object.hasOwn(map, tenant_id) ? [map[tenant_id] as string] : [];

const withKeys = (
  keys: AWSEncryptionSDKProviderOptions['keys'],
  options: Partial<AWSEncryptionSDKProviderOptions> = {},
) => new AWSEncryptionSDKProvider({ keys, ...options });

const perTenant = (options: Partial<AWSEncryptionSDKProviderOptions> = {}) =>
  withKeys(byTenant(tenantMap()), options);

/** The KMS key ARNs a message's encrypted data keys name, read from its header (format version 2). */
function keysNamedBy(ciphertext: string): string[] {
  const bytes = Buffer.from(ciphertext, 'base64');
  let at = 1 + 2 + 32; // version, suite, message id
  at += 2 + bytes.readUInt16BE(at); // the encryption context
  const count = bytes.readUInt16BE(at);
  at += 2;
  const named: string[] = [];
  for (let i = 0; i < count; i++) {
    const field = () => {
      const length = bytes.readUInt16BE(at);
      const value = bytes.subarray(at + 2, at + 2 + length);
      at += 2 + length;
      return value;
    };
    field(); // provider id
    named.push(field().toString('utf8'));
    field(); // the encrypted data key
  }
  return named;
}

const generatedUnder = () =>
  kms()
    .client.commandCalls(GenerateDataKeyCommand)
    .map((call) => call.args[0].input.KeyId);
const decryptedUnder = () =>
  kms()
    .client.commandCalls(DecryptCommand)
    .map((call) => call.args[0].input.KeyId);
const kmsCalls = () =>
  kms().count('GenerateDataKey') +
  kms().count('GenerateDataKeyWithoutPlaintext') +
  kms().count('Encrypt') +
  kms().count('Decrypt');

const order = (tenant: string) => ({
  id: `ord-${tenant}`,
  card: '4111 1111 1111 1111',
  customer: { email: `jane@${tenant}.example`, tags: ['vip'] },
});

describe('round trips, each tenant under its own key', () => {
  test('field level: every field of acme is under key A, of globex under key B, and comes back', async () => {
    const masker = new DataMasking({ provider: perTenant() });
    const fields = ['card', 'customer.email'];
    for (const tenant of ['acme', 'globex'] as const) {
      kms().reset();
      const encrypted = await masker.encrypt(order(tenant), { fields, context: ctx(tenant) });
      expect(keysNamedBy(encrypted.card)).toEqual([keyOf(tenant)]);
      expect(keysNamedBy(encrypted.customer.email)).toEqual([keyOf(tenant)]);
      expect(generatedUnder()).toEqual([keyOf(tenant)]); // one data key for both fields
      await expect(masker.decrypt(encrypted, { fields, context: ctx(tenant) })).resolves.toEqual(
        order(tenant),
      );
      expect(decryptedUnder()).toEqual([keyOf(tenant)]);
    }
  });

  test('whole payload, one frame and many frames (the SDK stream), unsigned and signed suites', async () => {
    const big = { blob: 'x'.repeat(50_000), card: '4111 1111 1111 1111' };
    for (const options of [{}, { algorithm: SIGNED }, { cache: false }]) {
      const masker = new DataMasking({ provider: perTenant(options) });
      for (const tenant of ['acme', 'globex'] as const) {
        kms().reset();
        for (const payload of [order(tenant), big]) {
          // Without fields the whole payload is one ciphertext string.
          const encrypted = (await masker.encrypt(payload, { context: ctx(tenant) })) as unknown as string;
          expect(keysNamedBy(encrypted)).toEqual([keyOf(tenant)]);
          await expect(masker.decrypt(encrypted, { context: ctx(tenant) })).resolves.toEqual(payload);
        }
        // One data key for both payloads (two without a cache), always under the tenant's key.
        const generated = generatedUnder();
        expect(generated).toEqual(Array(options.cache === false ? 2 : 1).fill(keyOf(tenant)));
        expect(new Set(decryptedUnder())).toEqual(new Set([keyOf(tenant)]));
      }
    }
  });

  test('several keys per tenant: the first generates, the others wrap; each alone decrypts', async () => {
    const [a, b, c] = kms().keys as [string, string, string];
    const writer = withKeys((context) => (context.tenant_id === 'acme' ? [a, c] : [b, c]));
    kms().reset();
    const encrypted = await writer.encrypt(SECRET, ctx('acme'));
    expect(keysNamedBy(encrypted)).toEqual([a, c]);
    expect(generatedUnder()).toEqual([a]);
    expect(
      kms()
        .client.commandCalls(EncryptCommand)
        .map((call) => call.args[0].input.KeyId),
    ).toEqual([c]);
    // A reader with one key reads messages of two data keys once `maxEncryptedDataKeys` allows it.
    const two = { maxEncryptedDataKeys: 2 };
    for (const reader of [
      withKeys(() => [a], two),
      withKeys(() => [c], two),
      withKeys([a], two),
      withKeys([c], two),
    ]) {
      await expect(reader.decrypt(encrypted, ctx('acme'))).resolves.toBe(SECRET);
    }
  });

  test('an async mapping function works, for encrypt and decrypt', async () => {
    const map = tenantMap();
    const lookups: string[] = [];
    const provider = withKeys(async (context) => {
      lookups.push(String(context.tenant_id));
      await new Promise((resolve) => setTimeout(resolve, 2));
      return byTenant(map)(context);
    });
    const masker = new DataMasking({ provider });
    const encrypted = await masker.encrypt(order('globex'), { fields: ['card'], context: ctx('globex') });
    expect(keysNamedBy(encrypted.card)).toEqual([keyOf('globex')]);
    await expect(masker.decrypt(encrypted, { fields: ['card'], context: ctx('globex') })).resolves.toEqual(
      order('globex'),
    );
    expect(lookups).toEqual(['globex', 'globex']);
  });

  test('the function sees a frozen copy of the user context, without the binding keys', async () => {
    const seen: Readonly<Record<string, string>>[] = [];
    const provider = withKeys((context) => {
      seen.push(context);
      return [keyOf('acme')];
    });
    const context = { tenant_id: 'acme', region: 'eu' };
    const encrypted = await provider.encrypt(SECRET, context);
    const bound = { ...context, [PATH_CONTEXT_KEY]: "$['card']" };
    const boundCiphertext = await provider.encrypt(SECRET, bound);
    await expect(provider.decrypt(boundCiphertext, bound)).resolves.toBe(SECRET);
    await expect(provider.decrypt(encrypted, context)).resolves.toBe(SECRET);
    expect(seen).toHaveLength(4);
    for (const argument of seen) {
      expect(argument).toEqual(context);
      expect(argument).not.toBe(context);
      expect(Object.isFrozen(argument)).toBe(true);
    }
  });
});

describe('no tenant reads another tenant’s data', () => {
  test('a message made for globex, relabelled as acme, is a 403 context mismatch, without a KMS call', async () => {
    const masker = new DataMasking({ provider: perTenant() });
    const made = await masker.encrypt(order('globex'), { fields: ['card'], context: ctx('globex') });
    const whole = await masker.encrypt(order('globex'), { context: ctx('globex') });
    const reader = new DataMasking({ provider: perTenant() }); // cold: any KMS call would show
    kms().reset();
    for (const attempt of [
      reader.decrypt(made, { fields: ['card'], context: ctx('acme') }),
      reader.decrypt(whole, { context: ctx('acme') }),
    ]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
      expect((error as DataMaskingContextMismatchError).statusCode).toBe(403);
      expect(everythingIn(error)).not.toContain('4111');
    }
    expect(kmsCalls()).toBe(0);
  });

  test('a message under another tenant’s key with the right context names none of the allowed keys (400, no KMS call)', async () => {
    // A writer that mapped acme to globex's key (misconfigured, or an attacker holding key B).
    const forged = await withKeys(() => [keyOf('globex')]).encrypt(SECRET, ctx('acme'));
    const reader = perTenant();
    kms().reset();
    const error = await reader.decrypt(forged, ctx('acme')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect((error as Error).message).toBe('the ciphertext names none of the configured KMS keys');
    expect(kmsCalls()).toBe(0);
  });

  test('a message under two tenants’ keys is decrypted with the expected context’s key only', async () => {
    const both = await withKeys([keyOf('globex'), keyOf('acme')]).encrypt(SECRET, ctx('acme'));
    kms().reset();
    const two = { maxEncryptedDataKeys: 2 };
    await expect(perTenant(two).decrypt(both, ctx('acme'))).resolves.toBe(SECRET);
    expect(decryptedUnder()).toEqual([keyOf('acme')]);
    // KMS refusing the allowed key is a key error, and the other tenant's key is still not tried.
    kms().reset();
    kms().denyAccess(keyOf('acme'), 'Decrypt');
    const error = await perTenant(two)
      .decrypt(both, ctx('acme'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingDecryptKeyError);
    expect(decryptedUnder()).toEqual([keyOf('acme')]);
  });

  test('caches are partitioned by key list: a remapped tenant never gets the old key’s material', async () => {
    const map = tenantMap();
    const provider = withKeys(byTenant(map));
    const old = await provider.encrypt(SECRET, ctx('acme'));
    await expect(provider.decrypt(old, ctx('acme'))).resolves.toBe(SECRET); // both caches warm under A
    kms().reset();
    map.acme = keyOf('umbrella'); // acme now brings another key
    const fresh = await provider.encrypt(SECRET, ctx('acme'));
    expect(generatedUnder()).toEqual([keyOf('umbrella')]); // not the cached data key of A
    expect(keysNamedBy(fresh)).toEqual([keyOf('umbrella')]);
    // A's cached decryption material is not served to the list [umbrella]: refused from the header.
    await expect(provider.decrypt(old, ctx('acme'))).rejects.toThrow(DataMaskingDecryptValueError);
    await expect(provider.decrypt(fresh, ctx('acme'))).resolves.toBe(SECRET);
    // Mapped back, the list [A] finds its own entries again: no KMS call.
    map.acme = keyOf('acme');
    kms().reset();
    await expect(provider.decrypt(old, ctx('acme'))).resolves.toBe(SECRET);
    await provider.encrypt(SECRET, ctx('acme'));
    expect(kmsCalls()).toBe(0);
  });

  test('property: with every cache warm, no tenant ever decrypts another tenant’s data', async () => {
    const provider = perTenant();
    const masker = new DataMasking({ provider });
    // Another writer's view: each tenant's context encrypted under some other tenant's key.
    const shifted = withKeys(({ tenant_id }) => {
      const index = TENANTS.indexOf(tenant_id as Tenant);
      return [keyOf(TENANTS[(index + 1) % TENANTS.length] as Tenant)];
    });
    const tenant = fc.constantFrom(...TENANTS);
    await fc.assert(
      fc.asyncProperty(
        tenant,
        tenant,
        fc.string({ minLength: 1 }),
        fc.boolean(),
        async (owner, other, value, fieldLevel) => {
          fc.pre(owner !== other);
          const data = { secret: value, owner };
          const options = fieldLevel ? { fields: ['secret'] } : {};
          const mine = await masker.encrypt(data, { ...options, context: ctx(owner) });
          const theirs = await masker.encrypt(data, { ...options, context: ctx(other) });
          // Warm: both tenants have just used their keys.
          await expect(masker.decrypt(mine, { ...options, context: ctx(owner) })).resolves.toEqual(data);
          await expect(masker.decrypt(theirs, { ...options, context: ctx(other) })).resolves.toEqual(data);
          // Relabelled: another tenant's context.
          const relabelled = await masker
            .decrypt(mine, { ...options, context: ctx(other) })
            .catch((e: unknown) => e);
          expect(relabelled).toBeInstanceOf(DataMaskingContextMismatchError);
          // Same context, another tenant's key: refused before KMS.
          const forged = await shifted.encrypt(JSON.stringify(value), ctx(owner));
          const calls = kmsCalls();
          const crossKey = await provider.decrypt(forged, ctx(owner)).catch((e: unknown) => e);
          expect(crossKey).toBeInstanceOf(DataMaskingDecryptValueError);
          expect(kmsCalls()).toBe(calls);
        },
      ),
      runs,
    );
  });
});

describe('concurrency: one GenerateDataKey per tenant, under its own key', () => {
  test('50 concurrent encrypts across 5 tenants: exactly one GenerateDataKey per tenant', async () => {
    const map = tenantMap();
    // Async, with varied delays, so the lookups of the tenants interleave.
    let n = 0;
    const provider = withKeys(async (context) => {
      await new Promise((resolve) => setTimeout(resolve, (n++ * 7) % 5));
      return byTenant(map)(context);
    });
    kms().reset();
    const jobs = Array.from({ length: 50 }, (_, i) => {
      const tenant = TENANTS[i % TENANTS.length] as Tenant;
      return provider
        .encrypt(`${tenant}-${i}`, ctx(tenant))
        .then((ciphertext) => ({ tenant, i, ciphertext }));
    });
    const made = await Promise.all(jobs);
    const generated = generatedUnder();
    expect(generated).toHaveLength(5);
    expect(new Set(generated)).toEqual(new Set(TENANTS.map(keyOf)));
    expect(kms().count('Encrypt')).toBe(0);
    for (const { tenant, i, ciphertext } of made) {
      expect(keysNamedBy(ciphertext)).toEqual([keyOf(tenant)]);
      await expect(provider.decrypt(ciphertext, ctx(tenant))).resolves.toBe(`${tenant}-${i}`);
    }
    // One Decrypt per tenant's data key, each under the tenant's key.
    expect(decryptedUnder().sort()).toEqual(TENANTS.map(keyOf).sort());
  });

  test('field level through DataMasking: 10 requests per tenant at once, 3 fields each', async () => {
    const masker = new DataMasking({ provider: perTenant() });
    const fields = ['card', 'customer.email', 'customer.tags'];
    kms().reset();
    const made = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const tenant = TENANTS[i % TENANTS.length] as Tenant;
        return { tenant, encrypted: await masker.encrypt(order(tenant), { fields, context: ctx(tenant) }) };
      }),
    );
    expect(generatedUnder().sort()).toEqual(TENANTS.map(keyOf).sort());
    for (const { tenant, encrypted } of made) {
      expect(keysNamedBy(encrypted.card)).toEqual([keyOf(tenant)]);
      await expect(masker.decrypt(encrypted, { fields, context: ctx(tenant) })).resolves.toEqual(
        order(tenant),
      );
    }
  });

  test('more key lists than localCacheCapacity: still correct (least recently used list dropped)', async () => {
    const provider = perTenant({ localCacheCapacity: 2 });
    const made = await Promise.all(
      TENANTS.map(async (tenant) => ({ tenant, ciphertext: await provider.encrypt(tenant, ctx(tenant)) })),
    );
    for (const { tenant, ciphertext } of made) {
      expect(keysNamedBy(ciphertext)).toEqual([keyOf(tenant)]);
      await expect(provider.decrypt(ciphertext, ctx(tenant))).resolves.toBe(tenant);
    }
  });

  test('clearCache() drops every key list’s data keys', async () => {
    const provider = perTenant();
    const a = await provider.encrypt(SECRET, ctx('acme'));
    const b = await provider.encrypt(SECRET, ctx('globex'));
    await provider.decrypt(a, ctx('acme'));
    await provider.decrypt(b, ctx('globex'));
    kms().reset();
    provider.clearCache();
    await provider.decrypt(a, ctx('acme'));
    await provider.decrypt(b, ctx('globex'));
    await provider.encrypt(SECRET, ctx('acme'));
    expect(kms().count('Decrypt')).toBe(2);
    expect(kms().count('GenerateDataKey')).toBe(1);
  });
});

describe('a context mapped to no key fails closed, before any KMS call', () => {
  const boom = new Error('tenant directory unreachable');
  const cases: [string, AWSEncryptionSDKProviderOptions['keys']][] = [
    ['an empty list', () => []],
    ['an unknown tenant', byTenant({})],
    ['a throw', () => Promise.reject(boom)],
    [
      'a synchronous throw',
      () => {
        throw boom;
      },
    ],
    ['undefined', () => undefined as never],
    ['one ARN as a string', () => 'arn:aws:kms:eu-west-1:111122223333:key/x' as never],
    ['an object', () => ({ 0: 'arn:aws:kms:eu-west-1:111122223333:key/x', length: 1 }) as never],
    ['a non-ARN', () => ['alias/acme']],
    ['an empty string', () => ['']],
    ['a number', () => [42] as never],
    ['a malformed ARN', () => ['arn:nope']],
    ['a list with a hole', () => [undefined] as never],
    ['more than 10 keys', () => Array.from({ length: 11 }, () => 'arn:aws:kms:eu-west-1:111122223333:key/x')],
  ];

  test.each(cases)('%s: typed error, 403, no context value in it, zero KMS calls', async (_, keys) => {
    const provider = withKeys(keys);
    const valid = await withKeys([kms().keys[0] as string]).encrypt(SECRET, ctx('wile-e-coyote'));
    kms().reset();
    const encrypt = await provider.encrypt(SECRET, ctx('wile-e-coyote')).catch((e: unknown) => e);
    const decrypt = await provider.decrypt(valid, ctx('wile-e-coyote')).catch((e: unknown) => e);
    const whole = await new DataMasking({ provider })
      .encrypt(order('wile-e-coyote'), { context: ctx('wile-e-coyote') })
      .catch((e: unknown) => e);
    expect(encrypt).toBeInstanceOf(DataMaskingEncryptKeyError);
    expect(whole).toBeInstanceOf(DataMaskingEncryptKeyError);
    expect(decrypt).toBeInstanceOf(DataMaskingDecryptKeyError);
    for (const error of [encrypt, decrypt, whole] as DataMaskingEncryptKeyError[]) {
      expect(error.message).toMatch(/^no KMS key for this encryption context \(context keys "tenant_id"\): /);
      expect(error.statusCode).toBe(403);
      expect(error.expose).toBe(true);
      expect(error.message).not.toContain('coyote');
    }
    expect((encrypt as Error).name).toBe('DataMaskingEncryptKeyError');
    expect((decrypt as Error).name).toBe('DataMaskingDecryptKeyError');
    expect(kmsCalls()).toBe(0);
  });

  test('a function that throws is the cause', async () => {
    const provider = withKeys(() => {
      throw boom;
    });
    const error = await provider.encrypt(SECRET, ctx('acme')).catch((e: unknown) => e);
    expect((error as Error).cause).toBe(boom);
    const rejected = await withKeys(() => Promise.reject(boom))
      .decrypt('AAAA', ctx('acme'))
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(DataMaskingDecryptValueError); // not a message: refused before the lookup
  });

  test('a function whose list outgrows maxEncryptedDataKeys is refused; a message with more data keys than the context’s keys is refused', async () => {
    const [a, b] = kms().keys as [string, string];
    const twoKeys = await withKeys([a, b]).encrypt(SECRET, ctx('acme'));
    kms().reset();
    await expect(
      withKeys(() => [a, b], { maxEncryptedDataKeys: 1 }).encrypt(SECRET, ctx('acme')),
    ).rejects.toThrow(DataMaskingEncryptKeyError);
    // Default: a context with one key reads messages of one data key only (as a static list of one).
    const error = await withKeys(() => [a])
      .decrypt(twoKeys, ctx('acme'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expect((error as Error).message).toContain('more than maxEncryptedDataKeys (1)');
    expect(kmsCalls()).toBe(0);
    // Raised, it reads them.
    await expect(
      withKeys(() => [a], { maxEncryptedDataKeys: 2 }).decrypt(twoKeys, ctx('acme')),
    ).resolves.toBe(SECRET);
  });
});

describe('options', () => {
  test.each([
    ['a string', 'arn:aws:kms:eu-west-1:111122223333:key/x'],
    ['an empty array', []],
    ['an object', { acme: 'arn:aws:kms:eu-west-1:111122223333:key/x' }],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['an array of functions', [() => []]],
    ['an array with a non-ARN', ['alias/acme']],
  ])('keys as %s is refused at construction', (_, keys) => {
    expect(() => withKeys(keys as never)).toThrow(DataMaskingUnsupportedTypeError);
  });

  test('a function is accepted; its limits are checked at construction', () => {
    expect(() => withKeys(() => [])).not.toThrow();
    expect(() => withKeys(() => [], { maxEncryptedDataKeys: 0 })).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => withKeys(() => [], { maxEncryptedDataKeys: 1.5 })).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => withKeys(() => [], { maxMessagesEncrypted: 2 ** 40 })).toThrow(
      "the cache limits are outside the SDK's bounds",
    );
    expect(() => withKeys(() => [], { unknown: 1 } as never)).toThrow(DataMaskingUnsupportedTypeError);
  });

  test('the function is not called at construction', () => {
    const keys = jest.fn(() => []);
    withKeys(keys);
    expect(keys).not.toHaveBeenCalled();
  });
});

describe('interoperability with a static key list', () => {
  test('a message from a function-keys provider decrypts with a static provider of the same key, and back', async () => {
    const dynamic = new DataMasking({ provider: perTenant() });
    const fixed = new DataMasking({ provider: withKeys([keyOf('globex')]) });
    const fields = ['card', 'customer.email'];
    const made = await dynamic.encrypt(order('globex'), { fields, context: ctx('globex') });
    await expect(fixed.decrypt(made, { fields, context: ctx('globex') })).resolves.toEqual(order('globex'));
    const back = await fixed.encrypt(order('globex'), { context: ctx('globex') });
    await expect(dynamic.decrypt(back, { context: ctx('globex') })).resolves.toEqual(order('globex'));
  });
});
