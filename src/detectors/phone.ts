/**
 * Telephone numbers: international numbers in E.164 style and North American (NANP) numbers in the
 * shapes people write them.
 *
 * International: `+`, then 8 to 15 digits in groups separated by single spaces, dashes or dots, with at
 * most one parenthesised group (`+44 20 7946 0958`, `+1 (415) 555-0132`, `+44 (0)20 7946 0958`,
 * `+14155550132`). A country code of 1 is NANP and must be followed by exactly ten digits that pass the
 * NANP rules below. Once a dash or dot has separated two groups, a space ends the number (`+1-415-555-0132 24
 * hours`); when more groups follow than 15 digits allow, the longest valid number is masked. A single dot
 * (`+123456.78`) or dots between groups of three (`+20.000.000`) make a decimal number, not a phone.
 *
 * North American: `(415) 555-0132`, `(415)555-0132`, `415-555-0132`, `415.555.0132`, `415 555 0132`, with
 * an optional leading `1` (`1-415-555-0132`, `1 (415) 555-0132`). The separators between the groups must be
 * the same (after a parenthesised area code, any of them). Area code and exchange start with 2 to 9 and are
 * not N11 (`911`, `411`), which rules out many dates, amounts and ids of the same shape. A bare run of ten
 * digits (an order number, an epoch) is never a phone without a keyword (see {@link phoneDetector}).
 *
 * A number must stand alone: not glued to a word character, not joined to another number by `-`, `.` or
 * `,` (the card and SSN detectors reject numbers so joined, and a mask here must not free one of them on a
 * second pass), not after `-` glued to a word (`ORD-415-555-0132`), and, when written with spaces only, not
 * amid other space-separated numbers (`256 512 1024 2048`). A number that opens with `+` or `(` is not
 * joined by what precedes it (those detectors only look for a digit there), and only a letter other than a
 * hex digit glues it (`x+14155550132`). Dates (`2026-12-01`), times (`10:30:00`),
 * versions (`1.2.3`), prices, UUID fragments and IP addresses do not have these shapes. A group that belongs
 * to an IP address (a dotted quad, or a group next to a `:` inside an address) is never part of a number,
 * and counts as a boundary rather than a neighbouring number, so the IP address detector, which runs after
 * this one, cannot change what this one decides on a second pass.
 *
 * Linear: candidates start at `+`, `(` or the first digit of a group; each candidate reads a bounded number
 * of characters (at most 15 digits and their separators, the groups next to it, and the keyword window).
 *
 * @module
 */

import { DataMaskingUnsupportedTypeError } from '../errors.js';
import {
  COLON,
  COMMA,
  codeBefore,
  type Detector,
  DOT,
  digitsEnd,
  type FindNext,
  HYPHEN,
  isAsciiLetter,
  isDigit,
  isHexDigit,
  isWordChar,
  SPACE,
  scanDetector,
} from './detector.js';
import { isAddressChar, isIpv4 } from './ip-address.js';

/** Options of {@link phoneDetector}. */
export interface PhoneDetectorOptions {
  /**
   * Mask only numbers with a keyword (see `keywords`) at most `window` characters before them, as Amazon
   * CloudWatch Logs data protection does. Such numbers may also be written as a bare run of ten digits
   * (or eleven starting with 1), as long as they pass the NANP rules. Default `false`.
   */
  readonly requireKeyword?: boolean;
  /**
   * Words that make a number a phone number, matched in any case at the start of a word (`phone` matches
   * `Phone`, `phone_number` and `contactPhone`, not `smartphone`). Default `phone`, `tel`, `mobile`,
   * `cell`, `fax`, `call`.
   */
  readonly keywords?: readonly string[];
  /**
   * The most characters between the end of a keyword and the number, 1 to 1000. Default 30, the distance
   * CloudWatch Logs uses.
   */
  readonly window?: number;
}

const DEFAULT_KEYWORDS: readonly string[] = Object.freeze(['phone', 'tel', 'mobile', 'cell', 'fax', 'call']);
const DEFAULT_WINDOW = 30;
const MAX_WINDOW = 1000;
const MAX_KEYWORD = 64;
const OPTIONS: ReadonlySet<string> = new Set(['requireKeyword', 'keywords', 'window']);

const MIN_E164 = 8;
const MAX_E164 = 15;
const PLUS = 0x2b;
const OPEN = 0x28;
const CLOSE = 0x29;
/** No separator between two groups, as in `(415)555`. */
const NONE = -1;

const isSeparator = (code: number): boolean => code === SPACE || code === HYPHEN || code === DOT;
const isJoiner = (code: number): boolean => code === HYPHEN || code === DOT || code === COMMA;
const isHexLetter = (code: number): boolean => isHexDigit(code) && !isDigit(code);

/**
 * Whether the digit group `[start, end)` belongs to an IP address: a group of a dotted quad, or a group
 * next to a `:` that joins it to more address characters (`10.0.0.1:8080`, `fe80::1`, `2001:db8:…`). The
 * IP address detector masks only such groups, so treating them as boundaries here makes this detector
 * decide alike before and after that one ran.
 */
function isAddressGroup(text: string, start: number, end: number, from: number): boolean {
  const at = (index: number): number => codeBefore(text, index, from);
  if (at(start - 1) === DOT || text.charCodeAt(end) === DOT) {
    const isQuadChar = (code: number): boolean => isDigit(code) || code === DOT;
    let quadStart = start;
    while (start - quadStart <= 16 && isQuadChar(at(quadStart - 1))) quadStart--;
    let quadEnd = end;
    while (quadEnd - end <= 16 && isQuadChar(text.charCodeAt(quadEnd))) quadEnd++;
    if (text.charCodeAt(quadEnd - 1) === DOT) quadEnd--;
    if (isIpv4(text, quadStart, quadEnd)) return true;
  }
  if (text.charCodeAt(end) === COLON && isAddressChar(text.charCodeAt(end + 1))) return true;
  if (at(start - 1) !== COLON) return false;
  // After `:`: an address group when the colon follows an address character, possibly across the hex
  // letters of a group (`…:abcd:1`). A word before the colon (`Phone:415`, `tel:`) makes it a key.
  let i = start - 2;
  while (start - 2 - i < 5 && isHexLetter(at(i))) i--;
  return start - 2 - i < 5 && isAddressChar(at(i));
}

/**
 * Whether the digit group `[start, end)` is a number of its own next to a candidate: not glued to a word
 * character and not part of an IP address.
 */
function isPlainGroup(text: string, start: number, end: number, from: number): boolean {
  return (
    !isWordChar(codeBefore(text, start - 1, from)) &&
    !isWordChar(text.charCodeAt(end)) &&
    !isAddressGroup(text, start, end, from)
  );
}

/** Whether the six digits of area code and exchange follow the NANP rules: 2-9 first, not N11. */
function isNanp(digits: string): boolean {
  return (
    digits.charCodeAt(0) >= 0x32 &&
    digits.charCodeAt(3) >= 0x32 &&
    !(digits[1] === '1' && digits[2] === '1') &&
    !(digits[4] === '1' && digits[5] === '1')
  );
}

/** Whether a number ending at `end` stands alone on the right. */
function freeAfter(text: string, end: number): boolean {
  const code = text.charCodeAt(end);
  return !isWordChar(code) && !(isJoiner(code) && isDigit(text.charCodeAt(end + 1)));
}

/** Whether a number starting at `start` stands alone on the left. */
function freeBefore(text: string, start: number, from: number): boolean {
  const code = codeBefore(text, start - 1, from);
  if (isWordChar(code) || code === PLUS) return false;
  if (!isJoiner(code)) return true;
  const before = codeBefore(text, start - 2, from);
  return !isDigit(before) && !(code === HYPHEN && isWordChar(before));
}

/**
 * Whether the `+` or `(` at `start` may open a number. Only a word character that is not a hex digit glues
 * it to a word (`x+1…`): a digit, hex letter, `.`, `:` or `-` before it may end an IP address that the IP
 * detector masks after this one, and this one must decide alike with the address or the mask there.
 */
function opensNumber(text: string, start: number, from: number): boolean {
  const code = codeBefore(text, start - 1, from);
  return code !== PLUS && !(isWordChar(code) && !isHexDigit(code));
}

/** The most digits a neighbouring group is read for; a longer one is a number all the same. */
const MAX_NEIGHBOUR = 24;

/**
 * Whether a number written with spaces only, or as a bare run of digits, has no plain number beside it one
 * space away (`256 512 1024 2048`). A number on the right that this detector masks itself (`415-555-0132`)
 * does not count: once masked it would no longer stand in the way, and a second pass would mask this one.
 */
function aloneAmidSpaces(text: string, start: number, end: number, from: number): boolean {
  if (codeBefore(text, start - 1, from) === SPACE && isDigit(codeBefore(text, start - 2, from))) {
    let groupStart = start - 2;
    while (start - groupStart < MAX_NEIGHBOUR && isDigit(codeBefore(text, groupStart - 1, from)))
      groupStart--;
    if (start - groupStart >= MAX_NEIGHBOUR || isPlainGroup(text, groupStart, start - 1, from)) return false;
  }
  if (text.charCodeAt(end) === SPACE && isDigit(text.charCodeAt(end + 1))) {
    let groupEnd = end + 1;
    while (groupEnd - end < MAX_NEIGHBOUR && isDigit(text.charCodeAt(groupEnd))) groupEnd++;
    if (groupEnd - end >= MAX_NEIGHBOUR) return false;
    if (isPlainGroup(text, end + 1, groupEnd, from)) {
      const next = nanpShape(text, end + 1);
      if (next === undefined || next.spaced) return false;
    }
  }
  return true;
}

/** A NANP number found by {@link nanpShape}: where it ends, and whether spaces alone separate its groups. */
interface Nanp {
  readonly end: number;
  readonly spaced: boolean;
}

/**
 * The NANP number written with separators that starts at `start`, standing alone on the right, or
 * undefined. Whether it stands alone on the left, and amid spaces, is for the caller to check.
 */
function nanpShape(text: string, start: number): Nanp | undefined {
  let i = start;
  let lead = NONE;
  if (text.charCodeAt(i) === 0x31 && !isDigit(text.charCodeAt(i + 1))) {
    const separator = text.charCodeAt(i + 1);
    if (separator === OPEN) {
      i += 1;
    } else if (
      isSeparator(separator) &&
      (isDigit(text.charCodeAt(i + 2)) || text.charCodeAt(i + 2) === OPEN)
    ) {
      lead = separator;
      i += 2;
    } else {
      return undefined;
    }
  }
  const threeAt = (index: number): boolean =>
    isDigit(text.charCodeAt(index)) &&
    isDigit(text.charCodeAt(index + 1)) &&
    isDigit(text.charCodeAt(index + 2));
  let digits: string;
  let first: number;
  const paren = text.charCodeAt(i) === OPEN;
  if (paren) {
    if (!threeAt(i + 1) || text.charCodeAt(i + 4) !== CLOSE) return undefined;
    digits = text.slice(i + 1, i + 4);
    i += 5;
    first = text.charCodeAt(i);
    if (first === SPACE || first === HYPHEN) i++;
    else first = NONE;
  } else {
    if (!threeAt(i)) return undefined;
    digits = text.slice(i, i + 3);
    first = text.charCodeAt(i + 3);
    if (!isSeparator(first) || (lead !== NONE && lead !== first)) return undefined;
    i += 4;
  }
  if (!threeAt(i)) return undefined;
  const second = text.charCodeAt(i + 3);
  if (paren ? !isSeparator(second) : second !== first) return undefined;
  digits += text.slice(i, i + 3);
  i += 4;
  if (!threeAt(i) || !isDigit(text.charCodeAt(i + 3)) || isDigit(text.charCodeAt(i + 4))) return undefined;
  const end = i + 4;
  if (!isNanp(digits) || !freeAfter(text, end)) return undefined;
  return { end, spaced: !paren && first === SPACE };
}

/** The end of a NANP number written with separators that starts at `start`, or -1. */
function nanpEnd(text: string, start: number, from: number): number {
  const nanp = nanpShape(text, start);
  if (nanp === undefined || (nanp.spaced && !aloneAmidSpaces(text, start, nanp.end, from))) return -1;
  return nanp.end;
}

/** The end of a bare NANP number (ten digits, or eleven starting with 1) starting at `start`, or -1. */
function bareNanpEnd(text: string, start: number, from: number): number {
  const end = digitsEnd(text, start);
  const length = end - start;
  const offset = length === 11 && text.charCodeAt(start) === 0x31 ? 1 : 0;
  if (length - offset !== 10 || !freeAfter(text, end) || !aloneAmidSpaces(text, start, end, from)) return -1;
  return isNanp(text.slice(start + offset, start + offset + 6)) ? end : -1;
}

/** A group boundary of an international number: where it ends and the digits up to it. */
interface Boundary {
  readonly end: number;
  readonly digits: string;
  readonly dots: number;
  readonly threes: boolean;
}

function isE164(boundary: Boundary): boolean {
  const { digits, dots, threes } = boundary;
  if (digits.length < MIN_E164 || digits.length > MAX_E164 || digits[0] === '0') return false;
  if (dots === 1 || (dots > 0 && threes)) return false;
  return digits[0] === '1' ? digits.length === 11 && isNanp(digits.slice(1)) : true;
}

/** The end of the international number whose `+` is at `plus`, or -1. */
function e164End(text: string, plus: number, from: number): number {
  const boundaries: Boundary[] = [];
  let digits = '';
  let dots = 0;
  let threes = true;
  let dashOrDot = false;
  let parenUsed = false;
  let i = plus + 1;
  for (;;) {
    const paren: boolean = text.charCodeAt(i) === OPEN && !parenUsed;
    const groupStart = paren ? i + 1 : i;
    const groupEnd = digitsEnd(text, groupStart);
    if (groupEnd === groupStart || (paren && text.charCodeAt(groupEnd) !== CLOSE)) break;
    if (isAddressGroup(text, groupStart, groupEnd, from)) break;
    if (digits.length + groupEnd - groupStart > MAX_E164) break;
    if (digits !== '' && groupEnd - groupStart !== 3) threes = false;
    digits += text.slice(groupStart, groupEnd);
    parenUsed ||= paren;
    i = paren ? groupEnd + 1 : groupEnd;
    boundaries.push({ end: i, digits, dots, threes });
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    const opensNext = next === OPEN && !parenUsed && isDigit(text.charCodeAt(i + 2));
    if ((code === HYPHEN || code === DOT || (code === SPACE && !dashOrDot)) && (isDigit(next) || opensNext)) {
      if (code !== SPACE) dashOrDot = true;
      if (code === DOT) dots++;
      i++;
    } else if (!(code === OPEN && !parenUsed && isDigit(next)) && !(paren && isDigit(code))) {
      break;
    }
  }
  for (let k = boundaries.length - 1; k >= 0; k--) {
    if (isE164(boundaries[k]) && freeAfter(text, boundaries[k].end)) return boundaries[k].end;
  }
  return -1;
}

/** Whether a keyword ends at most `window` characters before the number that starts at `start`. */
type KeywordTest = (text: string, start: number, from: number) => boolean;

function keywordTest(keywords: readonly string[], window: number): KeywordTest {
  const escaped = keywords.map((keyword) => keyword.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'));
  const pattern = new RegExp(escaped.join('|'), 'gi');
  const longest = Math.max(...keywords.map((keyword) => keyword.length));
  return (text, start, from) => {
    // A list after one keyword (`phones: …, …, …`): a number close after the previous one shares its
    // keyword, so masking the first numbers cannot bring the keyword within reach of a later one.
    if (from > 0 && start - from <= window) return true;
    const windowStart = Math.max(from, start - window - longest);
    const slice = text.slice(windowStart, start);
    pattern.lastIndex = 0;
    for (let match = pattern.exec(slice); match !== null; match = pattern.exec(slice)) {
      const index = windowStart + match.index;
      const before = codeBefore(text, index - 1, from);
      const first = text.charCodeAt(index);
      const camel = first <= 0x5a && before >= 0x61 && before <= 0x7a;
      if (start - (index + match[0].length) <= window && (!isAsciiLetter(before) || camel)) return true;
      pattern.lastIndex = match.index + 1;
    }
    return false;
  };
}

function phoneFinder(keyword: KeywordTest | undefined): FindNext {
  return (text, from) => {
    const accept = (start: number, end: number): boolean =>
      end !== -1 && (keyword === undefined || keyword(text, start, from));
    let i = from;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === PLUS || code === OPEN) {
        if (opensNumber(text, i, from)) {
          const end = code === PLUS ? e164End(text, i, from) : nanpEnd(text, i, from);
          if (accept(i, end)) return [i, end];
        }
        i++;
      } else if (isDigit(code)) {
        if (isWordChar(codeBefore(text, i - 1, from))) {
          while (isWordChar(text.charCodeAt(i))) i++;
          continue;
        }
        const groupEnd = digitsEnd(text, i);
        if (freeBefore(text, i, from) && !isAddressGroup(text, i, groupEnd, from)) {
          const end = nanpEnd(text, i, from);
          if (accept(i, end)) return [i, end];
          const bare = keyword === undefined ? -1 : bareNanpEnd(text, i, from);
          if (accept(i, bare)) return [i, bare];
        }
        i = groupEnd;
      } else if (isWordChar(code)) {
        while (isWordChar(text.charCodeAt(i))) i++;
      } else {
        i++;
      }
    }
    return undefined;
  };
}

/**
 * Builds a phone number detector. Without options it is the built-in `phone` detector; with
 * `requireKeyword: true` it masks only numbers that a keyword such as `phone` or `tel` precedes, as Amazon
 * CloudWatch Logs data protection does, which also lets it accept bare ten-digit numbers.
 *
 * The keyword window is counted in the text the detector is given. As a custom detector, a keyword
 * detector runs before the built-ins; when one of them masks a long value between a keyword and a number
 * with a shorter mask, a second pass over the output can find that number within reach.
 *
 * @example
 * ```ts
 * const phone = phoneDetector({ requireKeyword: true, keywords: ['phone', 'tel', 'whatsapp'] });
 * phone.redact('tel: 4155550132, order 4155550199', '*****'); // 'tel: *****, order 4155550199'
 * ```
 * @throws {DataMaskingUnsupportedTypeError} when `options` is not an object, has an option other than
 * `requireKeyword`, `keywords` and `window`, or one of them has the wrong type or range.
 */
export function phoneDetector(options?: PhoneDetectorOptions): Detector {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new DataMaskingUnsupportedTypeError('phoneDetector: options must be an object');
  }
  for (const key of Object.keys(options ?? {})) {
    if (!OPTIONS.has(key)) {
      throw new DataMaskingUnsupportedTypeError(
        `phoneDetector: unknown option ${JSON.stringify(key)}; options are requireKeyword, keywords, window`,
      );
    }
  }
  const { requireKeyword = false, keywords = DEFAULT_KEYWORDS, window = DEFAULT_WINDOW } = options ?? {};
  if (typeof requireKeyword !== 'boolean') {
    throw new DataMaskingUnsupportedTypeError('phoneDetector: `requireKeyword` must be a boolean');
  }
  if (
    !Array.isArray(keywords) ||
    keywords.length === 0 ||
    keywords.some((keyword) => typeof keyword !== 'string' || keyword === '' || keyword.length > MAX_KEYWORD)
  ) {
    throw new DataMaskingUnsupportedTypeError(
      `phoneDetector: \`keywords\` must be a non-empty array of strings of 1 to ${MAX_KEYWORD} characters`,
    );
  }
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
    throw new DataMaskingUnsupportedTypeError(
      `phoneDetector: \`window\` must be an integer from 1 to ${MAX_WINDOW}`,
    );
  }
  return scanDetector(
    'phone',
    phoneFinder(requireKeyword ? keywordTest([...keywords], window) : undefined),
    9, // `+` + MIN_E164 (8) digits; NANP forms are 12 or more, a bare keyword number 10 digits + its keyword
  );
}

/** Detects phone numbers such as `+44 20 7946 0958`, `+1 (415) 555-0132` or `415-555-0132`. */
export const phoneNumberDetector: Detector = phoneDetector();
