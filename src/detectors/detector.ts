/**
 * The detector contract, the factory users build their own detectors with, and the small scanning kit the
 * built-in detectors share.
 *
 * Built-ins do not use one big regular expression each: JavaScript regular expressions backtrack, and the
 * obvious patterns for e-mail addresses or card numbers rescan long runs from every start position, which
 * is quadratic on hostile input. Each built-in instead finds a cheap anchor (`@`, a digit, `eyJ`, a key
 * name) and expands around it with bounded loops, so every detector stays linear in the input length.
 *
 * @module
 */

import { DataMaskingUnsupportedTypeError } from '../errors.js';

/** Finds sensitive values inside a string and masks only those substrings. */
export interface Detector {
  /** Stable name, e.g. `'email'`; configuration errors quote it. */
  readonly name: string;
  /**
   * Returns `text` with every detected substring replaced by `mask`; returns the very same string (`===`)
   * when nothing is detected. Must accept any string without throwing.
   */
  redact(text: string, mask: string): string;
  /**
   * A promise this detector makes: a string shorter than this (in UTF-16 code units) is returned
   * unchanged, whatever it holds. `redactString` skips the detector for such strings without calling
   * it, which saves most of the cost on the short keys and values a log entry is mostly made of. A value
   * too large hides data: it must not exceed the length of the shortest text the detector masks anything
   * in, context it requires included (`a@b.cd` gives 6 for an e-mail detector). Leave it out when unsure;
   * a detector without it is called on every string.
   */
  readonly minLength?: number;
}

/** Options of {@link patternDetector}. */
export interface PatternDetectorOptions {
  /** Stable name of the detector. */
  name: string;
  /**
   * What to mask. Cloned from its source and flags with `g` added and `y` (sticky) dropped, so every
   * match anywhere in the text is masked, in every call alike, and the caller's object (and its
   * `lastIndex`) is never touched. Its running time is the caller's responsibility: prefer patterns that
   * cannot backtrack across a long run.
   */
  pattern: RegExp;
  /** Second opinion on each match (a checksum, say): returning `false` leaves that match unmasked. */
  validate?: (match: string) => boolean;
}

/**
 * Builds a {@link Detector} from a regular expression: every non-empty match that `validate` accepts is
 * replaced by the mask. Empty matches are never masked, since masking them would insert the mask between
 * characters without hiding anything.
 *
 * @example
 * ```ts
 * const iban = patternDetector({ name: 'iban', pattern: /\bDE\d{20}\b/ });
 * iban.redact('pay to DE89370400440532013000 today', '*****'); // 'pay to ***** today'
 * ```
 * @throws {DataMaskingUnsupportedTypeError} when `name` is not a non-empty string, `pattern` is not a
 * RegExp or `validate` is neither a function nor undefined.
 */
export function patternDetector(options: PatternDetectorOptions): Detector {
  const { name, pattern, validate } = options ?? ({} as Partial<PatternDetectorOptions>);
  if (typeof name !== 'string' || name === '') {
    throw new DataMaskingUnsupportedTypeError('patternDetector: `name` must be a non-empty string');
  }
  if (!(pattern instanceof RegExp)) {
    throw new DataMaskingUnsupportedTypeError(
      `patternDetector ${JSON.stringify(name)}: \`pattern\` must be a RegExp`,
    );
  }
  if (validate !== undefined && typeof validate !== 'function') {
    throw new DataMaskingUnsupportedTypeError(
      `patternDetector ${JSON.stringify(name)}: \`validate\` must be a function`,
    );
  }
  // A private copy, global and never sticky: `y` would only match runs contiguous from the start of the
  // text, and dropping it finds at least as much (fail closed).
  const regex = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}g`);
  return Object.freeze({
    name,
    redact(text: string, mask: string): string {
      let changed = false;
      // A replacer function, not a replacement string, so `$&` or `$1` in a mask stays literal.
      const out = text.replace(regex, (match: string) => {
        if (match === '' || (validate !== undefined && !validate(match))) return match;
        changed = true;
        return mask;
      });
      return changed ? out : text;
    },
  });
}

/** A half-open `[start, end)` range of the text to mask. @internal */
export type Span = readonly [start: number, end: number];

/**
 * Returns the first span to mask that starts at or after `from` (the end of the previous span, or 0), or
 * `undefined` when there is none. Spans are non-empty. Text before `from` is about to be masked: read it
 * through {@link codeBefore}, so this pass decides as a second pass over the masked output would. @internal
 */
export type FindNext = (text: string, from: number) => Span | undefined;

/**
 * Builds a detector out of a span finder. The finder is called again from the end of each span, so a
 * finder that never looks back further than `from` keeps the whole scan linear. `minLength` is the
 * detector's {@link Detector.minLength}: no span can be found in a shorter text. @internal
 */
export function scanDetector(name: string, findNext: FindNext, minLength: number): Detector {
  return Object.freeze({
    name,
    minLength,
    redact(text: string, mask: string): string {
      let out = '';
      let copied = 0;
      let found = false;
      for (let span = findNext(text, 0); span !== undefined; span = findNext(text, span[1])) {
        out += text.slice(copied, span[0]) + mask;
        copied = span[1];
        found = true;
      }
      return found ? out + text.slice(copied) : text;
    },
  });
}

// Character classes by UTF-16 code unit. `charCodeAt` past either end gives NaN, which every test below
// rejects, so callers can peek beyond the text without bounds checks.

/** A space. @internal */
export const SPACE = 0x20;
/** A horizontal tab. @internal */
export const TAB = 0x09;
/** `-`. @internal */
export const HYPHEN = 0x2d;
/** `.`. @internal */
export const DOT = 0x2e;
/** `,`. @internal */
export const COMMA = 0x2c;
/** `:`. @internal */
export const COLON = 0x3a;
/** `_`. @internal */
export const UNDERSCORE = 0x5f;

/** `0-9`. @internal */
export const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/** `0-9A-Fa-f`. @internal */
export const isHexDigit = (code: number): boolean =>
  isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

/** `A-Za-z`. @internal */
export const isAsciiLetter = (code: number): boolean =>
  (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);

/** `A-Za-z0-9`. @internal */
export const isAlphanumeric = (code: number): boolean => isDigit(code) || isAsciiLetter(code);

/** `A-Za-z0-9_`, what `\w` matches. @internal */
export const isWordChar = (code: number): boolean => isAlphanumeric(code) || code === UNDERSCORE;

/**
 * The code unit at `index`, or NaN when `index` is before `from`, that is inside the span masked just
 * before: a look-behind has to see the mask there, not the secret it hides, or masking one match could
 * reveal another on the next pass. @internal
 */
export const codeBefore = (text: string, index: number, from: number): number =>
  index >= from ? text.charCodeAt(index) : Number.NaN;

/** The most separator characters between `Authorization` and the scheme after it, as in `\\": \\"`. */
const MAX_HEADER_SEPARATORS = 8;
const AUTHORIZATION = 'authorization';

/** Characters that may separate a header name from its value in headers, JSON and escaped JSON. */
const isHeaderSeparator = (code: number): boolean =>
  code === SPACE ||
  code === TAB ||
  code === COLON ||
  code === 0x3d || // =
  code === 0x22 || // "
  code === 0x27 || // '
  code === 0x5c; // \

/**
 * Whether the scheme word (`Basic`, `Bearer`) at `at` directly follows an `Authorization` header name (any
 * case, `Proxy-Authorization` too), with only separator characters between them (`Authorization: `,
 * `"authorization":"`, JSON-escaped quotes). The name must lie at or after `from`: text before it is about
 * to be masked, and a mask there (another detector's) breaks the link, so a second pass cannot find a
 * credential the first one left alone. Reads at most 8 separators and the name. @internal
 */
export function followsAuthorizationHeader(text: string, at: number, from: number): boolean {
  let i = at;
  while (at - i < MAX_HEADER_SEPARATORS && isHeaderSeparator(codeBefore(text, i - 1, from))) i--;
  const start = i - AUTHORIZATION.length;
  return (
    i < at &&
    start >= from &&
    text.slice(start, i).toLowerCase() === AUTHORIZATION &&
    !isAlphanumeric(codeBefore(text, start - 1, from))
  );
}

/** The index just past the run of digits that starts at `index`. @internal */
export function digitsEnd(text: string, index: number): number {
  while (isDigit(text.charCodeAt(index))) index++;
  return index;
}

/** How the body after one prefix of {@link prefixedTokenFinder} is read. @internal */
export interface TokenBody {
  /** Characters the body is made of; the body is the whole run of them after the prefix. */
  readonly isChar: (code: number) => boolean;
  /** The fewest body characters a token has. */
  readonly min: number;
  /**
   * A further check on the body `text[start, end)`. It must reject every suffix of a body it rejects
   * (as "has a digit" does), since the search skips rejected bodies whole.
   */
  readonly accept?: (text: string, start: number, end: number) => boolean;
  /** Mask the body only, leaving the prefix readable. */
  readonly keepPrefix?: boolean;
}

/**
 * A span finder for tokens that start with a fixed prefix (`ghp_`, `sk_live_`, `AIza`): the prefix must
 * not be glued to a preceding character of `isGlue`, and the body is the whole run of body characters
 * after it, at least `min` long. "At least" rather than "exactly" keeps a second pass quiet: masking
 * another value glued to a token can only shorten a run, never make a rejected run acceptable.
 * `longestPrefix` is the length of the longest text `prefixes` can match.
 *
 * Linear: prefixes are found by one global search. A glued prefix costs one read. After a token rejected
 * for its body, the search resumes near the body's end: a prefix lying wholly inside the body is glued to
 * it or has a suffix of it for its body, which `accept` rejects too, so only a prefix that starts in the
 * body's last `longestPrefix - 1` characters and runs past it is still to be tried. @internal
 */
export function prefixedTokenFinder(
  prefixes: RegExp,
  longestPrefix: number,
  isGlue: (code: number) => boolean,
  bodyOf: (prefix: string) => TokenBody,
): FindNext {
  // A private global copy, so the caller's expression (and its `lastIndex`) is never touched.
  const search = new RegExp(prefixes.source, `${prefixes.flags.replace(/[gy]/g, '')}g`);
  return (text, from) => {
    search.lastIndex = from;
    for (let match = search.exec(text); match !== null; match = search.exec(text)) {
      const start = match.index;
      if (isGlue(codeBefore(text, start - 1, from))) {
        // A shorter prefix may start inside this one (`xoxp-` in `xoxe.xoxp-`) and not be glued; a later
        // mask of the glue would reveal it, so it is tried now.
        search.lastIndex = start + 1;
        continue;
      }
      const bodyStart = start + match[0].length;
      const body = bodyOf(match[0]);
      let end = bodyStart;
      while (body.isChar(text.charCodeAt(end))) end++;
      if (end - bodyStart >= body.min && (body.accept === undefined || body.accept(text, bodyStart, end))) {
        return [body.keepPrefix === true ? bodyStart : start, end];
      }
      search.lastIndex = Math.max(start + 1, end - longestPrefix + 1);
    }
    return undefined;
  };
}

/**
 * Where the credential after an authentication scheme word (`Basic`, `Bearer`) starts: the word must not
 * be glued to a word character before it, and must be followed by at least one space or tab. Returns -1
 * when it is not. @internal
 */
export function credentialAfter(text: string, wordStart: number, wordLength: number, from: number): number {
  if (isWordChar(codeBefore(text, wordStart - 1, from))) return -1;
  let start = wordStart + wordLength;
  const blanks = start;
  while (text.charCodeAt(start) === SPACE || text.charCodeAt(start) === TAB) start++;
  return start === blanks ? -1 : start;
}
