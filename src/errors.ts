/**
 * The typed errors of middy-data-masking. Every class has a stable `name` (safe to match on across
 * bundlers and realms), keeps the original failure as `cause`, and never carries plaintext, data keys or
 * ciphertext bodies in its message.
 *
 * @module
 */

/** Options common to every {@link DataMaskingError}. */
export interface DataMaskingErrorOptions {
  /** The failure this error wraps. */
  cause?: unknown;
}

/** Base class of every error this library throws. */
export class DataMaskingError extends Error {
  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DataMaskingError';
  }
}

/**
 * A field expression does not parse, or is not well-typed under RFC 9535. Thrown when a masker,
 * middleware or formatter is configured, never at request time.
 */
export class DataMaskingInvalidSelectorError extends DataMaskingError {
  /** The expression as the caller wrote it. */
  public readonly expression: string;
  /** Zero-based offset into {@link expression} where parsing failed. */
  public readonly position: number;
  /** What the parser expected or refused, without the data. */
  public readonly reason: string;

  public constructor(
    expression: string,
    position: number,
    reason: string,
    options?: DataMaskingErrorOptions,
  ) {
    super(
      `Invalid field expression ${JSON.stringify(expression)} at position ${position}: ${reason}`,
      options,
    );
    this.name = 'DataMaskingInvalidSelectorError';
    this.expression = expression;
    this.position = position;
    this.reason = reason;
  }
}

/** A field expression selected nothing while `throwOnMissingField` is on. */
export class DataMaskingFieldNotFoundError extends DataMaskingError {
  /** The expression that selected nothing. */
  public readonly expression: string;

  public constructor(expression: string, options?: DataMaskingErrorOptions) {
    super(`Field not found: ${JSON.stringify(expression)} selected nothing`, options);
    this.name = 'DataMaskingFieldNotFoundError';
    this.expression = expression;
  }
}

/**
 * A value cannot be processed: a non-string encryption-context value, data nested deeper than the
 * library walks, a value that cannot be serialized, a malformed JSON string input.
 */
export class DataMaskingUnsupportedTypeError extends DataMaskingError {
  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options);
    this.name = 'DataMaskingUnsupportedTypeError';
  }
}

/** Base of every encrypt or decrypt failure (the Powertools TypeScript class of the same name). */
export class DataMaskingEncryptionError extends DataMaskingError {
  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options);
    this.name = 'DataMaskingEncryptionError';
  }
}

/**
 * The encryption context of a message is not exactly the expected one (a key missing, extra or
 * different, or a context on one side only). No plaintext is returned. Maps to HTTP 403.
 */
export class DataMaskingContextMismatchError extends DataMaskingEncryptionError {
  /** Names of the context keys that differ; never their values' plaintext. */
  public readonly mismatchedKeys: readonly string[];

  public constructor(mismatchedKeys: readonly string[], options?: DataMaskingErrorOptions) {
    super(
      `Encryption context mismatch on key(s): ${mismatchedKeys.map((k) => JSON.stringify(k)).join(', ') || '(none)'}`,
      options,
    );
    this.name = 'DataMaskingContextMismatchError';
    this.mismatchedKeys = mismatchedKeys;
  }
}

/**
 * A value to decrypt is not a ciphertext: not base64, not an AWS Encryption SDK message, tampered,
 * truncated, or plaintext sent where a ciphertext was expected. Maps to HTTP 400.
 */
export class DataMaskingDecryptValueError extends DataMaskingEncryptionError {
  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options);
    this.name = 'DataMaskingDecryptValueError';
  }
}

/** No configured key can decrypt the message: KMS access denied, key disabled or not found. */
export class DataMaskingDecryptKeyError extends DataMaskingEncryptionError {
  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options);
    this.name = 'DataMaskingDecryptKeyError';
  }
}

/** KMS refuses to generate or wrap a data key. */
export class DataMaskingEncryptKeyError extends DataMaskingEncryptionError {
  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options);
    this.name = 'DataMaskingEncryptKeyError';
  }
}

/** KMS is throttled or unreachable after the SDK's own retries; the caller may retry later. */
export class DataMaskingProviderUnavailableError extends DataMaskingEncryptionError {
  /** Always `true`: the same call may succeed later. */
  public readonly retryable = true as const;

  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options);
    this.name = 'DataMaskingProviderUnavailableError';
  }
}
