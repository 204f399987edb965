/**
 * Options objects are checked, never ignored (SPEC §4.6): a key an API does not know is refused when the
 * options are given, so a misspelled `contxt` can never produce a ciphertext without its tenant binding,
 * and a misspelled `decypt` can never turn decryption off.
 *
 * @module
 */
import { checkBinding } from './crypto/binding.js';
import { TENANT_CONTEXT } from './crypto/tenant-context.js';
import { DataMaskingUnsupportedTypeError } from './errors.js';

/**
 * Refuses an options object that is not a plain object, or that has an own key not in `known`. A key set
 * to `undefined` is refused too when unknown: it is still a typo.
 *
 * @param options what the caller passed (`undefined` is accepted: no options)
 * @param known the keys this API documents
 * @param where how the error names the API, e.g. `'encrypt options'`
 * @throws {DataMaskingUnsupportedTypeError} naming the first unknown key and the known ones.
 */
export function assertKnownOptions(options: unknown, known: readonly string[], where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new DataMaskingUnsupportedTypeError(`${where} must be an object`);
  }
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key !== 'string' || !known.includes(key)) {
      throw new DataMaskingUnsupportedTypeError(
        `unknown option ${typeof key === 'string' ? JSON.stringify(key) : String(key)} in ${where}; known options are ${known.join(', ')}`,
      );
    }
  }
}

/**
 * Checks the `{ fields, context }` options of a surface's `decrypt` or `encrypt` (the middleware's, the
 * batch's): known keys only, a non-empty `fields` array, and a context that is an object or a function of
 * `contextOf` (the request, the record).
 *
 * @throws {DataMaskingUnsupportedTypeError} naming what is wrong.
 */
export function assertCryptoFieldsOptions(
  options: unknown,
  what: string,
  where: string,
  contextOf: 'request' | 'record',
): void {
  assertKnownOptions(options, ['fields', 'context', 'bind'], where);
  const { fields, context, bind } = (options ?? {}) as {
    fields?: unknown;
    context?: unknown;
    bind?: unknown;
  };
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new DataMaskingUnsupportedTypeError(
      `'${what}.fields' must be a non-empty array of field expressions`,
    );
  }
  if (
    context !== undefined &&
    context !== TENANT_CONTEXT &&
    (context === null || (typeof context !== 'object' && typeof context !== 'function'))
  ) {
    throw new DataMaskingUnsupportedTypeError(
      `'${what}.context' must be an object, a function of the ${contextOf}, or '${TENANT_CONTEXT}'`,
    );
  }
  checkBinding(bind, `the '${what}' options`);
}
