/**
 * International Bank Account Numbers (ISO 13616): a two-letter country code, two check digits and the
 * country's BBAN, exactly as long as the SWIFT IBAN registry says for that country, and valid under the
 * ISO 7064 mod-97 check (the whole number, rearranged, is 1 modulo 97).
 *
 * Written compact (`DE89370400440532013000`) or in the print format, groups of four separated by single
 * spaces (`DE89 3704 0044 0532 0130 00`). Lower case is accepted too (`de89…`, as in URLs and some forms);
 * the country code must be in one case. The number must stand alone: not glued to a word character on
 * either side, so an IBAN-shaped part of a longer identifier is left alone.
 *
 * The lengths are those of the registry's countries (release 2025), not of "partial IBAN" countries that
 * only some banks use; territories that use another country's code (French overseas departments use FR,
 * Jersey and Guernsey GB) need no entry of their own.
 *
 * Linear: a candidate starts only at a word start, reads at most 42 characters (34 plus 8 spaces), and a
 * failed candidate skips its whole word.
 *
 * @module
 */

import {
  codeBefore,
  type Detector,
  isAsciiLetter,
  isDigit,
  isWordChar,
  SPACE,
  type Span,
  scanDetector,
} from './detector.js';

/** IBAN length by country code, from the SWIFT IBAN registry. */
// biome-ignore format: a table reads better in rows
const LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23,
  IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27,
  MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27,
  SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
});

const GROUP = 4;

const isUpper = (code: number): boolean => code >= 0x41 && code <= 0x5a;
const isIbanChar = (code: number): boolean => isDigit(code) || isAsciiLetter(code);

/** The value of an IBAN character in the mod-97 check: digits as themselves, letters A=10 to Z=35. */
function charValue(code: number): number {
  if (isDigit(code)) return code - 0x30;
  return (code | 0x20) - 0x61 + 10;
}

/**
 * Whether the IBAN characters `chars` (positions into `text`, in order) pass ISO 7064 mod 97: the first
 * four moved to the end, letters expanded to two digits, the number modulo 97 is 1.
 */
function passesMod97(text: string, chars: readonly number[]): boolean {
  let remainder = 0;
  for (let k = 0; k < chars.length; k++) {
    const value = charValue(text.charCodeAt(chars[(k + GROUP) % chars.length]));
    remainder = (value < 10 ? remainder * 10 + value : remainder * 100 + value) % 97;
  }
  return remainder === 1;
}

/** The end of the IBAN that starts at `start`, or -1. */
function ibanEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  const second = text.charCodeAt(start + 1);
  if (!isAsciiLetter(second) || isUpper(first) !== isUpper(second)) return -1;
  if (!isDigit(text.charCodeAt(start + 2)) || !isDigit(text.charCodeAt(start + 3))) return -1;
  const length = LENGTHS[text.slice(start, start + 2).toUpperCase()];
  if (length === undefined) return -1;
  // Print format when a single space follows the first group; compact otherwise.
  const grouped = text.charCodeAt(start + GROUP) === SPACE;
  const chars: number[] = [];
  let i = start;
  while (chars.length < length) {
    if (grouped && chars.length > 0 && chars.length % GROUP === 0) {
      if (text.charCodeAt(i) !== SPACE) return -1;
      i++;
    }
    if (!isIbanChar(text.charCodeAt(i))) return -1;
    chars.push(i);
    i++;
  }
  if (isWordChar(text.charCodeAt(i))) return -1;
  return passesMod97(text, chars) ? i : -1;
}

function findIban(text: string, from: number): Span | undefined {
  let i = from;
  while (i < text.length) {
    if (!isWordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // `i` starts a word: `from` is 0 or the end of an IBAN, and every skip below lands past a word.
    if (isAsciiLetter(text.charCodeAt(i)) && !isWordChar(codeBefore(text, i - 1, from))) {
      const end = ibanEnd(text, i);
      if (end !== -1) return [i, end];
    }
    while (isWordChar(text.charCodeAt(i))) i++;
  }
  return undefined;
}

/** Detects IBANs such as `DE89 3704 0044 0532 0130 00` or `GB82WEST12345698765432`, mod-97 checked. */
export const ibanDetector: Detector = scanDetector(
  'iban',
  findIban,
  15, // the shortest registry length (NO, 15), compact; print format and other countries are longer
);
