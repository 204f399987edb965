/**
 * `TokenKey`: a 512-bit AES-SIV key, kept wrapped by KMS until first use (SPEC §10).
 *
 * @module
 */
import { inspect } from 'node:util';
import { DecryptCommand } from '@aws-sdk/client-kms';
import { isWellFormed } from '../crypto/well-formed.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingTokenKeyNotReadyError,
  DataMaskingUnsupportedTypeError,
} from '../errors.js';
import { assertKnownOptions } from '../options.js';
import { AesSiv, type SivSealer } from './aes-siv.js';
import { TOKEN_CODEC, type TokenCodec } from './token-codec.js';
import { formatToken, isTokenVersion, type ParsedToken, parseToken } from './token-format.js';
import { kmsFailure, regionalClient } from './token-kms.js';
import { leafJson, leafOfJson } from './token-value.js';

/** A token key as `createTokenKey` returns it and a deployment stores it: JSON-safe, the key wrapped by KMS. */
export interface TokenKeyDescriptor {
  /** The 512-bit key encrypted by KMS under `context`, base64 (a KMS `CiphertextBlob`). */
  readonly wrapped: string;
  /** The KMS key that wrapped it: an ARN (its region picks the KMS endpoint), a key id or an alias. */
  readonly kmsKeyId: string;
  /** The version its tokens carry (`tok_<version>_…`): 1–32 letters and digits. */
  readonly version: string;
  /**
   * The KMS encryption context the key is wrapped under, and the associated data of every token: one key
   * under `{ tenant_id: 'acme' }` and the same key under `{ tenant_id: 'globex' }` give unrelated tokens.
   */
  readonly context: Readonly<Record<string, string>>;
}

/** A KMS client, or anything that answers `send(new DecryptCommand(…))` as one does. */
export interface TokenKmsClient {
  send(command: DecryptCommand): Promise<{ Plaintext?: Uint8Array }>;
}

/** Options of the {@link TokenKey} constructor. */
export interface TokenKeyOptions {
  /** The KMS client to unwrap with. Default: one client per region, from the key ARN's region (else the environment's). */
  client?: TokenKmsClient;
}

/** Bytes of a token key: AES-SIV with AES-256 in both halves (SPEC §10). */
export const TOKEN_KEY_BYTES = 64;

/** Strict UTF-8: a token's plaintext that is not is not one `tokenize` made. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const DESCRIPTOR_KEYS = ['wrapped', 'kmsKeyId', 'version', 'context'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/**
 * The associated data of a key's tokens: its context as one string, JSON of the `[key, value]` pairs sorted
 * by key (unambiguous whatever the keys and values hold, and independent of their order, as in KMS).
 */
export function contextAssociatedData(context: Readonly<Record<string, string>>): Uint8Array {
  const pairs = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

/** Checks a descriptor's fields, naming what is wrong but never a value. */
export function checkDescriptor(descriptor: unknown, where: string): TokenKeyDescriptor {
  assertKnownOptions(descriptor, DESCRIPTOR_KEYS, where);
  if (descriptor === undefined) throw new DataMaskingUnsupportedTypeError(`${where} is required`);
  const d = descriptor as Record<string, unknown>;
  if (typeof d.wrapped !== 'string' || !BASE64.test(d.wrapped)) {
    throw new DataMaskingUnsupportedTypeError(`'wrapped' of ${where} must be the base64 of a KMS ciphertext`);
  }
  checkKeyId(d.kmsKeyId, where);
  if (!isTokenVersion(d.version)) {
    throw new DataMaskingUnsupportedTypeError(`'version' of ${where} must be 1 to 32 letters and digits`);
  }
  return {
    wrapped: d.wrapped,
    kmsKeyId: d.kmsKeyId as string,
    version: d.version,
    context: checkContext(d.context, where),
  };
}

export function checkKeyId(kmsKeyId: unknown, where: string): asserts kmsKeyId is string {
  if (typeof kmsKeyId !== 'string' || kmsKeyId.length === 0 || kmsKeyId.length > 2048) {
    throw new DataMaskingUnsupportedTypeError(`'kmsKeyId' of ${where} must be a KMS key ARN, id or alias`);
  }
}

/** A frozen copy of a context: a plain object of string values (keys may not be empty). */
export function checkContext(context: unknown, where: string): Readonly<Record<string, string>> {
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new DataMaskingUnsupportedTypeError(`'context' of ${where} must be an object of strings`);
  }
  const copy: Record<string, string> = {};
  for (const key of Reflect.ownKeys(context)) {
    const value = (context as Record<string | symbol, unknown>)[key];
    if (
      typeof key !== 'string' ||
      key === '' ||
      typeof value !== 'string' ||
      !isWellFormed(key) ||
      !isWellFormed(value)
    ) {
      throw new DataMaskingUnsupportedTypeError(
        `'context' of ${where} must be an object of strings (${typeof key === 'string' ? JSON.stringify(key) : 'a symbol key'} is not)`,
      );
    }
    // Defined, not assigned: an own `__proto__` key (JSON.parse makes one) would hit the setter and vanish.
    Object.defineProperty(copy, key, { value, enumerable: true });
  }
  return Object.freeze(copy);
}

/**
 * A token key: deterministic, authenticated, reversible pseudonyms (`tok_<version>_<base64url>`) of JSON
 * values, AES-SIV (RFC 5297) with a 512-bit key under the key's context as associated data.
 *
 * Built from what `createTokenKey` returned (or the CLI printed). The key is unwrapped by one KMS
 * `Decrypt` under its context on first use or `await key.ready()`, shared by concurrent first uses, and
 * then lives only in this object's private fields: it never appears in `JSON.stringify`, `inspect`,
 * errors or logs. A failed unwrap is not remembered: the next use tries again.
 *
 * @example
 * ```ts
 * import { TokenKey } from 'middy-data-masking/tokens';
 *
 * const key = new TokenKey(JSON.parse(process.env.TOKEN_KEY ?? ''));
 * await key.ready(); // at cold start, so synchronous erase can tokenize
 * masker.erase(order, { fields: ['customer.email'], maskingRules: { 'customer.email': { tokenize: key } } });
 * ```
 */
export class TokenKey {
  /** The KMS key that wraps this key. */
  public readonly kmsKeyId: string;
  /** The version its tokens carry. */
  public readonly version: string;
  /** The KMS encryption context, and the associated data of every token. */
  public readonly context: Readonly<Record<string, string>>;
  readonly #wrapped: Uint8Array;
  readonly #client: TokenKmsClient | undefined;
  #sealer: SivSealer | undefined;
  #unwrapping: Promise<void> | undefined;

  /**
   * @param descriptor `{ wrapped, kmsKeyId, version, context }`, as `createTokenKey` returns it.
   * @throws {DataMaskingUnsupportedTypeError} on an unknown option or a malformed field (no KMS call is made).
   */
  public constructor(descriptor: TokenKeyDescriptor, options: TokenKeyOptions = {}) {
    const d = checkDescriptor(descriptor, 'TokenKey');
    assertKnownOptions(options, ['client'], 'TokenKey options');
    const client = options.client;
    if (client !== undefined && typeof (client as { send?: unknown } | null)?.send !== 'function') {
      throw new DataMaskingUnsupportedTypeError("'client' of TokenKey options must be a KMS client");
    }
    this.kmsKeyId = d.kmsKeyId;
    this.version = d.version;
    this.context = d.context;
    this.#wrapped = Buffer.from(d.wrapped, 'base64');
    this.#client = client;
    const self = this;
    const codec: TokenCodec = {
      get version() {
        return self.version;
      },
      get isReady() {
        return self.isReady;
      },
      ready: () => this.ready(),
      tokenize: (value) => this.tokenize(value),
      detokenize: (token) => this.detokenize(token),
      open: (parsed) => this.#open(parsed),
    };
    Object.defineProperty(this, TOKEN_CODEC, { value: Object.freeze(codec) });
  }

  /** Whether the key is unwrapped, so that synchronous tokenizing works. */
  public get isReady(): boolean {
    return this.#sealer !== undefined;
  }

  /**
   * Unwraps the key: one KMS `Decrypt` under the key's context, shared by concurrent callers; resolves at
   * once when the key is ready.
   *
   * @throws {DataMaskingDecryptKeyError} when KMS refuses (access denied, key disabled, another context,
   * a wrapped key that is not 512 bits).
   * @throws {DataMaskingProviderUnavailableError} when KMS is throttled or unreachable.
   */
  public async ready(): Promise<this> {
    if (this.#sealer === undefined) {
      this.#unwrapping ??= this.#unwrap().finally(() => {
        this.#unwrapping = undefined;
      });
      await this.#unwrapping;
    }
    return this;
  }

  /**
   * The token of a value: its JSON text encrypted, so `detokenize` gives back the same type. Deterministic:
   * the same value under the same key and context always gives the same token. (The `{ tokenize: key }`
   * rule keeps `null` and `undefined` and never calls this for them; called directly, `null` gives the
   * token of JSON `null`.)
   *
   * @throws {DataMaskingTokenKeyNotReadyError} before `await key.ready()`.
   * @throws {DataMaskingUnsupportedTypeError} for `undefined`, which has no JSON text.
   */
  public tokenize(value: unknown): string {
    const sealer = this.#sealer;
    if (sealer === undefined) throw new DataMaskingTokenKeyNotReadyError(this.version);
    if (value === undefined)
      throw new DataMaskingUnsupportedTypeError('undefined has no token: it has no JSON text');
    return formatToken(this.version, sealer.seal(Buffer.from(leafJson(value), 'utf8')));
  }

  /**
   * The value of one token of this key.
   *
   * @throws {DataMaskingDecryptValueError} (400) when the token is malformed or has another version.
   * @throws {DataMaskingContextMismatchError} (403) when it does not authenticate: made by another key,
   * under another context, or altered — indistinguishable by design. Never a wrong value.
   * @throws {DataMaskingTokenKeyNotReadyError} before `await key.ready()`.
   */
  public detokenize(token: string): unknown {
    const parsed = typeof token === 'string' ? parseToken(token) : undefined;
    if (parsed === undefined) throw new DataMaskingDecryptValueError('the value is not a well-formed token');
    return this.#open(parsed);
  }

  /** The value of a parsed token: its version checked, then authenticated, then read as JSON. */
  #open(parsed: ParsedToken): unknown {
    if (parsed.version !== this.version) {
      throw new DataMaskingDecryptValueError("no given token key has the token's version");
    }
    const sealer = this.#sealer;
    if (sealer === undefined) throw new DataMaskingTokenKeyNotReadyError(this.version);
    const plaintext = sealer.open(parsed.sealed);
    if (plaintext === undefined) {
      throw new DataMaskingContextMismatchError([], {
        message:
          'the token does not authenticate under the key of its version (another key or context, or altered)',
      });
    }
    try {
      return leafOfJson(UTF8.decode(plaintext));
    } catch {
      // Authentic, yet not a JSON text: made with this key by something else than tokenize.
      throw new DataMaskingDecryptValueError('the token does not hold a JSON value');
    } finally {
      plaintext.fill(0);
    }
  }

  /** What JSON shows of a key: where it lives and what it is bound to, never the key or its wrapped form. */
  public toJSON(): { kmsKeyId: string; version: string; context: Readonly<Record<string, string>> } {
    return { kmsKeyId: this.kmsKeyId, version: this.version, context: this.context };
  }

  /** What `console.log` and `util.inspect` show: the same as `toJSON`, and whether it is ready. */
  public [inspect.custom](): string {
    return `TokenKey ${inspect({ ...this.toJSON(), ready: this.isReady })}`;
  }

  async #unwrap(): Promise<void> {
    const client = this.#client ?? regionalClient(this.kmsKeyId);
    let plaintext: Uint8Array | undefined;
    try {
      const out = await client.send(
        new DecryptCommand({
          CiphertextBlob: this.#wrapped,
          KeyId: this.kmsKeyId,
          EncryptionContext: { ...this.context },
        }),
      );
      plaintext = out.Plaintext;
    } catch (error) {
      throw kmsFailure(
        error,
        'Decrypt',
        (message, options) => new DataMaskingDecryptKeyError(message, options),
        'unwrap the token key',
      );
    }
    try {
      if (plaintext === undefined || plaintext.length !== TOKEN_KEY_BYTES) {
        throw new DataMaskingDecryptKeyError('the wrapped token key is not a 512-bit key');
      }
      this.#sealer ??= new AesSiv(plaintext).bind([contextAssociatedData(this.context)]);
    } finally {
      plaintext?.fill(0);
    }
  }
}
