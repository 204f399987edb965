/**
 * `DataMasking`: the Powertools data-masking API, so a migration is a change of import.
 *
 * @module
 */
import { validateContext } from './crypto/context.js';
import type { EncryptionContext, EncryptionProvider } from './crypto/encryption-provider.js';
import { selectTargets, transformTargets } from './crypto/field-crypto.js';
import { compileEraser, type EraseOptions, type Eraser } from './erase/eraser.js';
import {
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
  DataMaskingUnsupportedTypeError,
} from './errors.js';
import { type CompiledSelector, compileSelector } from './selector/selector.js';
import { isContainer } from './selector/values.js';

/** Options of the {@link DataMasking} constructor. */
export interface DataMaskingOptions {
  /** The encryption backend for `encrypt` and `decrypt`, such as `AWSEncryptionSDKProvider`; not needed to erase. */
  provider?: EncryptionProvider;
  /**
   * Whether an expression that selects nothing throws `DataMaskingFieldNotFoundError` (default `true`,
   * as in Powertools). When `false`, it is skipped.
   */
  throwOnMissingField?: boolean;
}

/** Options of {@link DataMasking.encrypt} and {@link DataMasking.decrypt}. */
export interface CryptoOptions {
  /** Field expressions to encrypt or decrypt; without them the whole payload is one message. */
  fields?: readonly string[];
  /** The encryption context: string values, bound to each ciphertext and checked exactly on decrypt. */
  context?: EncryptionContext;
  /** Passed to the provider's `encrypt`/`decrypt` as is (the Powertools escape hatch); `AWSEncryptionSDKProvider` takes none. */
  providerOptions?: Record<string, unknown>;
}

/** What `erase` returns without options: SPEC §4.1. */
export type MaskedPayload<T> = T extends null | undefined
  ? T
  : T extends readonly unknown[]
    ? string[]
    : string;

const CACHE_LIMIT = 256;

/**
 * Erases sensitive fields of a payload, never mutating it: the result shares every unmasked subtree
 * with the input and copies only the containers on the way to a masked field.
 *
 * @example
 * ```ts
 * import { DataMasking } from 'middy-data-masking';
 *
 * const masker = new DataMasking();
 * masker.erase({ name: 'Jane', card: '4111 1111 1111 1111' }, { fields: ['card'] });
 * // { name: 'Jane', card: '*****' }
 * ```
 */
export class DataMasking {
  readonly #provider: EncryptionProvider | undefined;
  readonly #throwOnMissingField: boolean;
  readonly #selectors = new Map<string, CompiledSelector>();
  readonly #erasers = new WeakMap<object, Eraser>();
  #whole: Eraser | undefined;

  public constructor(options: DataMaskingOptions = {}) {
    this.#provider = options.provider;
    this.#throwOnMissingField = options.throwOnMissingField ?? true;
  }

  /** Whether an encryption provider is configured (`encrypt` and `decrypt` need one). */
  public get hasProvider(): boolean {
    return this.#provider !== undefined;
  }

  /**
   * A masker with the same provider and some options changed: the middleware uses it to skip missing
   * fields (events and responses vary) without changing the caller's masker.
   */
  public withOptions(overrides: DataMaskingOptions): DataMasking {
    return new DataMasking({
      provider: overrides.provider ?? this.#provider,
      throwOnMissingField: overrides.throwOnMissingField ?? this.#throwOnMissingField,
    });
  }

  /**
   * Irreversibly masks `data`. Without options: `null` and `undefined` are returned as they are, an
   * array becomes an array of `'*****'` of the same length, anything else becomes `'*****'`.
   */
  public erase<T>(data: T): MaskedPayload<T>;
  /**
   * Irreversibly masks the nodes that `fields` and `maskingRules` select (and what `detectors` find in
   * strings). A JSON string in gives a JSON string out. The input is never mutated.
   *
   * @throws {DataMaskingInvalidSelectorError} for an expression that does not parse.
   * @throws {DataMaskingFieldNotFoundError} for an expression that selects nothing, when `throwOnMissingField` is on.
   */
  public erase<T>(data: T, options: EraseOptions): T;
  public erase(data: unknown, options?: EraseOptions): unknown {
    return this.compileErase(options)(data);
  }

  /**
   * Compiles erase options once and returns the function that applies them, for hot paths: the
   * expressions are parsed and the rules checked now, not per call.
   *
   * @throws {DataMaskingInvalidSelectorError} for an expression that does not parse.
   */
  public compileErase(options?: EraseOptions): Eraser {
    if (options === undefined) {
      this.#whole ??= this.#compile(undefined);
      return this.#whole;
    }
    let eraser = this.#erasers.get(options);
    if (eraser === undefined) {
      eraser = this.#compile(options);
      this.#erasers.set(options, eraser);
    }
    return eraser;
  }

  /**
   * Encrypts `data` with the provider. Without `fields`, the whole payload is JSON-serialized and becomes
   * one base64 ciphertext. With `fields`, each selected value is JSON-serialized and replaced by its
   * ciphertext, all concurrently; the input is never mutated. A JSON string in gives a JSON string out.
   *
   * @throws {DataMaskingUnsupportedTypeError} for a non-string context value, before any KMS call.
   * @throws {DataMaskingFieldNotFoundError} for an expression that selects nothing (when on), before any KMS call.
   * @throws {DataMaskingEncryptionError} (a subclass) when the provider fails.
   */
  public async encrypt<T>(data: T, options: CryptoOptions = {}): Promise<T | string> {
    const provider = this.#requireProvider();
    const context = validateContext(options.context);
    const encryptValue = (value: unknown) =>
      provider.encrypt(serialize(value), context, options.providerOptions);
    if (options.fields === undefined) return encryptValue(data);
    return this.#onFields(data, options.fields, (targets) => {
      for (const loc of targets) serialize(loc.value);
      return (value) => (value === undefined ? Promise.resolve(value) : encryptValue(value));
    }) as Promise<T | string>;
  }

  /**
   * Decrypts what `encrypt` produced. Without `fields`, `data` must be one ciphertext string and its parsed
   * value is returned. With `fields`, each selected value must be a ciphertext string — plaintext there is
   * refused, so a caller cannot skip the context check by sending it — and is replaced by its parsed value.
   *
   * @throws {DataMaskingDecryptValueError} for a selected value that is not a ciphertext, before any KMS call.
   * @throws {DataMaskingContextMismatchError} when a message's context is not exactly `context`.
   * @throws {DataMaskingEncryptionError} (a subclass) for any other decryption failure.
   */
  public async decrypt<T = unknown>(data: unknown, options: CryptoOptions = {}): Promise<T> {
    const provider = this.#requireProvider();
    const context = validateContext(options.context);
    const decryptValue = async (value: unknown) =>
      parsePlaintext(await provider.decrypt(value as string, context, options.providerOptions));
    if (options.fields === undefined) {
      if (typeof data !== 'string')
        throw new DataMaskingDecryptValueError('the payload to decrypt is not a ciphertext string');
      return decryptValue(data) as Promise<T>;
    }
    return this.#onFields(data, options.fields, (targets) => {
      for (const loc of targets) {
        if (typeof loc.value !== 'string' || loc.value.length === 0) {
          throw new DataMaskingDecryptValueError(
            `the value at ${loc.keys().join('.') || '$'} is not a ciphertext string`,
          );
        }
      }
      return decryptValue;
    }) as Promise<T>;
  }

  /** Resolves the targets, lets `prepare` check them all, then transforms them; string in, string out. */
  async #onFields(
    data: unknown,
    fields: readonly string[],
    prepare: (targets: ReturnType<typeof selectTargets>) => (value: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    if (!Array.isArray(fields))
      throw new DataMaskingUnsupportedTypeError("'fields' must be an array of field expressions");
    const selectors = fields.map((f) => this.#selector(f));
    const json = typeof data === 'string' ? parseJsonContainer(data) : undefined;
    const input = json ?? data;
    const targets = selectTargets(input, selectors, this.#throwOnMissingField);
    const transform = prepare(targets);
    const result = await transformTargets(input, targets, transform);
    return json === undefined ? result : JSON.stringify(result);
  }

  #requireProvider(): EncryptionProvider {
    if (this.#provider === undefined) {
      throw new DataMaskingEncryptionError('an encryption provider is required to encrypt or decrypt');
    }
    return this.#provider;
  }

  #compile(options: EraseOptions | undefined): Eraser {
    return compileEraser(options, {
      throwOnMissingField: this.#throwOnMissingField,
      compile: (expression) => this.#selector(expression),
    });
  }

  #selector(expression: string): CompiledSelector {
    let selector = this.#selectors.get(expression);
    if (selector === undefined) {
      selector = compileSelector(expression);
      if (this.#selectors.size >= CACHE_LIMIT) this.#selectors.clear();
      this.#selectors.set(expression, selector);
    }
    return selector;
  }
}

/** JSON text of a value to encrypt; values JSON cannot hold are refused, not silently dropped. */
function serialize(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new DataMaskingUnsupportedTypeError('a value to encrypt cannot be serialized to JSON', { cause });
  }
  if (json === undefined)
    throw new DataMaskingUnsupportedTypeError(`a value of type ${typeof value} cannot be encrypted`);
  return json;
}

function parsePlaintext(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DataMaskingDecryptValueError('the decrypted value is not JSON', { cause });
  }
}

function parseJsonContainer(text: string): unknown {
  const first = text.trimStart().charAt(0);
  if (first !== '{' && first !== '[') return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return isContainer(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
