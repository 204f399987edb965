/**
 * Bearer tokens, as in an `Authorization: Bearer <token>` header: the word `bearer` (any case, not glued
 * to a preceding word character), spaces or tabs, then a token of RFC 6750 `b64token` characters
 * (`[A-Za-z0-9._~+/=-]`). Only the token is masked; the word `Bearer` stays, so the log still says what
 * kind of credential was there.
 *
 * Linear: the word is found by a literal search; the blanks after it and the token are each read once,
 * since a token ends the search step and blanks cannot contain another `bearer`.
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
  TAB,
} from './detector.js';

const WORD_LENGTH = 'bearer'.length;

// Safe to share: each use sets `lastIndex` first and runs synchronously.
const WORD = /bearer/gi;

const isTokenChar = (code: number): boolean =>
  isAsciiLetter(code) ||
  isDigit(code) ||
  code === 0x2e || // .
  code === 0x5f || // _
  code === 0x7e || // ~
  code === 0x2b || // +
  code === 0x2f || // /
  code === 0x3d || // =
  code === 0x2d; // -

function findBearerToken(text: string, from: number): Span | undefined {
  WORD.lastIndex = from;
  for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
    if (isWordChar(codeBefore(text, match.index - 1, from))) continue;
    let start = match.index + WORD_LENGTH;
    const blanks = start;
    while (text.charCodeAt(start) === SPACE || text.charCodeAt(start) === TAB) start++;
    if (start === blanks) continue;
    let end = start;
    while (isTokenChar(text.charCodeAt(end))) end++;
    if (end > start) return [start, end];
  }
  return undefined;
}

/** Detects the token of `Bearer <token>`, as in `Authorization: Bearer abc.def`. */
export const bearerTokenDetector: Detector = scanDetector('bearerToken', findBearerToken);
