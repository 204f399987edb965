/**
 * E-mail addresses (`local@domain.tld`), found from each `@` outwards.
 *
 * Linear: the local part is read backwards from an `@` and the domain forwards, and neither may cross
 * another `@`, so each character is read by at most the `@` before it and the `@` after it.
 *
 * @module
 */

import { type Detector, DOT, HYPHEN, isAsciiLetter, isDigit, type Span, scanDetector } from './detector.js';

const UNDERSCORE = 0x5f;
const PERCENT = 0x25;
const PLUS = 0x2b;

const isLocalChar = (code: number): boolean =>
  isAsciiLetter(code) ||
  isDigit(code) ||
  code === DOT ||
  code === UNDERSCORE ||
  code === PERCENT ||
  code === PLUS ||
  code === HYPHEN;

/**
 * Where the domain that starts at `start` ends, or -1 when there is none. The domain is the longest run
 * of dot-separated labels (`[A-Za-z0-9-]+`) that has at least two labels and ends in an all-letter label
 * of two or more letters, so a sentence's final dot or a trailing `.x1` stays outside the mask.
 */
function domainEnd(text: string, start: number): number {
  let end = -1;
  let labels = 0;
  let i = start;
  for (;;) {
    const labelStart = i;
    let lettersOnly = true;
    // The run of letters a label starts with: `com` in `example.com1` or `example.com-x` still ends an
    // address (the digit or hyphen after it belongs to the surrounding text).
    let leadingLetters = 0;
    for (;;) {
      const code = text.charCodeAt(i);
      if (isAsciiLetter(code)) {
        if (lettersOnly) leadingLetters++;
      } else if (isDigit(code) || code === HYPHEN) {
        lettersOnly = false;
      } else {
        break;
      }
      i++;
    }
    if (i === labelStart) return end;
    labels++;
    if (labels >= 2 && lettersOnly && i - labelStart >= 2) end = i;
    else if (labels >= 2 && leadingLetters >= 2) end = labelStart + leadingLetters;
    if (text.charCodeAt(i) !== DOT) return end;
    i++;
  }
}

function findEmail(text: string, from: number): Span | undefined {
  for (let at = text.indexOf('@', from); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    // `from` bounds the walk so an address never reaches into the previous mask.
    while (start > from && isLocalChar(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    const end = domainEnd(text, at + 1);
    if (end !== -1) return [start, end];
  }
  return undefined;
}

/** Detects e-mail addresses such as `jane.doe+tag@mail.example.co.uk`. */
export const emailDetector: Detector = scanDetector('email', findEmail);
