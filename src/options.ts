/**
 * Options objects are checked, never ignored (SPEC §4.6): a key an API does not know is refused when the
 * options are given, so a misspelled `contxt` can never produce a ciphertext without its tenant binding,
 * and a misspelled `decypt` can never turn decryption off.
 *
 * @module
 */
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
