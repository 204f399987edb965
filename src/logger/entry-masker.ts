/**
 * Masks a whole log entry: key names at any depth, then detectors over every string (and every key),
 * then field expressions and rules over the entry. Compiled once; shared by the Powertools formatter and
 * the input-output-logger function.
 *
 * @module
 */
import { type Detector, redactString } from '../detectors/index.js';
import { DEFAULT_MASK } from '../erase/constants.js';
import type { Eraser } from '../erase/eraser.js';
import { setMember } from '../erase/map-leaves.js';
import { redactLeaf } from '../erase/redact-leaf.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import type { KeyMatcher } from '../policy/key-matcher.js';
import { definePolicy, MaskingPolicy, type PolicyOptions } from '../policy/masking-policy.js';
import { isPlainObject } from '../selector/values.js';
import {
  applyPairs,
  applyStackPairs,
  collectMessages,
  isErrorLike,
  isStackValue,
  pairOf,
  reconcileStacks,
  type StackPair,
} from './error-stacks.js';
import {
  isRawJson,
  jsonFrame,
  jsonStart,
  openBase64Text,
  openBytesText,
  parseJsonExact,
} from './text-layers.js';

/** What to mask in a log entry: a masking policy's options (SPEC §11), the same as everywhere. */
export type LogMaskingOptions = PolicyOptions;

/** How deeply an entry is walked (JSON opened from strings counts); deeper entries are withheld. */
const MAX_DEPTH = 64;

/** Reference back to an ancestor: dropped the way the Powertools JSON replacer drops it. */
const CIRCULAR = '[Circular]';

/** JSON texts at least this long are remembered per entry (a short one costs less to open again). */
const MIN_REMEMBERED_TEXT = 256;

/** How many masked key names are remembered across entries. */
const KEY_CACHE_SIZE = 4096;

/** Turns an Error into the plain object a log line prints, before masking can see its message and stack. */
export type ErrorFormatter = (error: Error) => Record<string, unknown>;

/** What one call of {@link EntryMasker.mask} carries through its walk. */
interface Pass {
  readonly formatError: ErrorFormatter;
  readonly ancestors: unknown[];
  /** JSON texts already opened in this entry, and what they became: none is parsed twice. */
  readonly texts: Map<string, string>;
  /** One list per error being walked: the message pairs its nested errors report to it. */
  readonly errors: StackPair[][];
  /** Whether the walked entry holds an error (a `stack`): then field expressions are reconciled too. */
  sawError: boolean;
  /** Whether detectors and secrets run in this pass (not in the one before field expressions). */
  readonly detect: boolean;
}

/**
 * A compiled log-entry masker. The input entry is never mutated, and what is printed is what was masked:
 *
 * - Values are converted first as the logger would print them: Errors through the formatter, Maps as
 *   objects, Sets as arrays, class instances as their own enumerable fields, `toJSON` results, bigints
 *   as strings, cycles as `[Circular]`. Symbol-keyed properties are never copied into the result.
 * - `keys`: a member whose name matches is masked whole, at any depth, inside JSON strings too. A JSON
 *   string is opened wherever it starts like JSON after a byte-order mark and whitespace, inside JSON
 *   strings (JSON inside JSON, to the depth limit), and inside a base64 `body` whose sibling
 *   `isBase64Encoded` is `true` (gzipped or not), and in a `Buffer` or `Uint8Array` that holds UTF-8
 *   text; it is closed again exactly as it came (BOM, whitespace, base64, gzip and the bytes type kept),
 *   and left byte for byte as it was when nothing in it changed. Bytes that are not text (an image) are
 *   printed as they are.
 * - `detectors`: every string and every key name is scanned, JSON and base64 bodies opened as above
 *   (so an escaped `\u0040` hides nothing). A key holding a detected value is renamed to its redacted
 *   form; when that name is taken, the first free ` (2)`, ` (3)`… suffix is added (keys that were not
 *   renamed keep their names). Map keys are keys too.
 * - Errors: wherever masking changes an error's message (or the message of a cause, or of an inner error
 *   of an AggregateError), every occurrence of the original text in that error's stack (and in the
 *   stacks and messages of the errors that hold it) is replaced by the masked text; so is a message that
 *   a field expression or a rule changed, masked whole or removed. In dev mode, where the stack is an
 *   array of lines, the lines are joined first, so a multi-line message is found.
 * - `fields`/`maskingRules` apply last, to the converted entry, reaching into JSON strings.
 *
 * Every string is opened at most once per entry, so the cost is linear in the size of the entry.
 */
export class EntryMasker {
  readonly #erase: Eraser | undefined;
  readonly #keys: KeyMatcher;
  readonly #detectors: readonly Detector[];
  readonly #rulesSeeValues: boolean;
  /** The current request's secrets (a policy's `secretsFrom`), read for every entry. */
  readonly #requestSecrets: (() => Detector | undefined) | undefined;

  /** @param policy What to mask: a policy, or its options (compiled here). */
  public constructor(policy: MaskingPolicy | LogMaskingOptions = {}) {
    const { keys, detectors, paths, rulesSeeValues, requestSecrets } = (
      policy instanceof MaskingPolicy ? policy : definePolicy(policy)
    ).logParts;
    this.#rulesSeeValues = rulesSeeValues;
    this.#requestSecrets = requestSecrets;
    this.#keys = keys;
    this.#detectors = detectors;
    // Log entries vary: a field absent from one entry is not an error. The eraser reaches into JSON
    // strings (`$.event.body.card` on a string body) as `erase` does everywhere, and withholds (throws)
    // what an expression must look into and cannot open.
    this.#erase = paths;
  }

  /** Whether strings are looked into at all in a pass (by key names, or detectors and secrets). */
  #scans(pass: Pass): boolean {
    return (
      !this.#keys.empty || (pass.detect && (this.#detectors.length > 0 || this.#requestSecrets !== undefined))
    );
  }

  /**
   * The masked entry. Throws on anything it cannot mask (too deep, a rule that throws): the caller must
   * then withhold the entry. One pass converts what the logger would print differently (Errors, Maps,
   * Sets, class instances, bigints, cycles) and masks secret keys and detected strings; field expressions
   * then apply to that result, and the stacks of the errors whose messages they changed are fixed.
   */
  public mask(entry: Record<string, unknown>, formatError: ErrorFormatter): Record<string, unknown> {
    const newPass = (from: Record<string, unknown>, detect: boolean): Pass => ({
      formatError,
      ancestors: [from],
      texts: new Map(),
      errors: [],
      sawError: false,
      detect,
    });
    // Field rules see values before detectors and secrets do (a rule keeping the last 4 of a card must
    // see the card): with both, detectors run in a last pass, over what the expressions left. Masks that
    // ignore the value come out the same either way: then one pass does both, as before.
    const detects = this.#detectors.length > 0 || this.#requestSecrets !== undefined;
    const detectLater = this.#erase !== undefined && detects && this.#rulesSeeValues;
    const first = newPass(entry, !detectLater);
    const walked = this.#walkRecord(entry, 0, first);
    if (this.#erase === undefined) return walked;
    const erased = this.#erase(walked);
    const reconciled = (first.sawError ? reconcileStacks(walked, erased) : erased) as Record<string, unknown>;
    return detectLater ? this.#walkRecord(reconciled, 0, newPass(reconciled, true)) : reconciled;
  }

  /** Masked key names already computed (bounded; only names that do not start like JSON). */
  readonly #keyMasks = new Map<string, string>();

  /** A key name as it may be printed: scanned like any string (detectors, JSON opened for `keys`). */
  #maskKey(key: string, depth: number, pass: Pass): string {
    // Key names are renamed by detectors only: before them, a key is printed as it is.
    if (!pass.detect || !this.#scans(pass)) return key;
    // Request secrets change from one request to the next: a name masked without them is not kept.
    const cacheable = this.#requestSecrets === undefined;
    const known = cacheable ? this.#keyMasks.get(key) : undefined;
    if (known !== undefined) return known;
    const masked = this.#maskString(key, depth, pass);
    if (cacheable && jsonStart(key) < 0) {
      if (this.#keyMasks.size >= KEY_CACHE_SIZE) this.#keyMasks.clear();
      this.#keyMasks.set(key, masked);
    }
    return masked;
  }

  /**
   * A string with detected values masked and, when it holds JSON (after a BOM and whitespace), secret
   * keys and detected values masked inside it too; the very same string when nothing changed.
   */
  #maskString(text: string, depth: number, pass: Pass): string {
    if (!this.#scans(pass)) return text;
    const redacted = this.#redact(text, pass);
    const start = jsonStart(redacted);
    if (start < 0) return redacted;
    const opened = this.#openJson(redacted, start, depth, pass);
    // Serializing again can only unescape what detectors look for: scan the result once more.
    return opened === redacted ? redacted : this.#redact(opened, pass);
  }

  #redact(text: string, pass: Pass): string {
    if (!pass.detect) return text;
    const current = this.#requestSecrets?.();
    const out = current === undefined ? text : current.redact(text, DEFAULT_MASK);
    return this.#detectors.length === 0 ? out : redactString(out, this.#detectors, DEFAULT_MASK);
  }

  /** JSON text masked inside, then framed as it came (BOM, whitespace); each text opened once per entry. */
  #openJson(text: string, start: number, depth: number, pass: Pass): string {
    const remember = text.length >= MIN_REMEMBERED_TEXT;
    const known = remember ? pass.texts.get(text) : undefined;
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) {
      throw new DataMaskingUnsupportedTypeError(`log entry nested deeper than ${MAX_DEPTH} levels`);
    }
    const frame = jsonFrame(text, start);
    let parsed: unknown;
    let result = text;
    try {
      parsed = parseJsonExact(frame.body);
    } catch {
      if (remember) pass.texts.set(text, text); // looks like JSON and is not: scanned as text
      return text;
    }
    let masked: unknown = parsed;
    if (typeof parsed === 'string') masked = this.#maskString(parsed, depth + 1, pass);
    else if (parsed !== null && typeof parsed === 'object') masked = this.#walk(parsed, depth + 1, pass);
    if (masked !== parsed) result = `${frame.prefix}${JSON.stringify(masked)}${frame.suffix}`;
    if (remember) pass.texts.set(text, result);
    return result;
  }

  /** A base64 body: its text masked (JSON opened, detectors run) and encoded back as it came. */
  #maskBase64(value: string, depth: number, pass: Pass): string {
    if (!this.#scans(pass)) return value;
    const decoded = openBase64Text(value);
    // Not base64 text (an image): what is printed is the base64 string itself, scanned as any string.
    if (decoded === undefined) return this.#maskString(value, depth, pass);
    const masked = this.#maskString(decoded.text, depth + 1, pass);
    return masked === decoded.text ? value : decoded.encode(masked);
  }

  /**
   * Bytes that hold UTF-8 text (gzipped or not): the text masked, encoded back into the same type (a
   * `Buffer` prints through its `toJSON`, as before); the very same bytes when nothing changed;
   * `undefined` when they are not text (then they are printed as any other object).
   */
  #maskBytes(bytes: Uint8Array, depth: number, pass: Pass): Uint8Array | undefined {
    const opened = openBytesText(bytes);
    if (opened === undefined) return undefined;
    const masked = this.#maskString(opened.text, depth + 1, pass);
    if (masked === opened.text) return bytes;
    const encoded = opened.encode(masked);
    return Buffer.isBuffer(bytes) ? encoded : new Uint8Array(encoded);
  }

  /** A member's value, masked: whole under a secret key; a base64 `body` decoded; walked otherwise. */
  #member(key: string, value: unknown, base64: boolean, depth: number, pass: Pass): unknown {
    if (this.#keys.matches(key)) {
      // Errors masked whole here (a secret `cause`) vanish from the line: so must their messages from
      // the stack of the error that holds them.
      const holder = pass.errors.at(-1);
      if (holder !== undefined) collectMessages(value, holder);
      return DEFAULT_MASK;
    }
    if (base64 && key === 'body' && typeof value === 'string') return this.#maskBase64(value, depth, pass);
    return this.#walk(value, depth, pass);
  }

  /** One value, copy-on-write: converted as the logger would print it, secret keys and detected strings masked. */
  #walk(value: unknown, depth: number, pass: Pass): unknown {
    if (typeof value === 'string') return this.#maskString(value, depth, pass);
    if (typeof value === 'bigint') return this.#maskString(value.toString(), depth, pass);
    // A card or a phone number logged as a number is still one: its text is scanned, and printed masked.
    if (typeof value === 'number' || isRawJson(value)) {
      const scans = pass.detect && (this.#detectors.length > 0 || this.#requestSecrets !== undefined);
      return scans ? redactLeaf(value, (text) => this.#redact(text, pass)) : value;
    }
    if (value === null || typeof value !== 'object') return value;
    const { ancestors } = pass;
    if (ancestors.includes(value)) return CIRCULAR;
    if (depth > MAX_DEPTH)
      throw new DataMaskingUnsupportedTypeError(`log entry nested deeper than ${MAX_DEPTH} levels`);
    if (value instanceof Uint8Array && this.#scans(pass)) {
      // Bytes holding text (a Buffer body): masked inside, the same type of bytes again.
      const masked = this.#maskBytes(value, depth, pass);
      if (masked !== undefined) return masked;
    }
    let out: unknown;
    ancestors.push(value);
    if (Array.isArray(value)) {
      out = this.#walkArray(value, depth, pass);
    } else if (value instanceof Error) {
      out = this.#walkRecord(pass.formatError(value), depth, pass);
    } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      // Mask what will be printed: a Date's string, any object's toJSON result (a plain object's too). A
      // toJSON that throws makes the whole entry fail here, so the placeholder is printed instead.
      ancestors.pop();
      return this.#walk((value as { toJSON: () => unknown }).toJSON(), depth + 1, pass);
    } else if (isPlainObject(value)) {
      out = this.#walkRecord(value, depth, pass);
    } else if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      // A boxed primitive prints as the primitive: mask it as one.
      ancestors.pop();
      return this.#walk(value.valueOf(), depth + 1, pass);
    } else if (value instanceof Map) {
      // Printed as an object: its keys are keys (scanned, renamed), its Symbol keys dropped.
      out = this.#walkRecord(Object.fromEntries(value), depth, pass);
    } else if (value instanceof Set) {
      out = this.#walkArray([...value], depth, pass);
    } else {
      // A class instance prints its own enumerable fields: mask those.
      out = this.#walkRecord(stringKeyed(value as Record<string, unknown>), depth, pass);
    }
    ancestors.pop();
    return out;
  }

  #walkArray(source: readonly unknown[], depth: number, pass: Pass): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < source.length; i++) {
      const m = this.#walk(source[i], depth + 1, pass);
      if (m !== source[i]) {
        copy ??= source.slice();
        copy[i] = m;
      }
    }
    return copy ?? (source as unknown[]);
  }

  /**
   * An object's members masked (copy-on-write), its key names scanned and renamed, Symbol keys dropped.
   * An error (anything with a `stack`) has its message masked after its other members, with the messages
   * its nested errors changed replaced in it, and its stack after that, with every message change
   * replaced in it; the changes are then reported to the error that holds this one.
   */
  #walkRecord(record: Record<string, unknown>, depth: number, pass: Pass): Record<string, unknown> {
    const keys = Object.keys(record);
    // Symbol-keyed members are not printed by JSON, but a custom `print` may inspect: never carry them.
    let copy = Object.getOwnPropertySymbols(record).length > 0 ? copyOf(record, keys) : undefined;
    const set = (key: string, value: unknown) => {
      copy ??= copyOf(record, keys);
      setMember(copy, key, value);
    };
    let renamed: Map<string, string> | undefined;
    const errorLike = isErrorLike(record);
    const base64 = record.isBase64Encoded === true;
    if (errorLike) {
      pass.sawError = true;
      pass.errors.push([]);
    }
    for (const key of keys) {
      const name = this.#maskKey(key, depth + 1, pass);
      if (name !== key) {
        renamed ??= new Map();
        renamed.set(key, name);
      }
      if (errorLike && (key === 'message' || key === 'stack')) continue;
      const v = record[key];
      const m = this.#member(key, v, base64, depth + 1, pass);
      if (m !== v) set(key, m);
    }
    if (errorLike) {
      const pairs = pass.errors.pop() as StackPair[];
      if (Object.hasOwn(record, 'message')) {
        const original = record.message;
        // The message may quote a nested error's message ("lookup failed: <cause>"): replaced first.
        const quoted = typeof original === 'string' ? applyPairs(original, pairs) : original;
        const masked = this.#member('message', quoted, base64, depth + 1, pass);
        if (masked !== original) set('message', masked);
        const own = pairOf(original, masked);
        if (own !== undefined) pairs.push(own);
      }
      const stack = record.stack;
      const fixed = isStackValue(stack) ? applyStackPairs(stack, pairs) : stack;
      const masked = this.#member('stack', fixed, base64, depth + 1, pass);
      if (masked !== stack) set('stack', masked);
      const holder = pass.errors.at(-1);
      if (holder !== undefined) for (const pair of pairs) holder.push(pair);
    }
    const out = copy ?? record;
    return renamed === undefined ? out : renameKeys(out, renamed);
  }
}

/** A copy of `record` with only its own enumerable string keys (a null prototype kept). */
function copyOf(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.getPrototypeOf(record) === null ? Object.create(null) : {};
  for (const key of keys) setMember(copy, key, record[key]);
  return copy;
}

/** A class instance's own enumerable string-keyed fields, as JSON prints them, in a plain object. */
function stringKeyed(value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setMember(copy, key, value[key]);
  return copy;
}

/**
 * A copy of `record` with keys renamed, in order. A key that is not renamed keeps its name; a renamed key
 * whose new name is taken gets the first free ` (n)` suffix, so no member is lost. Linear: the next
 * suffix of each name is remembered.
 */
function renameKeys(
  record: Record<string, unknown>,
  renamed: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const keys = Object.keys(record);
  const taken = new Set<string>();
  for (const key of keys) if (!renamed.has(key)) taken.add(key);
  const next = new Map<string, number>();
  const out: Record<string, unknown> = Object.getPrototypeOf(record) === null ? Object.create(null) : {};
  for (const key of keys) {
    let name = renamed.get(key);
    if (name === undefined) {
      name = key;
    } else if (taken.has(name)) {
      let n = next.get(name) ?? 2;
      while (taken.has(`${name} (${n})`)) n++;
      next.set(name, n + 1);
      name = `${name} (${n})`;
    }
    taken.add(name);
    setMember(out, name, record[key]);
  }
  return out;
}
