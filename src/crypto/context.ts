/**
 * Encryption contexts: what a caller may pass, and the exact comparison that decides whether a message
 * belongs to the caller.
 *
 * @module
 */
import { DataMaskingContextMismatchError, DataMaskingUnsupportedTypeError } from '../errors.js';
import type { EncryptionContext } from './encryption-provider.js';
import { isWellFormed } from './well-formed.js';

/** The key the Encryption SDK adds to the context of signed messages; it is not the caller's. */
export const SDK_PUBLIC_KEY = 'aws-crypto-public-key';

/**
 * Checks a caller's context before any KMS call: a plain object of string values. Returns a frozen copy
 * so a caller cannot change it while an operation is in flight.
 *
 * @throws {DataMaskingUnsupportedTypeError} naming the offending key (never its value).
 */
export function validateContext(context: unknown): Readonly<EncryptionContext> {
  if (context === undefined || context === null) return Object.freeze({});
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new DataMaskingUnsupportedTypeError('the encryption context must be an object of string values');
  }
  const copy: EncryptionContext = {};
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== 'string') {
      throw new DataMaskingUnsupportedTypeError(
        `encryption context value for key ${JSON.stringify(key)} must be a string, got ${value === null ? 'null' : typeof value}`,
      );
    }
    // A lone surrogate is written to the header as U+FFFD: the message would never match its own context
    // again, and two contexts would share one header.
    if (!isWellFormed(key) || !isWellFormed(value)) {
      throw new DataMaskingUnsupportedTypeError(
        'encryption context keys and values must be well-formed Unicode (no lone surrogate)',
      );
    }
    if (key === SDK_PUBLIC_KEY || key.startsWith('aws-crypto-')) {
      throw new DataMaskingUnsupportedTypeError(
        `encryption context key ${JSON.stringify(key)} is reserved by the AWS Encryption SDK`,
      );
    }
    Object.defineProperty(copy, key, { value, enumerable: true });
  }
  return Object.freeze(copy);
}

/**
 * The exact context check (the Python Powertools behaviour): the message's context, minus the SDK's own
 * public key, must have the same keys with the same values as the expected one.
 *
 * @throws {DataMaskingContextMismatchError} naming the keys that differ, never their values.
 */
export function assertSameContext(
  actual: Readonly<Record<string, string>>,
  expected: Readonly<EncryptionContext>,
): void {
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  keys.delete(SDK_PUBLIC_KEY);
  const mismatched: string[] = [];
  for (const key of keys) {
    const inActual = Object.hasOwn(actual, key);
    if (inActual !== Object.hasOwn(expected, key) || (inActual && actual[key] !== expected[key]))
      mismatched.push(key);
  }
  if (mismatched.length > 0) throw new DataMaskingContextMismatchError(mismatched.sort());
}
