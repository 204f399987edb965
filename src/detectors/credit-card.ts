/**
 * Payment card numbers: 13 to 19 digits, contiguous or grouped by single spaces, dashes or dots, that pass the
 * Luhn check and start with a major industry identifier of 2 to 6 (banking and finance; this keeps 13-digit
 * millisecond timestamps, which start with 1, from being masked one time in ten).
 *
 * Grouped numbers start with a 4-digit group followed by groups of 3 to 6 digits, all joined by the same
 * separator, which covers the printed 4-4-4-4, 4-6-5, 4-6-4 and 4-4-4-4-3 layouts without turning a list
 * of small numbers into a card. A contiguous run longer than 19 digits is never a card, nor is a number
 * glued to a letter or inside a decimal such as `0.4111111111111111`. Dots group a card only from a first
 * group of exactly four digits onwards and only as the one separator (`4111.1111.1111.1111`): a price or
 * decimal (`1234.56`, `0.4111.1111.1111.1111`) never starts one, because a first group must not follow a
 * digit and a dot, and later groups of fewer than three digits end the number.
 *
 * Linear: candidates start only at the first digit of a digit group, and from there at most 19 digits
 * (a bounded number of groups) are read before giving up and skipping the whole group.
 *
 * @module
 */

import {
  COMMA,
  codeBefore,
  type Detector,
  DOT,
  digitsEnd,
  HYPHEN,
  isDigit,
  isWordChar,
  SPACE,
  type Span,
  scanDetector,
} from './detector.js';

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
const FIRST_GROUP = 4;
const MIN_GROUP = 3;
const MAX_GROUP = 6;

/** A decimal point or thousands separator between digits joins them into one number. */
const joinsDigits = (code: number): boolean => code === DOT || code === COMMA;

/** Whether the number starting at `start` stands on its own on the left. */
function freeBefore(text: string, start: number, from: number): boolean {
  const code = codeBefore(text, start - 1, from);
  return !isWordChar(code) && !(joinsDigits(code) && isDigit(codeBefore(text, start - 2, from)));
}

/** Whether the number ending at `end` stands on its own on the right. */
function freeAfter(text: string, end: number): boolean {
  const code = text.charCodeAt(end);
  return !isWordChar(code) && !(joinsDigits(code) && isDigit(text.charCodeAt(end + 1)));
}

/** The Luhn checksum and issuer check over the digits of `text[start, end)`, separators skipped. */
function isCardNumber(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start) - 0x30;
  if (first < 2 || first > 6) return false;
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) continue;
    let digit = code - 0x30;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * The end of the longest card number that starts with the digit group `[start, groupEnd)`, or -1. The
 * longest wins so that a 19-digit number is not masked as a 16-digit one plus a visible tail.
 */
function cardEnd(text: string, start: number, groupEnd: number): number {
  const firstLength = groupEnd - start;
  if (firstLength >= MIN_DIGITS && firstLength <= MAX_DIGITS) {
    return freeAfter(text, groupEnd) && isCardNumber(text, start, groupEnd) ? groupEnd : -1;
  }
  if (firstLength !== FIRST_GROUP) return -1;
  const separator = text.charCodeAt(groupEnd);
  if (separator !== SPACE && separator !== HYPHEN && separator !== DOT) return -1;
  let best = -1;
  let digits = FIRST_GROUP;
  let end = groupEnd;
  while (text.charCodeAt(end) === separator) {
    const next = end + 1;
    let nextEnd = next;
    // Bounded: one digit past the longest group is enough to reject it.
    while (nextEnd - next <= MAX_GROUP && isDigit(text.charCodeAt(nextEnd))) nextEnd++;
    const length = nextEnd - next;
    if (length < MIN_GROUP || length > MAX_GROUP || digits + length > MAX_DIGITS) break;
    digits += length;
    end = nextEnd;
    if (digits >= MIN_DIGITS && freeAfter(text, end) && isCardNumber(text, start, end)) best = end;
  }
  return best;
}

function findCard(text: string, from: number): Span | undefined {
  let i = from;
  while (i < text.length) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // `i` starts a digit group: `from` is 0 or the end of a card, and every skip lands past a group.
    const groupEnd = digitsEnd(text, i);
    if (freeBefore(text, i, from)) {
      const end = cardEnd(text, i, groupEnd);
      if (end !== -1) return [i, end];
    }
    i = groupEnd;
  }
  return undefined;
}

/** Detects Luhn-valid payment card numbers such as `4111 1111 1111 1111` or `378282246310005`. */
export const creditCardDetector: Detector = scanDetector(
  'creditCard',
  findCard,
  13, // MIN_DIGITS (13) contiguous; grouped numbers add separators (4+3+3+3 digits: 16 characters)
);
