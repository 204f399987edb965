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
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  NodeDefaultCryptographicMaterialsManager,
} from '@aws-crypto/client-node';
import { DataMaskingDecryptValueError, DataMaskingUnsupportedTypeError } from '../../errors.js';
import { assertSameContext, validateContext } from '../context.js';
import type { EncryptionContext, EncryptionProvider } from '../encryption-provider.js';
import { decryptFailure, encryptFailure } from './classify.js';
import { recorded, recordingClient } from './fault-recorder.js';
import { SingleFlightMaterialsManager } from './single-flight-materials-manager.js';

/** Returns a KMS client for a region, as the Encryption SDK's `clientProvider` does. */
export type KmsClientProvider = (region: string) => unknown;

/** Options of {@link AWSEncryptionSDKProvider}. */
export interface AWSEncryptionSDKProviderOptions {
  /** KMS key ARNs: the first generates each data key, the others wrap it too (each alone can decrypt). */
  keys: readonly string[];
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
   */
  algorithm?: AlgorithmSuiteIdentifier;
  /** A KMS client per region (for a configured client: retries, timeouts, endpoint). Default: the SDK's. */
  clientProvider?: KmsClientProvider;
  /** `false` turns data-key caching off: one KMS call per message. Default on. */
  cache?: boolean;
  /** The most encrypted data keys a message to decrypt may carry (a bound on KMS calls). Default 10. */
  maxEncryptedDataKeys?: number;
}

const DEFAULT_ALGORITHM = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Encrypts and decrypts with the AWS Encryption SDK (strict KMS keyring, committing algorithm suites) and
 * checks, on every decrypt, that the message's encryption context is exactly the expected one.
 *
 * Ciphertexts are standard Encryption SDK messages in base64: Powertools for AWS Lambda (Python and
 * TypeScript) reads ours with the same KMS key, and we read theirs.
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
  readonly #materials: SingleFlightMaterialsManager | KmsKeyringNode;
  readonly #algorithm: AlgorithmSuiteIdentifier;

  /** @throws {DataMaskingUnsupportedTypeError} on missing or malformed keys or limits. */
  public constructor(options: AWSEncryptionSDKProviderOptions) {
    const keys = options?.keys;
    if (
      !Array.isArray(keys) ||
      keys.length === 0 ||
      !keys.every((k) => typeof k === 'string' && k.startsWith('arn:'))
    ) {
      throw new DataMaskingUnsupportedTypeError("'keys' must be a non-empty array of KMS key ARNs");
    }
    const positive = (name: string, value: number | undefined) => {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new DataMaskingUnsupportedTypeError(`'${name}' must be a positive number`);
      }
    };
    positive('localCacheCapacity', options.localCacheCapacity);
    positive('maxCacheAgeSeconds', options.maxCacheAgeSeconds);
    positive('maxMessagesEncrypted', options.maxMessagesEncrypted);
    positive('maxBytesEncrypted', options.maxBytesEncrypted);
    positive('maxEncryptedDataKeys', options.maxEncryptedDataKeys);

    const base = options.clientProvider ?? cacheKmsClients;
    let keyring: KmsKeyringNode;
    try {
      keyring = new KmsKeyringNode({
        generatorKeyId: keys[0],
        keyIds: keys.slice(1),
        clientProvider: ((region: string) => recordingClient(base(region))) as never,
      });
    } catch (cause) {
      throw new DataMaskingUnsupportedTypeError("'keys' must be well-formed KMS key ARNs", { cause });
    }
    const { encrypt, decrypt } = buildClient({
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      maxEncryptedDataKeys: Math.max(options.maxEncryptedDataKeys ?? 10, keys.length),
    });
    this.#encrypt = encrypt;
    this.#decrypt = decrypt;
    this.#algorithm = options.algorithm ?? DEFAULT_ALGORITHM;
    this.#materials =
      options.cache === false
        ? keyring
        : new SingleFlightMaterialsManager(
            new NodeCachingMaterialsManager({
              backingMaterials: keyring,
              cache: getLocalCryptographicMaterialsCache(options.localCacheCapacity ?? 100),
              maxAge: (options.maxCacheAgeSeconds ?? 300) * 1000,
              maxMessagesEncrypted: options.maxMessagesEncrypted ?? 2 ** 32,
              ...(options.maxBytesEncrypted === undefined
                ? {}
                : { maxBytesEncrypted: options.maxBytesEncrypted }),
            }),
            new NodeDefaultCryptographicMaterialsManager(keyring),
            keys,
            {
              capacity: options.localCacheCapacity ?? 100,
              maxAgeMs: (options.maxCacheAgeSeconds ?? 300) * 1000,
            },
          );
  }

  /**
   * Encrypts a UTF-8 string into a base64 AWS Encryption SDK message bound to `context`.
   *
   * @throws {DataMaskingUnsupportedTypeError} for a context value that is not a string (before any KMS call).
   * @throws {DataMaskingEncryptKeyError} when KMS refuses to generate or wrap the data key.
   * @throws {DataMaskingProviderUnavailableError} when KMS is throttled or unreachable.
   */
  public async encrypt(data: string, context?: EncryptionContext): Promise<string> {
    if (typeof data !== 'string') throw new DataMaskingUnsupportedTypeError('only strings can be encrypted');
    const encryptionContext = validateContext(context);
    const outcome = await recorded(() =>
      this.#encrypt(this.#materials, Buffer.from(data, 'utf8'), {
        encryptionContext: { ...encryptionContext },
        suiteId: this.#algorithm,
      }),
    );
    if (outcome.result === undefined) throw encryptFailure(outcome.error, outcome.record);
    return outcome.result.result.toString('base64');
  }

  /**
   * Decrypts a base64 AWS Encryption SDK message and returns its UTF-8 plaintext, only if the message's
   * encryption context is exactly `context` (none given means the message must carry none).
   *
   * @throws {DataMaskingContextMismatchError} when the context differs; no plaintext is returned.
   * @throws {DataMaskingDecryptValueError} when the value is not base64, not a message, tampered or truncated.
   * @throws {DataMaskingDecryptKeyError} when no configured key can decrypt it.
   * @throws {DataMaskingProviderUnavailableError} when KMS is throttled or unreachable.
   */
  public async decrypt(data: string, context?: EncryptionContext): Promise<string> {
    const expected = validateContext(context);
    if (typeof data !== 'string' || data.length === 0 || !BASE64.test(data)) {
      throw new DataMaskingDecryptValueError('the value is not a base64 ciphertext');
    }
    const outcome = await recorded(() => this.#decrypt(this.#materials, Buffer.from(data, 'base64')));
    if (outcome.result === undefined) throw decryptFailure(outcome.error, outcome.record);
    const { plaintext, messageHeader } = outcome.result;
    try {
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
