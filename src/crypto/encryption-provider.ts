/**
 * The contract between `DataMasking` and an encryption backend (the Powertools TypeScript interface).
 *
 * @module
 */

/** An encryption context: non-secret key-value pairs bound to a ciphertext (KMS and the SDK use it as AAD). */
export type EncryptionContext = Record<string, string>;

/** A pluggable encryption backend, such as `AWSEncryptionSDKProvider`. */
export interface EncryptionProvider {
  /** Encrypts a UTF-8 string under `context`; returns base64 text. `options` is `providerOptions`, as given. */
  encrypt(data: string, context?: EncryptionContext, options?: Record<string, unknown>): Promise<string>;
  /**
   * Decrypts base64 text; must refuse (with `DataMaskingContextMismatchError`) a message whose context is
   * not exactly `context`.
   */
  decrypt(data: string, context?: EncryptionContext, options?: Record<string, unknown>): Promise<string>;
  /**
   * Optional: throws unless `data` is a well-formed ciphertext, without any remote call. `DataMasking`
   * checks every field of a request with it before decrypting any. With `context` (the field's expected
   * context, its bound path included), a provider that can read the context from the header without a
   * remote call should also refuse a mismatch here (`DataMaskingContextMismatchError`), so a ciphertext
   * moved from another field costs no KMS call.
   */
  assertCiphertext?(data: string, context?: EncryptionContext): void;
}
