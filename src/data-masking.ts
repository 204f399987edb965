/**
 * `DataMasking`: the Powertools data-masking API, so a migration is a change of import.
 *
 * @module
 */
import { compileEraser, type EraseOptions, type Eraser } from './erase/eraser.js';
import { type CompiledSelector, compileSelector } from './selector/selector.js';

/** Options of the {@link DataMasking} constructor. */
export interface DataMaskingOptions {
  /**
   * Whether an expression that selects nothing throws `DataMaskingFieldNotFoundError` (default `true`,
   * as in Powertools). When `false`, it is skipped.
   */
  throwOnMissingField?: boolean;
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
  readonly #throwOnMissingField: boolean;
  readonly #selectors = new Map<string, CompiledSelector>();
  readonly #erasers = new WeakMap<object, Eraser>();
  #whole: Eraser | undefined;

  public constructor(options: DataMaskingOptions = {}) {
    this.#throwOnMissingField = options.throwOnMissingField ?? true;
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
