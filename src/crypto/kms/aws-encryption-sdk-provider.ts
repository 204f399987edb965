/**
 * `AWSEncryptionSDKProvider`: field-level encryption with the AWS Encryption SDK and KMS, with the
 * Powertools option names and defaults.
 *
 * @module
 */
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  cacheKmsClients,
  KmsKeyringNode,
  NodeAlgorithmSuite,
  NodeCachingMaterialsManager,
  NodeDefaultCryptographicMaterialsManager,
  type NodeMaterialsManager,
} from '@aws-crypto/client-node';
import { DataMaskingDecryptValueError, DataMaskingUnsupportedTypeError } from '../../errors.js';
import { assertKnownOptions } from '../../options.js';
import { assertSameContext, validateContext } from '../context.js';
import type { EncryptionContext, EncryptionProvider } from '../encryption-provider.js';
import { decryptFailure, encryptFailure } from './classify.js';
import { recorded, recordingClient } from './fault-recorder.js';
import { HeaderCheckMaterialsManager } from './header-check-materials-manager.js';
import {
  DEFAULT_MAX_KEYS_PER_CONTEXT,
  isKeyList,
  type KmsKeysOfContext,
  noKeyForContext,
  resolveKeys,
} from './key-selection.js';
import { ClearableMaterialsCache } from './materials-cache.js';
import { COMMITTING_SUITES, decodeCiphertext, inspectMessage } from './message-format.js';
import {
  decryptOneFrameMessage,
  type OneFrameMessage,
  readOneFrameMessage,
  writeOneFrameMessage,
  writesOneFrame,
} from './one-frame-message.js';
import { SingleFlightMaterialsManager } from './single-flight-materials-manager.js';

/** Returns a KMS client for a region, as the Encryption SDK's `clientProvider` does. */
export type KmsClientProvider = (region: string) => unknown;

export type { KmsKeysOfContext } from './key-selection.js';

/** Options of {@link AWSEncryptionSDKProvider}. An unknown key is refused at construction. */
export interface AWSEncryptionSDKProviderOptions {
  /**
   * KMS key ARNs: the first generates each data key, the others wrap it too (each alone can decrypt).
   *
   * Or a function of the encryption context that returns them (sync or async): a tenant-to-key map, to
   * bring your own key per tenant. It is called on every encrypt and decrypt, before any KMS call, with
   * the caller's context (a frozen copy, without the keys `bind` adds). Encrypt: the first key it returns
   * generates the data key, the others wrap it. Decrypt: only the keys it returns for the expected context
   * are tried; a message that names none of them is refused (`DataMaskingDecryptValueError`) without a
   * KMS call, and KMS decides for the ones it names. To move a tenant to a new key, return the new key
   * first and the old one after it until the old messages are gone.
   *
   * Data keys are cached per key list and context: material made under one tenant's keys is never served
   * to another key list. A context the function maps to no key (an empty list, a throw, anything but a
   * non-empty list of key ARNs) is refused before any KMS call, with `DataMaskingEncryptKeyError` or
   * `DataMaskingDecryptKeyError` (HTTP 403; the message names the context's keys, never its values; a
   * throw is the `cause`). The function should be cheap: memoize a lookup that does I/O.
   *
   * @example
   * ```ts
   * const tenantKeys: Readonly<Record<string, string>> = {
   *   acme: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
   *   globex: 'arn:aws:kms:eu-west-1:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321',
   * };
   * const provider = new AWSEncryptionSDKProvider({
   *   keys: ({ tenant_id = '' }) => {
   *     // Object.hasOwn: a tenant named `constructor` must not reach Object.prototype.
   *     const key = Object.hasOwn(tenantKeys, tenant_id) ? tenantKeys[tenant_id] : undefined;
   *     return key === undefined ? [] : [key]; // no key: the call is refused, before any KMS call
   *   },
   * });
   * const masker = new DataMasking({ provider });
   * await masker.encrypt(order, { fields: ['card'], context: { tenant_id: 'acme' } }); // under acme's key
   * ```
   */
  keys: readonly string[] | KmsKeysOfContext;
  /** How many data keys the local cache holds. Default 100. */
  localCacheCapacity?: number;
  /** How long a cached data key is used, in seconds. Default 300. */
  maxCacheAgeSeconds?: number;
  /** How many messages one cached data key encrypts. Default 2^32. */
  maxMessagesEncrypted?: number;
  /** How many bytes one cached data key encrypts. Default: the SDK's limit (2^63 - 1). */
  maxBytesEncrypted?: number;
  /**
   * The algorithm suite. Default `ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY` (0x0478): key
   * commitment without the per-message ECDSA signature of the SDK default (0x0578), which costs about
   * 1.3 ms per field to encrypt (measured). Without a signature anyone allowed to decrypt can also
   * produce a valid message; pick 0x0578 where the readers must not be able to write.
   *
   * Only the two committing suites (0x0478, 0x0578) are accepted: the provider runs the SDK with the
   * commitment policy `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`, which can neither write nor read the others. Any
   * other value is refused at construction with `DataMaskingUnsupportedTypeError`.
   */
  algorithm?: AlgorithmSuiteIdentifier;
  /** A KMS client per region (for a configured client: retries, timeouts, endpoint). Default: the SDK's. */
  clientProvider?: KmsClientProvider;
  /** `false` turns data-key caching off: one KMS call per message. Default on. */
  cache?: boolean;
  /**
   * The most encrypted data keys a message to decrypt may carry. Default: the number of `keys`, which is
   * what this provider writes, and which bounds the KMS calls one message can cause. A message with more is
   * refused with `DataMaskingDecryptValueError` before any KMS call. Raise it to read messages written with
   * more keys than this provider has (e.g. by a writer configured with three keys, read with one); it may
   * not be lower than the number of `keys`.
   *
   * With `keys` a function: the default is, per message, the number of keys the function returns for its
   * context, and the function may return at most 10 keys. Set, it is both the limit of every message and
   * the most keys the function may return (more is refused like a context with no key).
   */
  maxEncryptedDataKeys?: number;
  /**
   * The most KMS calls one `DataMasking.encrypt` or `DataMasking.decrypt` call may cause. Default 32. A
   * warm cache makes none; a cold one makes one per encryption context (encrypt) or per distinct data key
   * (decrypt). A request over the limit is refused (`DataMaskingDecryptValueError` on decrypt, 400 in the
   * middleware), so a request full of forged or distinct ciphertexts cannot turn into a KMS bill.
   */
  maxKmsCallsPerRequest?: number;
}

/**
 * The options of one {@link AWSEncryptionSDKProvider.encrypt} or {@link AWSEncryptionSDKProvider.decrypt}
 * call: what `DataMasking` passes as `providerOptions`. Any other key is refused with
 * `DataMaskingUnsupportedTypeError` before any KMS call.
 */
export interface AWSEncryptionSDKProviderCallOptions {
  /**
   * Encrypt: the algorithm suite of this message, instead of the provider's `algorithm` (the Powertools
   * Python way to pick a suite per call). Decrypt: the suite the message must use; a message under another
   * suite is refused with `DataMaskingDecryptValueError` before any KMS call. A committing suite only
   * (0x0478 or 0x0578).
   */
  algorithm?: AlgorithmSuiteIdentifier;
}

const PROVIDER_OPTIONS = [
  'keys',
  'localCacheCapacity',
  'maxCacheAgeSeconds',
  'maxMessagesEncrypted',
  'maxBytesEncrypted',
  'algorithm',
  'clientProvider',
  'cache',
  'maxEncryptedDataKeys',
  'maxKmsCallsPerRequest',
] as const;
const CALL_OPTIONS = ['algorithm'] as const;

/** Checked ciphertexts kept for the decrypt that follows (a request's fields; more are checked again). */
const CHECKED_LIMIT = 256;
/** Larger ciphertexts are decoded again by `decrypt` rather than kept (at most 256 × 16 KB held). */
const CHECKED_MAX_LENGTH = 16 * 1024;

/** KMS calls one `DataMasking` call may cause, by default. */
const DEFAULT_MAX_KMS_CALLS = 32;

const DEFAULT_ALGORITHM = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

const hex = (suite: number) => `0x${suite.toString(16).padStart(4, '0')}`;

/** The suite `value` names, if it is a committing one. */
function committingSuite(value: unknown, where: string): AlgorithmSuiteIdentifier | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !COMMITTING_SUITES.has(value)) {
    throw new DataMaskingUnsupportedTypeError(
      `'algorithm' in ${where} must be a committing algorithm suite: ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY (0x0478) or ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 (0x0578)`,
    );
  }
  return value as AlgorithmSuiteIdentifier;
}

/** Checks the options of one call and returns the suite they name, if any. */
function callAlgorithm(options: unknown): AlgorithmSuiteIdentifier | undefined {
  assertKnownOptions(options, CALL_OPTIONS, 'providerOptions');
  return committingSuite(
    (options as AWSEncryptionSDKProviderCallOptions | undefined)?.algorithm,
    'providerOptions',
  );
}

/**
 * Encrypts and decrypts with the AWS Encryption SDK (strict KMS keyring, committing algorithm suites) and
 * checks, on every decrypt, that the message's encryption context is exactly the expected one.
 *
 * Ciphertexts are standard Encryption SDK messages in base64: Powertools for AWS Lambda (Python and
 * TypeScript) reads ours with the same KMS key, and we read theirs.
 *
 * Every decrypt checks the message before any KMS call: one well-formed message, nothing appended, the
 * expected context in its header, a configured key named, at most `maxEncryptedDataKeys` data keys. A
 * wrong tenant therefore costs no KMS call, and its data key is never decrypted.
 *
 * Data keys are cached per instance (see {@link AWSEncryptionSDKProvider.clearCache}): two providers
 * never share a cache, and nothing is cached at module level.
 *
 * @example
 * ```ts
 * import { DataMasking } from 'middy-data-masking';
 * import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
 *
 * const masker = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: [process.env.KMS_KEY_ARN!] }) });
 * const encrypted = await masker.encrypt(order, { fields: ['card'], context: { tenant_id: 'acme' } });
 * ```
 */
export class AWSEncryptionSDKProvider implements EncryptionProvider {
  readonly #encrypt: ReturnType<typeof buildClient>['encrypt'];
  readonly #decrypt: ReturnType<typeof buildClient>['decrypt'];
  /** With a fixed key list: the materials manager of every call. */
  readonly #materials: HeaderCheckMaterialsManager | undefined;
  /** With `keys` a function: the function, and the pipelines of the key lists it has returned. */
  readonly #keysOf: KmsKeysOfContext | undefined;
  readonly #pipelines: KeyListPipelines | undefined;
  readonly #algorithm: AlgorithmSuiteIdentifier;
  /** The most data keys a message may carry (every message; with a function, a bound for every context). */
  readonly #maxEncryptedDataKeys: number;
  /** `maxEncryptedDataKeys` as given, if given. */
  readonly #maxEncryptedDataKeysOption: number | undefined;
  /** Ciphertexts `assertCiphertext` has just decoded and checked, until `decrypt` takes them. */
  readonly #checked = new Map<
    string,
    {
      bytes: Buffer;
      shape: ReturnType<typeof inspectMessage>;
      /** The message read as one frame when the context was checked (`null`: not one frame). */
      oneFrame?: OneFrameMessage | null;
    }
  >();
  /** This instance's caches (none with `cache: false`): nothing is shared with another provider. */
  readonly #caches: readonly { clear(): void }[];

  /**
   * @throws {DataMaskingUnsupportedTypeError} on an unknown option (naming it), missing or malformed keys,
   * limits, or an algorithm suite without key commitment.
   */
  public constructor(options: AWSEncryptionSDKProviderOptions) {
    assertKnownOptions(options, PROVIDER_OPTIONS, 'AWSEncryptionSDKProvider options');
    const keysOption: unknown = options?.keys;
    const keysOf = typeof keysOption === 'function' ? (keysOption as KmsKeysOfContext) : undefined;
    const fixed = keysOf === undefined ? keysOption : undefined;
    if (keysOf === undefined && !isKeyList(fixed)) {
      throw new DataMaskingUnsupportedTypeError(
        "'keys' must be a non-empty array of KMS key ARNs, or a function of the encryption context that returns them",
      );
    }
    const positive = (name: string, value: number | undefined) => {
      if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
        throw new DataMaskingUnsupportedTypeError(`'${name}' must be a positive number`);
      }
    };
    positive('localCacheCapacity', options.localCacheCapacity);
    positive('maxCacheAgeSeconds', options.maxCacheAgeSeconds);
    positive('maxMessagesEncrypted', options.maxMessagesEncrypted);
    positive('maxBytesEncrypted', options.maxBytesEncrypted);
    const fewest = isKeyList(fixed) ? fixed.length : 1;
    const maxEncryptedDataKeys =
      options.maxEncryptedDataKeys ?? (isKeyList(fixed) ? fixed.length : DEFAULT_MAX_KEYS_PER_CONTEXT);
    if (!Number.isInteger(maxEncryptedDataKeys) || maxEncryptedDataKeys < fewest) {
      throw new DataMaskingUnsupportedTypeError(
        isKeyList(fixed)
          ? `'maxEncryptedDataKeys' must be a whole number, at least the number of keys (${fixed.length}): every message this provider writes carries one encrypted data key per key`
          : "'maxEncryptedDataKeys' must be a whole number, at least 1",
      );
    }
    if (options.cache !== undefined && typeof options.cache !== 'boolean') {
      throw new DataMaskingUnsupportedTypeError("'cache' must be a boolean");
    }
    if (options.clientProvider !== undefined && typeof options.clientProvider !== 'function') {
      throw new DataMaskingUnsupportedTypeError("'clientProvider' must be a function of the region");
    }
    this.#algorithm =
      committingSuite(options.algorithm, 'AWSEncryptionSDKProvider options') ?? DEFAULT_ALGORITHM;
    this.#maxEncryptedDataKeys = maxEncryptedDataKeys;
    this.#maxEncryptedDataKeysOption = options.maxEncryptedDataKeys;
    this.#keysOf = keysOf;

    const maxKmsCalls = options.maxKmsCallsPerRequest ?? DEFAULT_MAX_KMS_CALLS;
    if (!Number.isInteger(maxKmsCalls) || maxKmsCalls < 1) {
      throw new DataMaskingUnsupportedTypeError("'maxKmsCallsPerRequest' must be a whole number, at least 1");
    }
    const base = options.clientProvider ?? cacheKmsClients;
    const clientProvider = ((region: string) => recordingClient(base(region), maxKmsCalls)) as never;
    const keyringOf = (keys: readonly string[]) =>
      new KmsKeyringNode({ generatorKeyId: keys[0], keyIds: keys.slice(1), clientProvider });
    const { encrypt, decrypt } = buildClient({
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      maxEncryptedDataKeys,
    });
    this.#encrypt = encrypt;
    this.#decrypt = decrypt;
    const capacity = options.localCacheCapacity ?? 100;
    const maxAgeMs = (options.maxCacheAgeSeconds ?? 300) * 1000;
    const cache = options.cache === false ? undefined : new ClearableMaterialsCache(capacity);
    const cachingOf = (backingMaterials: KmsKeyringNode | NodeMaterialsManager, partition?: string) => {
      try {
        return new NodeCachingMaterialsManager({
          backingMaterials: backingMaterials as KmsKeyringNode,
          cache: cache as ClearableMaterialsCache,
          maxAge: maxAgeMs,
          maxMessagesEncrypted: options.maxMessagesEncrypted ?? 2 ** 32,
          ...(options.maxBytesEncrypted === undefined
            ? {}
            : { maxBytesEncrypted: options.maxBytesEncrypted }),
          ...(partition === undefined ? {} : { partition }),
        });
      } catch (cause) {
        throw new DataMaskingUnsupportedTypeError("the cache limits are outside the SDK's bounds", { cause });
      }
    };

    if (keysOf !== undefined) {
      // The cache limits are checked now, not at the first call (no key list is known yet).
      if (cache !== undefined) cachingOf(UNUSED_MATERIALS);
      this.#materials = undefined;
      this.#caches = cache === undefined ? [] : [cache];
      this.#pipelines = new KeyListPipelines(capacity, (keys) => {
        const keyring = keyringOf(keys);
        const uncached = new NodeDefaultCryptographicMaterialsManager(keyring);
        if (cache === undefined) return { materials: new HeaderCheckMaterialsManager(uncached, keys) };
        // One cache for every key list, partitioned by the list: the SDK's cache keys start with the
        // partition, so an entry made under one list is never found under another.
        const caching = cachingOf(keyring, `keys:${JSON.stringify(keys)}`);
        const singleFlight = new SingleFlightMaterialsManager(caching, uncached, { capacity, maxAgeMs });
        return { materials: new HeaderCheckMaterialsManager(singleFlight, keys), cache: singleFlight };
      });
      return;
    }

    const keys = fixed as readonly string[];
    this.#pipelines = undefined;
    let keyring: KmsKeyringNode;
    try {
      keyring = keyringOf(keys);
    } catch (cause) {
      throw new DataMaskingUnsupportedTypeError("'keys' must be well-formed KMS key ARNs", { cause });
    }
    const uncached = new NodeDefaultCryptographicMaterialsManager(keyring);
    if (cache === undefined) {
      this.#caches = [];
      this.#materials = new HeaderCheckMaterialsManager(uncached, keys);
      return;
    }
    const caching = cachingOf(keyring);
    const singleFlight = new SingleFlightMaterialsManager(caching, uncached, { capacity, maxAgeMs });
    this.#caches = [singleFlight, cache];
    this.#materials = new HeaderCheckMaterialsManager(singleFlight, keys);
  }

  /**
   * The materials manager of a call under `context`, and the most data keys its message may carry. With
   * `keys` a function, the function is asked first, and its answer checked, before any KMS call.
   */
  async #materialsFor(
    context: Readonly<EncryptionContext>,
    operation: 'encrypt' | 'decrypt',
  ): Promise<{ materials: HeaderCheckMaterialsManager; maxEncryptedDataKeys: number }> {
    if (this.#materials !== undefined) {
      return { materials: this.#materials, maxEncryptedDataKeys: this.#maxEncryptedDataKeys };
    }
    const keysOf = this.#keysOf as KmsKeysOfContext;
    const keys = await resolveKeys(keysOf, context, operation, this.#maxEncryptedDataKeys);
    let materials: HeaderCheckMaterialsManager;
    try {
      materials = (this.#pipelines as KeyListPipelines).get(keys);
    } catch (cause) {
      throw noKeyForContext(operation, context, 'the keys function returned a malformed KMS key ARN', cause);
    }
    return { materials, maxEncryptedDataKeys: this.#maxEncryptedDataKeysOption ?? keys.length };
  }

  /**
   * Zeroes and drops every data key this provider has cached (for encrypting and for decrypting), so the
   * next call asks KMS again: a key disabled or denied since is then seen. The cache belongs to this
   * instance; no other provider shares it, and the KMS test double's `reset()` does not reach it. Tests
   * that need a cold cache create a new provider or call this. Calls in flight are not interrupted.
   */
  public clearCache(): void {
    this.#pipelines?.clear();
    for (const cache of this.#caches) cache.clear();
  }

  /**
   * Encrypts a UTF-8 string into a base64 AWS Encryption SDK message bound to `context`.
   *
   * @param options `providerOptions`: only `algorithm`, the suite of this message.
   * @throws {DataMaskingUnsupportedTypeError} for a context value that is not a string, or an unknown or
   * invalid option (before any KMS call).
   * @throws {DataMaskingEncryptKeyError} when KMS refuses to generate or wrap the data key, or (before any
   * KMS call, HTTP 403) when `keys` is a function that maps `context` to no key.
   * @throws {DataMaskingProviderUnavailableError} when KMS is throttled or unreachable.
   */
  public async encrypt(
    data: string,
    context?: EncryptionContext,
    options?: AWSEncryptionSDKProviderCallOptions,
  ): Promise<string> {
    if (typeof data !== 'string') throw new DataMaskingUnsupportedTypeError('only strings can be encrypted');
    const encryptionContext = validateContext(context);
    const suiteId = callAlgorithm(options) ?? this.#algorithm;
    const { materials, maxEncryptedDataKeys } = await this.#materialsFor(encryptionContext, 'encrypt');
    const plaintext = Buffer.from(data, 'utf8');
    const outcome = await recorded(async () => {
      if (writesOneFrame(suiteId, plaintext.byteLength)) {
        // A field value: the same message, without the SDK's stream pipeline (see one-frame-message).
        const material = await materials.getEncryptionMaterials({
          suite: suiteOf(suiteId),
          encryptionContext: { ...encryptionContext },
          plaintextLength: plaintext.byteLength,
          commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
        });
        if (material.encryptedDataKeys.length > maxEncryptedDataKeys) {
          throw new Error('maxEncryptedDataKeys exceeded.');
        }
        return writeOneFrameMessage(material, plaintext);
      }
      const { result } = await this.#encrypt(materials, plaintext, {
        encryptionContext: { ...encryptionContext },
        suiteId,
      });
      return result;
    });
    plaintext.fill(0);
    if (outcome.result === undefined) throw encryptFailure(outcome.error, outcome.record);
    return outcome.result.toString('base64');
  }

  /**
   * Decrypts a base64 AWS Encryption SDK message and returns its UTF-8 plaintext, only if the message's
   * encryption context is exactly `context` (none given means the message must carry none).
   *
   * Before any KMS call, the value must be standard base64 of exactly one message (nothing after it) of
   * a committing suite with at most `maxEncryptedDataKeys` data keys, its header must carry exactly
   * `context`, and name one of the configured keys. The SDK then authenticates the header and the body.
   *
   * A tampered message is `DataMaskingDecryptValueError` whatever byte was changed, with one exception: a
   * change inside the encryption context section that still parses gives `DataMaskingContextMismatchError`
   * (HTTP 403), decided before any KMS call, because it cannot be told apart from another tenant's
   * message until the data key is decrypted, which the check exists to avoid. A message that names none
   * of the configured keys (another key's message, or an altered key ARN or provider id: they look the
   * same) is `DataMaskingDecryptValueError` too; `DataMaskingDecryptKeyError` means KMS refused a
   * configured key.
   *
   * @param options `providerOptions`: only `algorithm`, the suite the message must use.
   * @throws {DataMaskingContextMismatchError} when the context differs, before any KMS call; no plaintext
   * is returned.
   * @throws {DataMaskingDecryptValueError} when the value is not base64, not one message, tampered or
   * truncated, uses another suite than `options.algorithm`, or names none of the configured keys.
   * @throws {DataMaskingDecryptKeyError} when KMS refuses a configured key (access denied, disabled, not found),
   * or (before any KMS call, HTTP 403) when `keys` is a function that maps `context` to no key.
   * @throws {DataMaskingProviderUnavailableError} when KMS is throttled or unreachable.
   * @throws {DataMaskingUnsupportedTypeError} for a context value that is not a string, or an unknown or
   * invalid option.
   */
  /**
   * Throws `DataMaskingDecryptValueError` unless `data` is the base64 of exactly one well-formed message
   * this provider would try to decrypt. No KMS call: `DataMasking` runs it over every field of a request
   * before decrypting any, so one plaintext among ciphertexts costs no KMS call. With `context` (the
   * field's expected context, its bound path included), a one-frame message whose header context is not
   * exactly it throws `DataMaskingContextMismatchError` here too.
   */
  public assertCiphertext(data: string, context?: EncryptionContext): void {
    const bytes = decodeCiphertext(data);
    const shape = inspectMessage(bytes, this.#maxEncryptedDataKeys);
    let oneFrame: OneFrameMessage | null | undefined;
    if (context !== undefined) {
      // A message of one frame (every field this package encrypts) shows its context without the SDK:
      // one moved from another field or tenant is refused here, before any field of the call reaches KMS.
      // Other messages are checked from their header when decrypted, still before their KMS call.
      oneFrame = readOneFrameMessage(bytes) ?? null;
      if (oneFrame !== null) assertSameContext(oneFrame.encryptionContext, validateContext(context));
    }
    // `DataMasking` decrypts what it has just checked: remember it, so it is decoded and parsed once.
    // Only small messages, and a bounded number of them: a request that stops at its first failure
    // leaves the others here, and an attacker must not be able to make this hold megabytes.
    if (data.length > CHECKED_MAX_LENGTH) return;
    if (this.#checked.size >= CHECKED_LIMIT) this.#checked.clear();
    this.#checked.set(data, { bytes, shape, oneFrame });
  }

  public async decrypt(
    data: string,
    context?: EncryptionContext,
    options?: AWSEncryptionSDKProviderCallOptions,
  ): Promise<string> {
    const expected = validateContext(context);
    const algorithm = callAlgorithm(options);
    const checked = this.#checked.get(data);
    if (checked !== undefined) this.#checked.delete(data);
    const bytes = checked?.bytes ?? decodeCiphertext(data);
    const { suiteId, encryptedDataKeys } =
      checked?.shape ?? inspectMessage(bytes, this.#maxEncryptedDataKeys);
    if (algorithm !== undefined && suiteId !== algorithm) {
      throw new DataMaskingDecryptValueError(
        `the message uses algorithm suite ${hex(suiteId)}, not the required ${hex(algorithm)}`,
      );
    }
    const { materials, maxEncryptedDataKeys } = await this.#materialsFor(expected, 'decrypt');
    if (encryptedDataKeys > maxEncryptedDataKeys) {
      // With `keys` a function, the limit of this context (its number of keys) may be lower than the one
      // `inspectMessage` applied: checked again, still before any KMS call.
      throw new DataMaskingDecryptValueError(
        `the message carries ${encryptedDataKeys} encrypted data keys, more than maxEncryptedDataKeys (${maxEncryptedDataKeys})`,
      );
    }
    const read = checked?.oneFrame;
    const oneFrame = read === undefined ? readOneFrameMessage(bytes) : (read ?? undefined);
    const outcome = await recorded(async () => {
      if (oneFrame === undefined) return this.#decrypt(materials, bytes);
      // A message of one frame (what encrypt writes for a field): read without the SDK's stream pipeline.
      const material = await materials.decryptMaterials({
        suite: suiteOf(oneFrame.suiteId),
        encryptionContext: oneFrame.encryptionContext,
        encryptedDataKeys: oneFrame.encryptedDataKeys,
      });
      return {
        plaintext: decryptOneFrameMessage(oneFrame, material),
        messageHeader: { encryptionContext: oneFrame.encryptionContext },
      };
    }, expected);
    if (outcome.result === undefined) throw decryptFailure(outcome.error, outcome.record);
    const { plaintext, messageHeader } = outcome.result;
    try {
      // Defence in depth: the header was checked before KMS, and is authenticated now.
      assertSameContext(messageHeader.encryptionContext, expected);
    } catch (mismatch) {
      plaintext.fill(0);
      throw mismatch;
    }
    const text = plaintext.toString('utf8');
    plaintext.fill(0);
    return text;
  }
}

const suites = new Map<number, NodeAlgorithmSuite>();

/** The SDK's description of a suite, made once per suite id. */
function suiteOf(id: AlgorithmSuiteIdentifier): NodeAlgorithmSuite {
  let suite = suites.get(id);
  if (suite === undefined) {
    suite = new NodeAlgorithmSuite(id);
    suites.set(id, suite);
  }
  return suite;
}

/** The materials of one key list: its header check, and the single-flight cache to clear (if caching). */
interface Pipeline {
  readonly materials: HeaderCheckMaterialsManager;
  readonly cache?: { clear(): void };
}

/**
 * The materials managers of the key lists a `keys` function has returned, one per list (keyring, caching
 * manager with its own single flight and decrypt cache, header check naming exactly that list), the least
 * recently used dropped (and its cache cleared) beyond `capacity` lists. Two contexts with the same list
 * share its managers, their cache entries still apart by context; two lists never share anything but the
 * SDK cache, in which each has its own partition.
 */
class KeyListPipelines {
  readonly #capacity: number;
  readonly #build: (keys: readonly string[]) => Pipeline;
  readonly #pipelines = new Map<string, Pipeline>();

  public constructor(capacity: number, build: (keys: readonly string[]) => Pipeline) {
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#build = build;
  }

  /** The managers of `keys` (built on first use: the keyring checks the ARNs, and may throw). */
  public get(keys: readonly string[]): HeaderCheckMaterialsManager {
    const id = JSON.stringify(keys);
    let pipeline = this.#pipelines.get(id);
    if (pipeline !== undefined) {
      this.#pipelines.delete(id);
    } else {
      pipeline = this.#build(keys);
    }
    this.#pipelines.set(id, pipeline); // most recently used last
    while (this.#pipelines.size > this.#capacity) {
      const [oldest, evicted] = this.#pipelines.entries().next().value as [string, Pipeline];
      this.#pipelines.delete(oldest);
      evicted.cache?.clear();
    }
    return pipeline.materials;
  }

  /** Zeroes and drops the data keys every list's single flight holds (the lists stay). */
  public clear(): void {
    for (const pipeline of this.#pipelines.values()) pipeline.cache?.clear();
  }
}

/** A materials manager never called: the backing of the caching manager built only to check the limits. */
const UNUSED_MATERIALS: NodeMaterialsManager = {
  getEncryptionMaterials: () => Promise.reject(new Error('not used')),
  decryptMaterials: () => Promise.reject(new Error('not used')),
} as unknown as NodeMaterialsManager;
