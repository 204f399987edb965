/**
 * Field and record binding (SPEC §12): a field ciphertext bound to where it lives, so it cannot be moved
 * to another field or another record of the same tenant and still decrypt there (the substitution attack
 * the AWS Database Encryption SDK signs items against).
 *
 * - **Path**: the field's normalized path, array indices written `[*]`, joins the field's encryption
 *   context under {@link PATH_CONTEXT_KEY}. The provider checks the header's context before any KMS call,
 *   and a KMS key policy can grant decryption per field (`kms:EncryptionContext:middy-data-masking.path`).
 *   `[*]`: the number of distinct contexts (and data keys) is bounded by the configuration, not the data.
 * - **Record**: the record id (SHA-256 of its JSON text) and the field's exact path are sealed inside the
 *   authenticated plaintext, in an envelope (`{ "middy-data-masking": "bound/1", path, record, value }`):
 *   never in the header, so ids stay out of CloudTrail, and no KMS call per record.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { parseJson } from '../erase/lossless-json.js';
import { DataMaskingContextMismatchError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { assertKnownOptions } from '../options.js';
import type { Location } from '../selector/compile.js';
import { normalizedPath } from '../selector/normalized-path.js';
import { type CompiledSelector, compileSelector } from '../selector/selector.js';
import type { EncryptionContext } from './encryption-provider.js';
import { isWellFormed } from './well-formed.js';

/** Options of `bind` on field-level `encrypt` and `decrypt` (and the middleware's and batch's crypto options). */
export interface BindOptions {
  /**
   * Bind each ciphertext to its field: the field's normalized path (array indices as `[*]`) joins its
   * encryption context under `middy-data-masking.path`. A ciphertext moved to another field is refused
   * (`DataMaskingContextMismatchError`, 403) before any KMS call.
   */
  path?: boolean;
  /**
   * Bind each ciphertext to its record too: an expression selecting the record id (relative to the
   * document root; in batch, to the decoded record), e.g. `'$.id'`. The id's SHA-256 and the field's exact
   * path are sealed inside the ciphertext. A ciphertext moved to another record, or a rewritten id, is
   * refused (403); a document without its id fails closed.
   */
  record?: string;
}

/** What every binding key of an encryption context starts with; a user's context may not use it. */
export const BINDING_KEY_PREFIX = 'middy-data-masking.';
/** The encryption context key of a field's bound path. */
export const PATH_CONTEXT_KEY = `${BINDING_KEY_PREFIX}path`;
/**
 * The encryption context key that marks a record-bound message (its value names the envelope's format). It
 * is the same for every record, so it costs no KMS call per record; without it, a user who may encrypt an
 * unbound field could store an envelope-shaped object and paste its ciphertext into a record-bound one.
 */
export const RECORD_CONTEXT_KEY = `${BINDING_KEY_PREFIX}record`;
const RECORD_CONTEXT_VALUE = 'sha256/1';
/** The tag of a record-bound plaintext envelope, and its version. */
const ENVELOPE_TAG = 'middy-data-masking';
const ENVELOPE_VERSION = 'bound/1';

/** A checked `bind` option, its record expression compiled. */
export interface Binding {
  readonly path: boolean;
  readonly record: CompiledSelector | undefined;
}

/**
 * Checks `bind`: known keys only, `path` a boolean, `record` an expression (compiled now).
 *
 * @throws {DataMaskingUnsupportedTypeError} on an unknown key or a wrong type.
 * @throws {DataMaskingInvalidSelectorError} when `record` does not parse.
 */
export function checkBinding(bind: unknown, where: string): Binding | undefined {
  if (bind === undefined) return undefined;
  assertKnownOptions(bind, ['path', 'record'], `'bind' of ${where}`);
  const { path, record } = bind as BindOptions;
  if (path !== undefined && typeof path !== 'boolean') {
    throw new DataMaskingUnsupportedTypeError(`'bind.path' of ${where} must be a boolean`);
  }
  if (record !== undefined && typeof record !== 'string') {
    throw new DataMaskingUnsupportedTypeError(
      `'bind.record' of ${where} must be an expression selecting the record id`,
    );
  }
  if (path !== true && record === undefined) return undefined;
  return { path: path === true, record: record === undefined ? undefined : compileSelector(record) };
}

/** The bound path of a field: its normalized path with every array index written `[*]`. */
export function boundPath(loc: Location): string {
  let out = '$';
  for (const key of loc.keys()) {
    out += typeof key === 'number' ? '[*]' : normalizedPath([wellFormedKey(key)]).slice(1);
  }
  return out;
}

/**
 * A key with each lone surrogate written `\uXXXX`: the header is UTF-8, where a lone surrogate would
 * become U+FFFD and collide with a key holding U+FFFD itself.
 */
function wellFormedKey(key: string): string {
  if (isWellFormed(key)) return key;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    const next = key.charCodeAt(i + 1);
    if (high && next >= 0xdc00 && next <= 0xdfff) {
      out += key[i] + key[i + 1];
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else {
      out += key[i];
    }
  }
  return out;
}

/** The exact normalized path of a field (indices as numbers), as record binding seals it. */
export function exactPath(loc: Location): string {
  return normalizedPath(loc.keys());
}

/**
 * Refuses a user context that uses the binding namespace: a context could otherwise pose as a binding, or
 * a binding be overwritten by the context.
 */
export function assertUserContext(context: Readonly<EncryptionContext> | undefined): void {
  if (context === undefined) return;
  for (const key of Object.keys(context)) {
    if (key.startsWith(BINDING_KEY_PREFIX)) {
      throw new DataMaskingUnsupportedTypeError(
        `encryption context keys starting with '${BINDING_KEY_PREFIX}' are reserved for binding`,
      );
    }
  }
}

/** The context of one field: the user's, plus its bound path when binding paths. */
export function fieldContext(
  context: Readonly<EncryptionContext> | undefined,
  binding: Binding | undefined,
  loc: Location,
): Readonly<EncryptionContext> | undefined {
  if (binding === undefined) return context;
  return {
    ...context,
    ...(binding.path ? { [PATH_CONTEXT_KEY]: boundPath(loc) } : {}),
    ...(binding.record === undefined ? {} : { [RECORD_CONTEXT_KEY]: RECORD_CONTEXT_VALUE }),
  };
}

/** The context as the user gave it: binding keys removed (what a `keys` function of the context sees). */
export function userContextOf(context: Readonly<EncryptionContext>): Readonly<EncryptionContext> {
  let stripped: EncryptionContext | undefined;
  for (const key of Object.keys(context)) {
    if (!key.startsWith(BINDING_KEY_PREFIX)) continue;
    stripped ??= { ...context };
    delete stripped[key];
  }
  return stripped ?? context;
}

/**
 * The record id's digest: SHA-256 (hex) of the JSON text of the one value `record` selects in `root`.
 *
 * @throws `missing()` when the expression selects nothing (or `undefined`), or more than one value.
 */
export function recordDigest(record: CompiledSelector, root: unknown, missing: () => Error): string {
  const ids: unknown[] = [];
  record.forEach(root, (loc) => {
    ids.push(loc.value);
  });
  // `null`, NaN and ±Infinity all write `null`: none identifies a record.
  const id = ids[0];
  if (
    ids.length !== 1 ||
    id === undefined ||
    id === null ||
    (typeof id === 'number' && !Number.isFinite(id))
  ) {
    throw missing();
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(id);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw missing();
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The error of a record id that cannot be read, when encrypting: nothing can be bound to it. */
export const unboundRecord = (expression: string) => () =>
  new DataMaskingUnsupportedTypeError(
    `the record id ${expression} selects no single value: the record cannot be bound`,
  );

/** The error of a record id that cannot be read, when decrypting: fail closed, as for another record. */
export const missingRecord = (expression: string) => () =>
  new DataMaskingContextMismatchError([], {
    message: `the record id ${expression} selects no single value: a record-bound field cannot be checked`,
  });

/** The plaintext of a record-bound field: the envelope around the value's JSON text. */
export function sealRecord(valueJson: string, path: string, digest: string): string {
  return `{"${ENVELOPE_TAG}":"${ENVELOPE_VERSION}","path":${JSON.stringify(path)},"record":"${digest}","value":${valueJson}}`;
}

const notBound = () =>
  new DataMaskingContextMismatchError([], {
    message:
      'the field is not bound to this record and path (moved, rewritten, or encrypted without binding)',
  });

/**
 * The value inside a record-bound plaintext, when its path and record are this field's and this record's.
 *
 * @throws {DataMaskingContextMismatchError} for another path or record, or a plaintext that is not an
 * envelope (encrypted without record binding: refused, never passed as the value).
 */
export function openRecord(plaintext: string, path: string, digest: string): unknown {
  let envelope: unknown;
  try {
    envelope = parseJson(plaintext);
  } catch {
    throw notBound();
  }
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) throw notBound();
  const e = envelope as Record<string, unknown>;
  const keys = Object.keys(e);
  if (
    keys.length !== 4 ||
    e[ENVELOPE_TAG] !== ENVELOPE_VERSION ||
    !('value' in e) ||
    e.path !== path ||
    e.record !== digest
  ) {
    throw notBound();
  }
  return e.value;
}
