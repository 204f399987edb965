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
   * checks every field of a request with it before decrypting any.
   */
  assertCiphertext?(data: string): void;
}
