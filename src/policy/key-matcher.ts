/**
 * Key names that mark a value as sensitive wherever it sits (`password`, `authorization`, `/secret/i`).
 * By default a name matches whatever its case and separators: `x-api-key`, `X_API_KEY`, `xApiKey` and
 * `x.api key` are one key, as the headers, environment variables and JSON fields of one secret are
 * spelled. A RegExp is tested against the key as written.
 *
 * @module
 */
import { DataMaskingUnsupportedTypeError } from '../errors.js';

/** How many key verdicts are remembered (payloads and log entries repeat their keys). */
const CACHE_SIZE = 4096;

/** Separators that do not make a key another key: `-`, `_`, `.`, space. */
const SEPARATORS = /[-_. ]/g;

/** A key in the form names are compared in: lower case, without separators. */
export function normalizedKey(key: string): string {
  return key.toLowerCase().replace(SEPARATORS, '');
}

/** Decides, once per distinct key, whether a key name is one of the configured keys. */
export class KeyMatcher {
  readonly #names: ReadonlySet<string>;
  readonly #patterns: readonly RegExp[];
  readonly #exact: boolean;
  readonly #verdicts = new Map<string, boolean>();

  /**
   * @param keys Names or RegExps.
   * @param exact Match names exactly as written (no case or separator folding).
   * @throws {DataMaskingUnsupportedTypeError} for anything but an array of non-empty names and RegExps.
   */
  public constructor(keys: readonly (string | RegExp)[] | undefined, exact = false, option = 'keys') {
    if (keys !== undefined && !Array.isArray(keys)) {
      throw new DataMaskingUnsupportedTypeError(`'${option}' must be an array of key names or RegExps`);
    }
    this.#exact = exact;
    const names = new Set<string>();
    const patterns: RegExp[] = [];
    for (const key of keys ?? []) {
      if (typeof key === 'string' && key !== '') names.add(exact ? key : normalizedKey(key));
      // A private copy without `g` and `y`: `test` on those carries `lastIndex` from one key to the next.
      else if (key instanceof RegExp) patterns.push(new RegExp(key.source, key.flags.replace(/[gy]/g, '')));
      else throw new DataMaskingUnsupportedTypeError(`'${option}' must hold non-empty key names or RegExps`);
    }
    this.#names = names;
    this.#patterns = patterns;
  }

  /** Whether any key is configured. */
  public get empty(): boolean {
    return this.#names.size === 0 && this.#patterns.length === 0;
  }

  /** Whether `key` is one of the configured keys. */
  public matches(key: string): boolean {
    if (this.empty) return false;
    const known = this.#verdicts.get(key);
    if (known !== undefined) return known;
    let match = this.#names.size > 0 && this.#names.has(this.#exact ? key : normalizedKey(key));
    for (let i = 0; !match && i < this.#patterns.length; i++) match = this.#patterns[i].test(key);
    if (this.#verdicts.size >= CACHE_SIZE) this.#verdicts.clear();
    this.#verdicts.set(key, match);
    return match;
  }
}
