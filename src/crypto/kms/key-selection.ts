/**
 * Which KMS keys protect a message: a fixed list, or a function of the encryption context (SPEC §12, a
 * tenant-to-key map: bring your own key per tenant).
 *
 * A function is called with the user's context (a frozen copy, the binding keys the library adds removed:
 * see `userContextOf` in `../binding.ts`), on every encrypt and decrypt, before any KMS call. What it
 * returns is checked as a fixed list is checked at construction. A context it maps to no key (an empty
 * list, a throw, anything but a list of key ARNs) fails closed with `DataMaskingEncryptKeyError` /
 * `DataMaskingDecryptKeyError`, whose message names at most the context's keys, never its values.
 *
 * This module loads no part of the Encryption SDK.
 *
 * @module
 */
import { DataMaskingDecryptKeyError, DataMaskingEncryptKeyError } from '../../errors.js';
import { userContextOf } from '../binding.js';
import type { EncryptionContext } from '../encryption-provider.js';

/**
 * The KMS keys of one encryption context: the first generates each data key, the others wrap it too. Called
 * with the user's context (frozen; without the keys `bind` adds), on every encrypt and decrypt, before any
 * KMS call; sync or async. Return an empty list for a context that has no key: the call is refused.
 */
export type KmsKeysOfContext = (
  context: Readonly<EncryptionContext>,
) => readonly string[] | Promise<readonly string[]>;

/** The message every "no key" error starts with; it never carries a context value. */
export const NO_KEY_FOR_CONTEXT = 'no KMS key for this encryption context';

/**
 * A function with at most this many keys per context, unless `maxEncryptedDataKeys` says otherwise: each
 * key is a KMS call per data key, and a message carries one encrypted data key per key.
 */
export const DEFAULT_MAX_KEYS_PER_CONTEXT = 10;

/** Whether `value` is a fixed key list as the provider accepts it: non-empty, every entry an ARN. */
export function isKeyList(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((k) => typeof k === 'string' && k.length > 0 && k.startsWith('arn:'))
  );
}

/**
 * A context mapped to no KMS key, on encrypt. `DataMaskingEncryptKeyError` (its `name` too); HTTP 403 and
 * exposed, as for any context that cannot be served to the caller: the message names context keys only.
 */
export class NoKeyForContextEncryptError extends DataMaskingEncryptKeyError {
  public override readonly statusCode = 403;
  public override readonly expose = true;
}

/** A context mapped to no KMS key, on decrypt: `DataMaskingDecryptKeyError`, HTTP 403, exposed. */
export class NoKeyForContextDecryptError extends DataMaskingDecryptKeyError {
  public override readonly statusCode = 403;
  public override readonly expose = true;
}

/** The error of a context mapped to no key: names the context's keys (sorted), never a value. */
export function noKeyForContext(
  operation: 'encrypt' | 'decrypt',
  context: Readonly<EncryptionContext>,
  reason: string,
  cause?: unknown,
): DataMaskingEncryptKeyError | DataMaskingDecryptKeyError {
  const names = Object.keys(context).sort();
  const keys =
    names.length === 0
      ? 'an empty context'
      : `context keys ${names.map((k) => JSON.stringify(k)).join(', ')}`;
  const message = `${NO_KEY_FOR_CONTEXT} (${keys}): ${reason}`;
  const options = cause === undefined ? undefined : { cause };
  return operation === 'encrypt'
    ? new NoKeyForContextEncryptError(message, options)
    : new NoKeyForContextDecryptError(message, options);
}

/**
 * Calls `keysOf` with the user's part of `context` and returns a frozen copy of the list it gives, checked.
 * Nothing reaches KMS before it returns.
 *
 * @param maxKeys the most keys a context may have
 * @throws {DataMaskingEncryptKeyError | DataMaskingDecryptKeyError} (by `operation`) when the function
 * throws (its error is the `cause`), or returns an empty list, anything but a list of KMS key ARNs, or
 * more than `maxKeys` keys.
 */
export async function resolveKeys(
  keysOf: KmsKeysOfContext,
  context: Readonly<EncryptionContext>,
  operation: 'encrypt' | 'decrypt',
  maxKeys: number,
): Promise<readonly string[]> {
  const user = userContextOf(context);
  const seen = Object.isFrozen(user) ? user : Object.freeze({ ...user });
  let result: unknown;
  try {
    result = await keysOf(seen);
  } catch (cause) {
    throw noKeyForContext(operation, seen, 'the keys function failed', cause);
  }
  // A copy: the function's owner may change the array it returned while this call is in flight.
  const keys: unknown[] | undefined = Array.isArray(result) ? [...result] : undefined;
  if (keys === undefined) {
    throw noKeyForContext(operation, seen, 'the keys function did not return a list of KMS key ARNs');
  }
  if (keys.length === 0) throw noKeyForContext(operation, seen, 'the keys function returned no key');
  if (!isKeyList(keys)) {
    throw noKeyForContext(operation, seen, 'the keys function did not return a list of KMS key ARNs');
  }
  if (keys.length > maxKeys) {
    throw noKeyForContext(
      operation,
      seen,
      `the keys function returned ${keys.length} keys, more than maxEncryptedDataKeys (${maxKeys})`,
    );
  }
  return Object.freeze(keys);
}
