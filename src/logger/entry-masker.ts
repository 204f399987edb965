/**
 * Masks a whole log entry: field expressions and rules over the entry, then key names at any depth, then
 * detectors over every string value. Compiled once; shared by the Powertools formatter and the
 * input-output-logger function.
 *
 * @module
 */
import { DataMasking } from '../data-masking.js';
import { type Detector, type DetectorName, redactString, resolveDetectors } from '../detectors/index.js';
import { DEFAULT_MASK } from '../erase/constants.js';
import type { Eraser } from '../erase/eraser.js';
import { JsonStringOpener } from '../erase/json-strings.js';
import { setMember } from '../erase/map-leaves.js';
import type { FieldRule } from '../erase/rule.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { compileSelector } from '../selector/selector.js';
import { isPlainObject } from '../selector/values.js';

/** What to mask in a log entry. */
export interface LogMaskingOptions {
  /** Field expressions over the entry (`message`, `$.event.body.card`, `$..ssn`): erased with the default mask. */
  fields?: readonly string[];
  /** Per-expression rules over the entry, as in `erase`. */
  maskingRules?: Readonly<Record<string, FieldRule>>;
  /** Key names (or RegExps) whose values are masked wherever they appear: `password`, `authorization`, `/secret/i`. */
  keys?: readonly (string | RegExp)[];
  /** Whether key names match case-sensitively. Default `false`. */
  caseSensitiveKeys?: boolean;
  /** Detectors run over every string value (names or detector objects). */
  detectors?: readonly (DetectorName | Detector)[];
}

/** How deeply an entry is walked; deeper entries are withheld. */
const MAX_DEPTH = 64;

/** Reference back to an ancestor: dropped the way the Powertools JSON replacer drops it. */
const CIRCULAR = '[Circular]';

/** Turns an Error into the plain object a log line prints, before masking can see its message and stack. */
export type ErrorFormatter = (error: Error) => Record<string, unknown>;

/**
 * A compiled log-entry masker. Errors are formatted (so their message, stack and cause are masked too),
 * non-JSON values are kept as the logger would print them, and the input entry is never mutated.
 */
export class EntryMasker {
  readonly #erase: Eraser | undefined;
  readonly #opener: JsonStringOpener | undefined;
  readonly #keyNames: ReadonlySet<string>;
  readonly #keyPatterns: readonly RegExp[];
  readonly #caseSensitive: boolean;
  readonly #detectors: readonly Detector[];

  public constructor(options: LogMaskingOptions = {}) {
    const { fields, maskingRules, keys, caseSensitiveKeys, detectors } = options;
    if (keys !== undefined && !Array.isArray(keys)) {
      throw new DataMaskingUnsupportedTypeError("'keys' must be an array of key names or RegExps");
    }
    this.#caseSensitive = caseSensitiveKeys === true;
    const names = new Set<string>();
    const patterns: RegExp[] = [];
    for (const key of keys ?? []) {
      if (typeof key === 'string') names.add(this.#caseSensitive ? key : key.toLowerCase());
      else if (key instanceof RegExp) patterns.push(new RegExp(key.source, key.flags.replace(/[gy]/g, '')));
      else throw new DataMaskingUnsupportedTypeError("'keys' must hold key names or RegExps");
    }
    this.#keyNames = names;
    this.#keyPatterns = patterns;
    this.#detectors = detectors === undefined ? [] : resolveDetectors(detectors);
    const hasFields = (fields?.length ?? 0) > 0 || Object.keys(maskingRules ?? {}).length > 0;
    // Log entries vary: a field absent from one entry is not an error.
    this.#erase = hasFields
      ? new DataMasking({ throwOnMissingField: false }).compileErase({ fields: fields ?? [], maskingRules })
      : undefined;
    this.#opener = hasFields
      ? new JsonStringOpener(
          [...(fields ?? []), ...Object.keys(maskingRules ?? {})].map((e) => compileSelector(e)),
        )
      : undefined;
  }

  /**
   * The masked entry. Throws on anything it cannot mask (too deep, a rule that throws): the caller must
   * then withhold the entry. One pass converts what the logger would print differently (Errors, Maps,
   * Sets, class instances, bigints, cycles) and masks secret keys and detected strings; field expressions
   * then apply to that result.
   */
  public mask(entry: Record<string, unknown>, formatError: ErrorFormatter): Record<string, unknown> {
    const ancestors: unknown[] = [entry];
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(entry)) {
      const value = entry[key];
      let m: unknown;
      if (this.#isSecretKey(key)) m = DEFAULT_MASK;
      else m = this.#walk(value, formatError, 1, ancestors);
      if (m !== value) {
        out ??= { ...entry };
        setMember(out, key, m);
      }
    }
    const walked = out ?? entry;
    if (this.#erase === undefined || this.#opener === undefined) return walked;
    // Field expressions reach into JSON strings too (`$.event.body.card` on a string body).
    const opened = this.#opener.open(walked);
    return this.#opener.close(this.#erase(opened.working), opened.opened) as Record<string, unknown>;
  }

  /**
   * A string holding a JSON object or array (an API Gateway body, say) with its secret keys masked, as
   * JSON again; the very same string when nothing in it changed or it is not JSON.
   */
  #maskKeysInJson(text: string, formatError: ErrorFormatter, depth: number, ancestors: unknown[]): string {
    const first = text.charCodeAt(0);
    if (first !== 0x7b && first !== 0x5b) return text; // '{' or '['
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return text;
    }
    const masked = this.#walk(parsed, formatError, depth + 1, ancestors);
    return masked === parsed ? text : JSON.stringify(masked);
  }

  get #hasKeys(): boolean {
    return this.#keyNames.size > 0 || this.#keyPatterns.length > 0;
  }

  /** Log entries repeat their keys: remember each verdict (bounded), so a key is lowercased and tested once. */
  readonly #verdicts = new Map<string, boolean>();

  #isSecretKey(key: string): boolean {
    const known = this.#verdicts.get(key);
    if (known !== undefined) return known;
    let secret = this.#keyNames.size > 0 && this.#keyNames.has(this.#caseSensitive ? key : key.toLowerCase());
    for (let i = 0; !secret && i < this.#keyPatterns.length; i++) secret = this.#keyPatterns[i].test(key);
    if (this.#verdicts.size >= 4096) this.#verdicts.clear();
    this.#verdicts.set(key, secret);
    return secret;
  }

  /** One value, copy-on-write: converted as the logger would print it, secret keys and detected strings masked. */
  #walk(value: unknown, formatError: ErrorFormatter, depth: number, ancestors: unknown[]): unknown {
    if (typeof value === 'string') {
      const opened = this.#hasKeys ? this.#maskKeysInJson(value, formatError, depth, ancestors) : value;
      return this.#detectors.length === 0 ? opened : redactString(opened, this.#detectors, DEFAULT_MASK);
    }
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    if (ancestors.includes(value)) return CIRCULAR;
    if (depth > MAX_DEPTH)
      throw new DataMaskingUnsupportedTypeError(`log entry nested deeper than ${MAX_DEPTH} levels`);
    let source: object = value;
    let converted = false;
    if (Array.isArray(value)) {
      // walked below as it is
    } else if (value instanceof Error) {
      source = formatError(value);
      converted = true;
    } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      // Mask what will be printed: a Date's string, any object's toJSON result (a plain object's too). A
      // toJSON that throws makes the whole entry fail here, so the placeholder is printed instead.
      return this.#walk((value as { toJSON: () => unknown }).toJSON(), formatError, depth + 1, ancestors);
    } else if (isPlainObject(value)) {
      // walked below as it is
    } else if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      // A boxed primitive prints as the primitive: mask it as one.
      return this.#walk(value.valueOf(), formatError, depth + 1, ancestors);
    } else if (value instanceof Map) {
      source = Object.fromEntries(value);
      converted = true;
    } else if (value instanceof Set) {
      source = [...value];
      converted = true;
    } else {
      // A class instance prints its own enumerable fields: mask those.
      source = { ...value };
      converted = true;
    }
    ancestors.push(value);
    let out: unknown;
    if (Array.isArray(source)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < source.length; i++) {
        const m = this.#walk(source[i], formatError, depth + 1, ancestors);
        if (m !== source[i]) {
          copy ??= source.slice();
          copy[i] = m;
        }
      }
      out = copy ?? source;
    } else {
      const record = source as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      for (const key of Object.keys(record)) {
        const v = record[key];
        const m = this.#isSecretKey(key) ? DEFAULT_MASK : this.#walk(v, formatError, depth + 1, ancestors);
        if (m !== v) {
          copy ??= { ...record };
          setMember(copy, key, m);
        }
      }
      out = copy ?? record;
    }
    ancestors.pop();
    return out ?? (converted ? source : value);
  }
}
