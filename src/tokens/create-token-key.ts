/**
 * `createTokenKey`: a new token key, generated and wrapped by KMS in one call (SPEC §10).
 *
 * @module
 */
import { GenerateDataKeyWithoutPlaintextCommand } from '@aws-sdk/client-kms';
import { DataMaskingEncryptKeyError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { assertKnownOptions } from '../options.js';
import { isTokenVersion } from './token-format.js';
import { checkContext, checkKeyId, TOKEN_KEY_BYTES, type TokenKeyDescriptor } from './token-key.js';
import { kmsFailure, regionalClient } from './token-kms.js';

/** A KMS client, or anything that answers `send(new GenerateDataKeyWithoutPlaintextCommand(…))` as one does. */
export interface TokenKeyGeneratingClient {
  send(
    command: GenerateDataKeyWithoutPlaintextCommand,
  ): Promise<{ CiphertextBlob?: Uint8Array; KeyId?: string }>;
}

/** Options of {@link createTokenKey}. */
export interface CreateTokenKeyOptions {
  /** The KMS key to wrap the new key with: an ARN, a key id or an alias. */
  kmsKeyId: string;
  /** The encryption context the key is wrapped under and its tokens are bound to, e.g. `{ tenant_id: 'acme' }`. */
  context: Readonly<Record<string, string>>;
  /** The version its tokens carry: 1–32 letters and digits. Default `'1'`. */
  version?: string;
  /** The KMS client to call. Default: a client for the ARN's region (else the environment's). */
  client?: TokenKeyGeneratingClient;
}

const OPTIONS = ['kmsKeyId', 'context', 'version', 'client'];

/**
 * Generates a token key: one KMS `GenerateDataKeyWithoutPlaintext` call makes a random 512-bit key and
 * returns it wrapped under `context`, so its plaintext never leaves KMS here. Returns the JSON-safe
 * descriptor to store (an environment variable, a parameter) and give to `new TokenKey(…)`.
 *
 * @throws {DataMaskingUnsupportedTypeError} on an unknown option or a malformed one, before any KMS call.
 * @throws {DataMaskingEncryptKeyError} when KMS refuses (access denied, key disabled or not found).
 * @throws {DataMaskingProviderUnavailableError} when KMS is throttled or unreachable.
 *
 * @example
 * ```ts
 * import { createTokenKey } from 'middy-data-masking/tokens';
 *
 * const descriptor = await createTokenKey({ kmsKeyId: keyArn, context: { tenant_id: 'acme', purpose: 'analytics' } });
 * // { wrapped: 'AQIDAHh…', kmsKeyId: 'arn:aws:kms:…', version: '1', context: { tenant_id: 'acme', purpose: 'analytics' } }
 * ```
 */
export async function createTokenKey(options: CreateTokenKeyOptions): Promise<TokenKeyDescriptor> {
  assertKnownOptions(options, OPTIONS, 'createTokenKey options');
  if (options === undefined)
    throw new DataMaskingUnsupportedTypeError('createTokenKey needs { kmsKeyId, context }');
  checkKeyId(options.kmsKeyId, 'createTokenKey options');
  const context = checkContext(options.context, 'createTokenKey options');
  const version = options.version ?? '1';
  if (!isTokenVersion(version)) {
    throw new DataMaskingUnsupportedTypeError(
      "'version' of createTokenKey options must be 1 to 32 letters and digits",
    );
  }
  const client = options.client ?? regionalClient(options.kmsKeyId);
  if (typeof (client as { send?: unknown } | null)?.send !== 'function') {
    throw new DataMaskingUnsupportedTypeError("'client' of createTokenKey options must be a KMS client");
  }
  let out: { CiphertextBlob?: Uint8Array; KeyId?: string };
  try {
    out = await client.send(
      new GenerateDataKeyWithoutPlaintextCommand({
        KeyId: options.kmsKeyId,
        NumberOfBytes: TOKEN_KEY_BYTES,
        EncryptionContext: { ...context },
      }),
    );
  } catch (error) {
    throw kmsFailure(
      error,
      'GenerateDataKeyWithoutPlaintext',
      (message, opts) => new DataMaskingEncryptKeyError(message, opts),
      'generate the token key',
    );
  }
  if (out.CiphertextBlob === undefined || out.CiphertextBlob.length === 0) {
    throw new DataMaskingEncryptKeyError('KMS returned no wrapped token key');
  }
  return {
    wrapped: Buffer.from(out.CiphertextBlob).toString('base64'),
    // The ARN KMS answers with: an alias given here resolves to the key it names today.
    kmsKeyId: out.KeyId ?? options.kmsKeyId,
    version,
    context,
  };
}
