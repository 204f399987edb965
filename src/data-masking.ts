/**
 * `DataMasking`: the Powertools data-masking API, so a migration is a change of import.
 *
 * @module
 */
import {
  assertUserContext,
  type Binding,
  type BindOptions,
  checkBinding,
  exactPath,
  fieldContext,
  missingRecord,
  openRecord,
  recordDigest,
  sealRecord,
  unboundRecord,
} from './crypto/binding.js';
import { validateContext } from './crypto/context.js';
import type { EncryptionContext, EncryptionProvider } from './crypto/encryption-provider.js';
import { selectTargets, transformTargets } from './crypto/field-crypto.js';
import { withKmsBudget } from './crypto/kms-budget.js';
import type { Detector } from './detectors/detector.js';
import { compileEraser, type EraseOptions, type Eraser } from './erase/eraser.js';
import { parseJson } from './erase/lossless-json.js';
import { Opener, type OpenMode } from './erase/opener.js';
import { eraseOptionsKey } from './erase/options-key.js';
import type { TokenKeyLike } from './erase/rule.js';
import {
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
  DataMaskingUnsupportedTypeError,
} from './errors.js';
import { assertKnownOptions } from './options.js';
import { MaskingPolicy } from './policy/masking-policy.js';
import { type CompiledSelector, compileSelector } from './selector/selector.js';
import { detokenizeDeep, readyKeyring, tokenKeyring } from './tokens/detokenize.js';

/** Options of the {@link DataMasking} constructor. */
export interface DataMaskingOptions {
  /** The encryption backend for `encrypt` and `decrypt`, such as `AWSEncryptionSDKProvider`; not needed to erase. */
  provider?: EncryptionProvider;
  /**
   * Whether an expression that selects nothing throws `DataMaskingFieldNotFoundError` (default `true`,
   * as in Powertools). When `false`, it is skipped with a warning, once per expression and call:
   * `Field not found: '<expression>'` (Powertools' text).
   */
  throwOnMissingField?: boolean;
  /**
   * Where that warning goes: anything with `warn(message)`, such as a Powertools Logger (whose entries a
   * `MaskingLogFormatter` masks). Default: `console.warn`, as in Powertools.
   */
  logger?: { warn: (message: string) => void };
}

/** Options of {@link DataMasking.encrypt} and {@link DataMasking.decrypt}. */
export interface CryptoOptions {
  /** Field expressions to encrypt or decrypt; without them the whole payload is one message. */
  fields?: readonly string[];
  /** The encryption context: string values, bound to each ciphertext and checked exactly on decrypt. */
  context?: EncryptionContext;
  /** Passed to the provider's `encrypt`/`decrypt` as is (the Powertools escape hatch); `AWSEncryptionSDKProvider` takes none. */
  providerOptions?: Record<string, unknown>;
  /**
   * Bind each field's ciphertext to its place (SPEC §12; off by default, as in Powertools): `path` adds the
   * field's path to its encryption context, `record` seals the record id inside it. Decrypt with the same
   * `bind`. Needs `fields`.
   */
  bind?: BindOptions;
}

/** What `erase` returns without options: SPEC §4.1. */
export type MaskedPayload<T> = T extends null | undefined
  ? T
  : T extends readonly unknown[]
    ? string[]
    : string;

/** Options of {@link DataMasking.detokenize}. */
export interface DetokenizeOptions {
  /** The `TokenKey` that made the tokens, or several (for rotation): each token is reversed by the key of its version. */
  key: TokenKeyLike | readonly TokenKeyLike[];
  /** Field expressions to reverse tokens in; without them, every string of the data is searched. */
  fields?: readonly string[];
}

const CACHE_LIMIT = 256;
const CONSTRUCTOR_OPTIONS = ['provider', 'throwOnMissingField', 'logger'];
const CRYPTO_OPTIONS = ['fields', 'context', 'providerOptions', 'bind'];

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
  readonly #logger: { warn: (message: string) => void } | undefined;
  readonly #selectors = new Map<string, CompiledSelector>();
  readonly #openers = new Map<string, Opener>();
  readonly #erasers = new Map<string, Eraser>();
  readonly #policies = new WeakMap<MaskingPolicy, Eraser>();
  #whole: Eraser | undefined;

  public constructor(options: DataMaskingOptions = {}) {
    assertKnownOptions(options, CONSTRUCTOR_OPTIONS, 'the DataMasking options');
    this.#provider = options.provider;
    this.#throwOnMissingField = options.throwOnMissingField ?? true;
    const { logger } = options;
    if (logger !== undefined && (logger === null || typeof logger.warn !== 'function')) {
      throw new DataMaskingUnsupportedTypeError("'logger' must have a warn(message) method");
    }
    this.#logger = logger;
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
    const logger = overrides.logger ?? this.#logger;
    return new DataMasking({
      provider: overrides.provider ?? this.#provider,
      throwOnMissingField: overrides.throwOnMissingField ?? this.#throwOnMissingField,
      ...(logger === undefined ? {} : { logger }),
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
  public erase<T>(data: T, options: EraseOptions | MaskingPolicy): T;
  public erase(data: unknown, options?: EraseOptions | MaskingPolicy): unknown {
    return this.compileErase(options)(data);
  }

  /**
   * Compiles erase options once and returns the function that applies them, for hot paths: the
   * expressions are parsed and the rules checked now, not per call.
   *
   * @throws {DataMaskingInvalidSelectorError} for an expression that does not parse.
   */
  public compileErase(): <T>(data: T) => MaskedPayload<T>;
  public compileErase(options: EraseOptions | MaskingPolicy): Eraser;
  public compileErase(options?: EraseOptions | MaskingPolicy): Eraser | (<T>(data: T) => MaskedPayload<T>);
  public compileErase(options?: EraseOptions | MaskingPolicy): Eraser | (<T>(data: T) => MaskedPayload<T>) {
    if (options === undefined) {
      this.#whole ??= this.#compile(undefined);
      return this.#whole;
    }
    if (options instanceof MaskingPolicy) {
      // A policy's options are frozen: its identity is its content. Compiled with this masker's settings.
      let eraser = this.#policies.get(options);
      if (eraser === undefined) {
        eraser = this.#compile(options.options, options.requestSecrets);
        this.#policies.set(options, eraser);
      }
      return eraser;
    }
    // Keyed by content, not identity: a field pushed to the same options object is never missed (SPEC §4.6).
    const key = eraseOptionsKey(options);
    if (key === undefined) return this.#compile(options);
    let eraser = this.#erasers.get(key);
    if (eraser === undefined) {
      eraser = this.#compile(options);
      if (this.#erasers.size >= CACHE_LIMIT) this.#erasers.clear();
      this.#erasers.set(key, eraser);
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
  public encrypt<T>(data: T, options: CryptoOptions & { fields: readonly string[] }): Promise<T>;
  /** Encrypts `data`; without `fields` the result is one base64 ciphertext string. */
  public encrypt<T>(data: T, options?: CryptoOptions): Promise<T | string>;
  public async encrypt<T>(data: T, options: CryptoOptions = {}): Promise<T | string> {
    assertKnownOptions(options, CRYPTO_OPTIONS, 'the encrypt options');
    const provider = this.#requireProvider();
    // As Powertools calls the provider: the context as given (a checked copy), `undefined` when none.
    const context = options.context === undefined ? undefined : validateContext(options.context);
    const binding = bindingOf(options, 'the encrypt options');
    assertUserContext(context);
    const { providerOptions } = options;
    const encryptText = (text: string, ctx = context) =>
      providerOptions === undefined
        ? provider.encrypt(text, ctx)
        : provider.encrypt(text, ctx, providerOptions);
    if (options.fields === undefined) return withKmsBudget(() => encryptText(serialize(data)));
    return this.#onFields(data, options.fields, 'erase', (targets, root) => {
      // Every value serialized before the first KMS call: one that JSON cannot hold fails the call whole.
      // A present but undefined value has nothing to protect: it stays as it is (as in Powertools).
      const texts = targets.map((loc) => (loc.value === undefined ? undefined : serialize(loc.value)));
      const contexts = targets.map((loc) => fieldContext(context, binding, loc));
      // A document with nothing to encrypt (an error response without the fields) needs no record id.
      if (binding?.record !== undefined && texts.some((text) => text !== undefined)) {
        const digest = recordDigest(binding.record, root, unboundRecord(binding.record.expression));
        assertIdNotEncrypted(binding.record, root, targets);
        targets.forEach((loc, i) => {
          const text = texts[i];
          if (text !== undefined) texts[i] = sealRecord(text, exactPath(loc), digest);
        });
      }
      return (value, i) => {
        const text = texts[i];
        return text === undefined ? Promise.resolve(value) : encryptText(text, contexts[i]);
      };
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
  public async decrypt<T>(data: T | string, options: CryptoOptions = {}): Promise<T> {
    assertKnownOptions(options, CRYPTO_OPTIONS, 'the decrypt options');
    const provider = this.#requireProvider();
    // As Powertools calls the provider: the context as given (a checked copy), `undefined` when none.
    const context = options.context === undefined ? undefined : validateContext(options.context);
    const binding = bindingOf(options, 'the decrypt options');
    assertUserContext(context);
    const { providerOptions } = options;
    const decryptText = (value: unknown, ctx = context) =>
      providerOptions === undefined
        ? provider.decrypt(value as string, ctx)
        : provider.decrypt(value as string, ctx, providerOptions);
    if (options.fields === undefined) {
      if (typeof data !== 'string')
        throw new DataMaskingDecryptValueError('the payload to decrypt is not a ciphertext string');
      return withKmsBudget(async () => parsePlaintext(await decryptText(data))) as Promise<T>;
    }
    return this.#onFields(data, options.fields, 'decrypt', (targets, root) => {
      const contexts = targets.map((loc) => fieldContext(context, binding, loc));
      targets.forEach((loc, i) => {
        if (loc.value === undefined) return; // nothing there to decrypt, and nothing a plaintext can hide in
        if (typeof loc.value !== 'string' || loc.value.length === 0) {
          throw new DataMaskingDecryptValueError(
            `the value at ${loc.keys().join('.') || '$'} is not a ciphertext string`,
          );
        }
        // Every field checked before any is decrypted: one plaintext among ciphertexts, or a ciphertext
        // bound to another field, costs no KMS call.
        provider.assertCiphertext?.(loc.value, contexts[i]);
      });
      const record = binding?.record;
      // Nothing to decrypt, nothing to check against the record: a GET without the fields needs no id.
      const anything = targets.some((loc) => loc.value !== undefined);
      const digest =
        record === undefined || !anything
          ? undefined
          : recordDigest(record, root, missingRecord(record.expression));
      return async (value, i) => {
        if (value === undefined) return value;
        const plaintext = await decryptText(value, contexts[i]);
        return digest === undefined
          ? parsePlaintext(plaintext)
          : openRecord(plaintext, exactPath(targets[i]), digest);
      };
    }) as Promise<T>;
  }

  /**
   * Reverses tokens made by a `{ tokenize: key }` rule (`middy-data-masking/tokens`): every token found
   * by its tag (`tok_<version>_…`) in every string, or only in what `fields` select. A string that is one
   * token becomes its value, with its type (`42` comes back a number); a token inside free text is
   * replaced by the value's string form. The keys are unwrapped first (one KMS call each, the first time).
   * Never a wrong or partial value: the first token that does not reverse fails the call.
   *
   * @throws {DataMaskingDecryptValueError} (400) for a malformed token, or one whose version no key has.
   * @throws {DataMaskingContextMismatchError} (403) for a token that does not authenticate: another key or
   * context, or altered.
   * @throws {DataMaskingFieldNotFoundError} when an expression selects nothing and `throwOnMissingField` is on.
   */
  public async detokenize<T>(data: T, options: DetokenizeOptions): Promise<T> {
    assertKnownOptions(options, ['key', 'fields'], 'the detokenize options');
    const ring = tokenKeyring(options?.key, 'the detokenize options');
    if (options.fields !== undefined) {
      // Checked (and compiled) before the keys are unwrapped: a bad option costs no KMS call.
      if (!Array.isArray(options.fields))
        throw new DataMaskingUnsupportedTypeError("'fields' must be an array of field expressions");
      for (const field of options.fields) this.#selector(field);
    }
    await readyKeyring(ring);
    if (options.fields === undefined) return detokenizeDeep(data, ring) as T;
    return this.#onFields(
      data,
      options.fields,
      'erase',
      () => async (value) => detokenizeDeep(value, ring),
    ) as Promise<T>;
  }

  /**
   * Opens what the expressions must look into (JSON strings, base64 and compressed bodies, class
   * instances; in `decrypt` mode refusing anything a plaintext could hide behind), resolves the targets,
   * lets `prepare` check them all before any KMS call, transforms them and closes what was opened: a
   * JSON string in gives a JSON string out.
   */
  async #onFields(
    data: unknown,
    fields: readonly string[],
    mode: OpenMode,
    prepare: (
      targets: ReturnType<typeof selectTargets>,
      root: unknown,
    ) => (value: unknown, index: number) => Promise<unknown>,
  ): Promise<unknown> {
    if (!Array.isArray(fields))
      throw new DataMaskingUnsupportedTypeError("'fields' must be an array of field expressions");
    const selectors = fields.map((f) => this.#selector(f));
    const opener = this.#opener(selectors, mode);
    const opened = opener.open(data);
    const targets = selectTargets(opened.working, selectors, this.#throwOnMissingField, this.#onMissing());
    const transform = prepare(targets, opened.working);
    const result = await withKmsBudget(() => transformTargets(opened.working, targets, transform));
    return opener.close(result, opened);
  }

  #opener(selectors: readonly CompiledSelector[], mode: OpenMode): Opener {
    const key = `${mode}\u0000${selectors.map((s) => s.expression).join('\u0000')}`;
    let opener = this.#openers.get(key);
    if (opener === undefined) {
      opener = new Opener(selectors, { mode });
      if (this.#openers.size >= CACHE_LIMIT) this.#openers.clear();
      this.#openers.set(key, opener);
    }
    return opener;
  }

  #requireProvider(): EncryptionProvider {
    if (this.#provider === undefined) {
      throw new DataMaskingEncryptionError('Encryption provider is required for encrypt/decrypt operations');
    }
    return this.#provider;
  }

  #compile(options: EraseOptions | undefined, requestSecrets?: () => Detector | undefined): Eraser {
    return compileEraser(options, {
      requestSecrets,
      throwOnMissingField: this.#throwOnMissingField,
      onMissing: this.#onMissing(),
      compile: (expression) => this.#selector(expression),
    });
  }

  /** Powertools warns once per expression skipped with `throwOnMissingField: false`; a quiet masker does not. */
  #onMissing(): ((expression: string) => void) | undefined {
    if (quiet.has(this)) return undefined;
    const logger = this.#logger;
    if (logger === undefined) return warnMissing;
    return (expression) => logger.warn(`Field not found: '${expression}'`);
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

const warnMissing = (expression: string): void => console.warn(`Field not found: '${expression}'`);

/** Maskers that skip missing fields without a warning: those the middleware and the logger use inside. */
const quiet = new WeakSet<DataMasking>();

/**
 * @internal A masker that skips missing fields silently: events, responses and log entries vary, and a
 * warning per request would flood the logs.
 */
export function quietMasker(masker: DataMasking): DataMasking {
  quiet.add(masker);
  return masker;
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

/** The checked `bind` of crypto options: only with `fields`. */
function bindingOf(options: CryptoOptions, where: string): Binding | undefined {
  const binding = checkBinding(options.bind, where);
  if (binding !== undefined && options.fields === undefined) {
    throw new DataMaskingUnsupportedTypeError("'bind' binds fields: it needs 'fields'");
  }
  return binding;
}

/**
 * Refuses to encrypt the record id, anything inside it, or anything containing it under record binding:
 * decrypt would read the id with ciphertexts in it, and no field of the record could ever be checked again.
 */
function assertIdNotEncrypted(
  record: CompiledSelector,
  root: unknown,
  targets: readonly { keys(): (string | number)[] }[],
): void {
  const encrypted = targets.map((t) => t.keys());
  const isPrefix = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
    a.length <= b.length && a.every((k, i) => k === b[i]);
  record.forEach(root, (loc) => {
    const id = loc.keys();
    if (encrypted.some((keys) => isPrefix(keys, id) || isPrefix(id, keys))) {
      throw new DataMaskingUnsupportedTypeError(
        `the record id ${record.expression} overlaps an encrypted field: the record could not be checked`,
      );
    }
  });
}

function parsePlaintext(text: string): unknown {
  try {
    // Lossless: an encrypted 12345678901234567890 comes back exact (as a raw JSON number).
    return parseJson(text);
  } catch {
    // No cause: V8's SyntaxError quotes the text, and the text is the plaintext (SPEC §4.7).
    throw new DataMaskingDecryptValueError('the decrypted value is not JSON');
  }
}
