/**
 * Masking rules: the Powertools TypeScript shapes (`regexPattern` + `maskFormat`, `dynamicMask`,
 * `customMask`) and this library's extensions (`hash`, `hmac`, `remove`, `when`, functions), validated
 * and compiled once into a function from a value to its replacement.
 *
 * @module
 */
import { createHash, createHmac, type KeyObject } from 'node:crypto';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { type TokenCodec, tokenCodecOf } from '../tokens/token-codec.js';
import { DEFAULT_MASK, REMOVE } from './constants.js';
import { mapLeaves } from './map-leaves.js';

/** Fields every rule shape may carry. */
interface RuleCommon {
  /**
   * Apply the rule only to string values that match (values that do not match, and non-strings, are
   * kept): mask the SSN-shaped values of a column that also holds employee numbers. Tested anywhere in
   * the value: its `g` and `y` flags are dropped (see {@link MaskingRule}).
   */
  when?: RegExp;
}
type Never<K extends string> = { [P in K]?: never };
type Shapes =
  | 'regexPattern'
  | 'maskFormat'
  | 'dynamicMask'
  | 'customMask'
  | 'hash'
  | 'hmac'
  | 'remove'
  | 'keep'
  | 'digits'
  | 'tokenize';

/**
 * How an erased value is replaced. The shapes are mutually exclusive (a JavaScript caller who passes
 * several Powertools shapes gets Powertools' precedence: regexPattern, customMask, dynamicMask); `{}` is
 * the default mask.
 * Non-string values are turned into their string form first (`null` and `undefined` are kept).
 *
 * RegExps (`regexPattern`, `when`) are compiled into private copies: the caller's object and its
 * `lastIndex` are never read or written, and every value is matched the same way whatever was masked
 * before it. `g` on `regexPattern` keeps its meaning (replace every occurrence; without it, the first).
 * `y` (sticky) is dropped: a match may start anywhere in the value, not only at its start, so a sticky
 * pattern masks at least what it would have masked at position 0 (fail closed). Anchor with `^` to
 * match at the start only.
 */
export type MaskingRule =
  | (RuleCommon & { regexPattern: RegExp; maskFormat: string } & Never<
        Exclude<Shapes, 'regexPattern' | 'maskFormat'>
      >)
  | (RuleCommon & { dynamicMask: true } & Never<Exclude<Shapes, 'dynamicMask'>>)
  | (RuleCommon & { customMask: string } & Never<Exclude<Shapes, 'customMask'>>)
  | (RuleCommon & {
      /** Lowercase hex SHA-256 of the value's string form. Reversible by brute force for low-entropy values: prefer `hmac`. */
      hash: 'sha256';
    } & Never<Exclude<Shapes, 'hash'>>)
  | (RuleCommon & {
      /** Keyed pseudonym: lowercase hex HMAC-SHA-256 of the value's string form; stable per key, not reversible. */
      hmac: { key: string | Uint8Array | KeyObject };
    } & Never<Exclude<Shapes, 'hmac'>>)
  | (RuleCommon & {
      /** Delete the key (an array element is removed). */
      remove: true;
    } & Never<Exclude<Shapes, 'remove'>>)
  | (RuleCommon & {
      /**
       * Keep the first and/or last letters and digits, mask the others with `*`, keep every separator:
       * `{ keep: { last: 4 } }` turns `4111-1111-1111-1111` into `****-****-****-1111`. A value with no
       * more letters and digits than it would keep is masked whole (keeping would show all of it).
       */
      keep: { first?: number; last?: number };
    } & Never<Exclude<Shapes, 'keep'>>)
  | (RuleCommon & {
      /** Mask every digit with `*`, keep everything else: `+44 20 7946 0958` → `+** ** **** ****`. */
      digits: 'mask';
    } & Never<Exclude<Shapes, 'digits'>>)
  | (RuleCommon & {
      /**
       * Reversible pseudonym: the value's JSON text encrypted deterministically under a `TokenKey`
       * (`middy-data-masking/tokens`), `tok_<version>_<base64url>`. The same value gives the same token
       * under the same key, so joins and counts work; `masker.detokenize` gives the value back, with its
       * type. The key must be ready (`await key.ready()`) before a synchronous `erase`.
       */
      tokenize: TokenKeyLike;
    } & Never<Exclude<Shapes, 'tokenize'>>)
  | (RuleCommon & Never<Shapes>);

/** A `TokenKey` of `middy-data-masking/tokens`, as rules see it (without loading that entry point). */
export interface TokenKeyLike {
  readonly version: string;
  readonly isReady: boolean;
  ready(): Promise<unknown>;
}

/** A rule as a function of the original value and its normalized path (`$['a'][0]`). */
export type MaskFunction = (value: unknown, path: string) => unknown;

/** What `maskingRules` maps an expression to. */
export type FieldRule = MaskingRule | MaskFunction;

/** A compiled rule: the replacement of a selected value. */
export interface CompiledRule {
  /** The replacement of the selected `value`, or {@link REMOVE}; `path` builds its normalized path on demand. */
  readonly apply: (value: unknown, path: () => string) => unknown;
  /** Only function rules read the path; walkers skip tracking it otherwise. */
  readonly needsPath?: boolean;
}

/** The default mask (SPEC §4.1): an array keeps its length with each element masked; anything else is masked whole. */
export const DEFAULT_RULE: CompiledRule = {
  apply: (value) => (Array.isArray(value) ? value.map(() => DEFAULT_MASK) : DEFAULT_MASK),
};

/** The string form a rule sees: strings as they are, other values as JSON would write them. */
export function stringForm(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // cyclic or not serializable: fall through
  }
  return String(value);
}

const POWERTOOLS_SHAPES = new Set(['regexPattern', 'customMask', 'dynamicMask']);

/**
 * The rule shapes, in Powertools' precedence order first (regexPattern, then customMask, then
 * dynamicMask), then this library's own.
 */
const SHAPE_ORDER: readonly string[] = [
  'regexPattern',
  'customMask',
  'dynamicMask',
  'hash',
  'hmac',
  'remove',
  'keep',
  'digits',
  'tokenize',
];

/** The keys a rule object may have (one shape's keys and `when`). */
export const RULE_KEYS: ReadonlySet<string> = new Set<string>([...SHAPE_ORDER, 'maskFormat', 'when']);

/**
 * Validates and compiles a rule, once, at configuration time.
 *
 * @throws {DataMaskingUnsupportedTypeError} on a malformed rule (one of this library's shapes mixed with
 * another, a wrong type).
 */
export function compileRule(rule: FieldRule | undefined, where: string): CompiledRule {
  if (rule === undefined) return DEFAULT_RULE;
  if (typeof rule === 'function') return { apply: (value, path) => rule(value, path()), needsPath: true };
  if (rule === null || typeof rule !== 'object') {
    throw new DataMaskingUnsupportedTypeError(
      `the masking rule for ${where} must be an object or a function`,
    );
  }
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!RULE_KEYS.has(key) && key !== 'fields' && key !== 'maskingRules' && key !== 'detectors') {
      throw new DataMaskingUnsupportedTypeError(
        `unknown masking rule option ${JSON.stringify(key)} for ${where}`,
      );
    }
  }
  // In Powertools' precedence order: a JavaScript caller who passes several of its shapes gets the one
  // Powertools applies (regexPattern, then customMask, then dynamicMask). Mixing in one of this library's
  // own shapes (hash, hmac, remove) is ambiguous and refused.
  const shapes = SHAPE_ORDER.filter((k) => r[k] !== undefined);
  if (shapes.length > 1 && shapes.some((k) => !POWERTOOLS_SHAPES.has(k))) {
    throw new DataMaskingUnsupportedTypeError(
      `the masking rule for ${where} mixes ${shapes.join(' and ')}; pick one`,
    );
  }
  const when = r.when;
  if (when !== undefined && !(when instanceof RegExp)) {
    throw new DataMaskingUnsupportedTypeError(`'when' for ${where} must be a RegExp`);
  }
  const shape = shapes[0];
  if (shape === 'remove') {
    if (r.remove !== true) throw new DataMaskingUnsupportedTypeError(`'remove' for ${where} must be true`);
  }
  if (when === undefined) {
    if (shape === 'remove') return { apply: () => REMOVE };
    if (shape === undefined) return DEFAULT_RULE;
  }
  const leaf = shape === 'remove' ? () => REMOVE : compileLeaf(r, shape, where);
  // A stateless copy: a global or sticky RegExp would carry lastIndex from one value to the next.
  const guard = when === undefined ? undefined : statelessCopy(when, false);
  const guarded =
    guard === undefined ? leaf : (v: unknown) => (typeof v === 'string' && guard.test(v) ? leaf(v) : v);
  // A leaf rule keeps the shape of a selected container and replaces each leaf inside it.
  return { apply: (value) => mapLeaves(value, guarded) };
}

/**
 * A private RegExp with the same source and flags minus `y` (sticky), and minus `g` unless `keepGlobal`:
 * sticky anchors a search at `lastIndex`, which is state shared between calls, and dropping it matches
 * at least as much (fail closed). Built from `source` and `flags` (read once each, as the options cache
 * key reads them), so a subclass's `exec` is never used.
 */
export function statelessCopy(regex: RegExp, keepGlobal: boolean): RegExp {
  const flags = regex.flags;
  const rest = flags.replace(/[gy]/g, '');
  return new RegExp(regex.source, keepGlobal && flags.includes('g') ? `${rest}g` : rest);
}

/** Keeps `null` and `undefined` as they are, as the Powertools rules do. */
const onString =
  (fn: (s: string) => unknown) =>
  (value: unknown): unknown =>
    value === null || value === undefined ? value : fn(stringForm(value));

function compileLeaf(
  r: Record<string, unknown>,
  shape: string | undefined,
  where: string,
): (v: unknown) => unknown {
  switch (shape) {
    case 'regexPattern': {
      const { regexPattern, maskFormat } = r;
      if (!(regexPattern instanceof RegExp) || typeof maskFormat !== 'string') {
        throw new DataMaskingUnsupportedTypeError(
          `'regexPattern' for ${where} must be a RegExp with a string 'maskFormat'`,
        );
      }
      // A private copy without `y`: the caller's object (and its `lastIndex`) is never read or written,
      // and no state carries from one value to the next. `g` keeps its meaning (every occurrence).
      const regex = statelessCopy(regexPattern, true);
      return onString((s) => {
        regex.lastIndex = 0;
        return s.replace(regex, maskFormat);
      });
    }
    case 'dynamicMask':
      if (r.dynamicMask !== true)
        throw new DataMaskingUnsupportedTypeError(`'dynamicMask' for ${where} must be true`);
      return onString((s) => '*'.repeat(s.length));
    case 'customMask': {
      const { customMask } = r;
      if (typeof customMask !== 'string') {
        throw new DataMaskingUnsupportedTypeError(`'customMask' for ${where} must be a string`);
      }
      return onString(() => customMask);
    }
    case 'hash':
      if (r.hash !== 'sha256')
        throw new DataMaskingUnsupportedTypeError(`'hash' for ${where} must be 'sha256'`);
      return onString((s) => createHash('sha256').update(s, 'utf8').digest('hex'));
    case 'hmac': {
      const key = (r.hmac as { key?: unknown } | null)?.key;
      if (
        typeof key !== 'string' &&
        !(key instanceof Uint8Array) &&
        !(key !== null && typeof key === 'object')
      ) {
        throw new DataMaskingUnsupportedTypeError(`'hmac' for ${where} needs { key }`);
      }
      if ((typeof key === 'string' || key instanceof Uint8Array) && key.length === 0) {
        throw new DataMaskingUnsupportedTypeError(`'hmac' for ${where} needs a non-empty key`);
      }
      const k = key as string | Uint8Array | KeyObject;
      return onString((s) => createHmac('sha256', k).update(s, 'utf8').digest('hex'));
    }
    case 'keep': {
      const { first = 0, last = 0, ...other } = (r.keep ?? {}) as Record<string, unknown>;
      const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
      if (
        r.keep === null ||
        typeof r.keep !== 'object' ||
        Object.keys(other).length > 0 ||
        !count(first) ||
        !count(last) ||
        (first as number) + (last as number) === 0
      ) {
        throw new DataMaskingUnsupportedTypeError(
          `'keep' for ${where} must be { first?, last? } with whole numbers, not both 0`,
        );
      }
      return onString((s) => keepAround(s, first as number, last as number));
    }
    case 'tokenize': {
      const codec = tokenCodecOf(r.tokenize);
      if (codec === undefined) {
        throw new DataMaskingUnsupportedTypeError(
          `'tokenize' for ${where} must be a TokenKey of middy-data-masking/tokens`,
        );
      }
      return tokenizeLeaf(codec);
    }
    case 'digits':
      if (r.digits !== 'mask')
        throw new DataMaskingUnsupportedTypeError(`'digits' for ${where} must be 'mask'`);
      return onString((s) => s.replace(DIGIT, '*'));
    default:
      return (v) => (v === null || v === undefined ? v : DEFAULT_MASK);
  }
}

/** Tokens of every leaf but `null` and `undefined`: of its JSON text, so its type comes back. */
const tokenizeLeaf =
  (codec: TokenCodec) =>
  (value: unknown): unknown =>
    value === null || value === undefined ? value : codec.tokenize(value);

/** The token keys a rule uses (for the surfaces that await them before a synchronous erase). */
export function ruleTokenKeys(rule: unknown): TokenCodec[] {
  if (rule === null || typeof rule !== 'object') return [];
  const codec = tokenCodecOf((rule as { tokenize?: unknown }).tokenize);
  return codec === undefined ? [] : [codec];
}

const DIGIT = /\p{Nd}/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * `s` with its letters and digits masked by `*` except the first `first` and the last `last` of them;
 * separators (anything else) kept. Fewer letters and digits than `first + last` would all be shown: then
 * every one is masked.
 */
function keepAround(s: string, first: number, last: number): string {
  const chars = [...s]; // code points: a letter outside the BMP is one character
  const kinds = chars.map((ch) => LETTER_OR_DIGIT.test(ch));
  const total = kinds.filter(Boolean).length;
  const keepsSome = total > first + last;
  let seen = 0;
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    if (!kinds[i]) {
      out += chars[i];
      continue;
    }
    const kept = keepsSome && (seen < first || seen >= total - last);
    out += kept ? chars[i] : '*';
    seen++;
  }
  return out;
}
