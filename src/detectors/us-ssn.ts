/**
 * US Social Security numbers written `123-45-6789` or `123 45 6789`.
 *
 * The number must stand alone: not glued to a letter or digit, and not continued by a dash, decimal point
 * or comma and another digit (`1-123-45-6789`, `123-45-6789-0`). The same joiners count on both sides and
 * for both forms, so two numbers that reject each other keep doing so once one is masked, and a second
 * pass over the output finds nothing new. Numbers the Social
 * Security Administration never issues (area 000, 666 or 900-999, group 00, serial 0000) are left alone,
 * which rules out most dates and ids of the same shape.
 *
 * Linear: candidates start only at the first digit of a digit group, each costs at most 11 reads, and a
 * failed group is skipped whole.
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

const LENGTH = 11;
/** Where the digits of `123-45-6789` are, relative to its start. */
const DIGIT_OFFSETS = [0, 1, 2, 4, 5, 7, 8, 9, 10];

/** Characters that, between two digits, make them one longer number. */
const joinsDigits = (code: number): boolean => code === HYPHEN || code === DOT || code === COMMA;

/** The numeric value of the digits `text[start, end)`; callers have checked they are digits. */
function numberAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return value;
}

function isSsnAt(text: string, i: number, from: number): boolean {
  const separator = text.charCodeAt(i + 3);
  if (separator !== HYPHEN && separator !== SPACE) return false;
  if (text.charCodeAt(i + 6) !== separator) return false;
  for (const offset of DIGIT_OFFSETS) {
    if (!isDigit(text.charCodeAt(i + offset))) return false;
  }
  const before = codeBefore(text, i - 1, from);
  if (isWordChar(before) || (joinsDigits(before) && isDigit(codeBefore(text, i - 2, from)))) {
    return false;
  }
  const after = text.charCodeAt(i + LENGTH);
  if (isWordChar(after) || (joinsDigits(after) && isDigit(text.charCodeAt(i + LENGTH + 1)))) {
    return false;
  }
  const area = numberAt(text, i, i + 3);
  return (
    area !== 0 &&
    area !== 666 &&
    area < 900 &&
    numberAt(text, i + 4, i + 6) !== 0 &&
    numberAt(text, i + 7, i + 11) !== 0
  );
}

function findSsn(text: string, from: number): Span | undefined {
  let i = from;
  while (i < text.length) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    if (isSsnAt(text, i, from)) return [i, i + LENGTH];
    i = digitsEnd(text, i);
  }
  return undefined;
}

/** Detects US Social Security numbers such as `123-45-6789`. */
export const usSsnDetector: Detector = scanDetector(
  'usSsn',
  findSsn,
  11, // LENGTH: only `123-45-6789` and `123 45 6789` are read, 9 digits and 2 separators; no dashless form
);
