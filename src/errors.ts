/**
 * The typed errors of middy-data-masking. Every class has a stable `name` (safe to match on across
 * bundlers and realms), keeps the original failure as `cause`, and never carries plaintext, data keys or
 * ciphertext bodies in its message.
 *
 * Every error also carries its HTTP view, as `@middy/http-error-handler` reads it: `statusCode` (403 for a
 * context mismatch or no context for the caller, 400 for a bad ciphertext, 503 for an unavailable KMS, 500
 * otherwise), `expose` (whether the message may be shown to the client: only for those whose messages name
 * at most context keys or fault kinds, never values) and, for a 503, a `Retry-After` header.
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
  /**
   * The HTTP status `@middy/http-error-handler` answers with: 500 unless a subclass says otherwise (403, 400,
   * 503).
   */
  public readonly statusCode: number = 500;
  /**
   * Whether `@middy/http-error-handler` may answer with this error's `message` (and keep its `statusCode`):
   * `false` here, so a 500 answers with a generic body.
   */
  public readonly expose: boolean = false;

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
    // Powertools' text, so tests written against it keep passing.
    super(`Field not found: '${expression}'`, options);
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

/** Options of {@link DataMaskingContextMismatchError}. */
export interface DataMaskingContextMismatchErrorOptions extends DataMaskingErrorOptions {
  /**
   * The message, when the default one (naming the mismatched keys) does not fit: no context could be built
   * for the caller, say. It is shown to HTTP clients, so it must never hold a value.
   */
  message?: string;
}

/**
 * The encryption context of a message is not exactly the expected one (a key missing, extra or
 * different, or a context on one side only), or no context can be built for the caller (a missing claim or
 * tenant). No plaintext is returned. Maps to HTTP 403, exposed: the message names at most context keys.
 */
export class DataMaskingContextMismatchError extends DataMaskingEncryptionError {
  public override readonly statusCode = 403;
  public override readonly expose = true;
  /** Names of the context keys that differ; never their values' plaintext. */
  public readonly mismatchedKeys: readonly string[];

  public constructor(mismatchedKeys: readonly string[], options?: DataMaskingContextMismatchErrorOptions) {
    super(options?.message ?? mismatchMessage(mismatchedKeys), options);
    this.name = 'DataMaskingContextMismatchError';
    this.mismatchedKeys = mismatchedKeys;
  }
}

/**
 * A value to decrypt is not a ciphertext: not base64, not an AWS Encryption SDK message, tampered,
 * truncated, or plaintext sent where a ciphertext was expected. Maps to HTTP 400, exposed: the message
 * says what is wrong with the value, never what it holds.
 */
export class DataMaskingDecryptValueError extends DataMaskingEncryptionError {
  public override readonly statusCode = 400;
  public override readonly expose = true;

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

/**
 * KMS is throttled or unreachable after the SDK's own retries; the caller may retry later. Maps to HTTP 503
 * with `Retry-After`, exposed (the message names KMS operations and fault kinds, never data; the middleware
 * answers HTTP clients with a generic `Service Unavailable` and keeps this error as the `cause`).
 */
export class DataMaskingProviderUnavailableError extends DataMaskingEncryptionError {
  /**
   * The `Retry-After` the 503 carries, in seconds: 1. The SDK has already retried with backoff, and KMS
   * request quotas are per second, so a retry one second later meets a fresh quota.
   */
  public static readonly retryAfterSeconds = 1;

  public override readonly statusCode = 503;
  public override readonly expose = true;
  /** The headers of the 503: `Retry-After` (seconds, {@link retryAfterSeconds}). */
  public readonly headers: Readonly<Record<string, string>> = {
    'Retry-After': String(DataMaskingProviderUnavailableError.retryAfterSeconds),
  };
  /** Always `true`: the same call may succeed later. */
  public readonly retryable = true as const;

  public constructor(message: string, options?: DataMaskingErrorOptions) {
    super(message, options);
    this.name = 'DataMaskingProviderUnavailableError';
  }
}

/**
 * A `TokenKey` was used synchronously (`erase` with a `{ tokenize: key }` rule, `key.tokenize`) before it
 * was unwrapped. `await key.ready()` once, at cold start, before the first synchronous use; the
 * middleware, the batch surfaces and the pseudonymization handlers await it themselves. HTTP 500, not
 * exposed: it is a mistake in the function, not in the request.
 */
export class DataMaskingTokenKeyNotReadyError extends DataMaskingError {
  public constructor(version: string, options?: DataMaskingErrorOptions) {
    super(
      `the token key (version ${version}) is not ready: await key.ready() before erasing or tokenizing synchronously`,
      options,
    );
    this.name = 'DataMaskingTokenKeyNotReadyError';
  }
}

/**
 * Powertools' text (`Encryption context mismatch for key 'tenant_id'`), then every mismatched key when
 * there are several.
 */
function mismatchMessage(keys: readonly string[]): string {
  if (keys.length === 0) return 'Encryption context mismatch';
  const quoted = keys.map((k) => `'${k}'`);
  const first = `Encryption context mismatch for key ${quoted[0]}`;
  return keys.length === 1 ? first : `${first} (mismatched keys: ${quoted.join(', ')})`;
}
