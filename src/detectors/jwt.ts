/**
 * JSON Web Tokens (and other JOSE compact serializations): base64url segments joined by dots, the first
 * starting with `eyJ` (the encoding of `{"`).
 *
 * At least three non-empty segments are required, and every further segment is masked too, so a
 * five-segment JWE does not leave its ciphertext visible. An unsecured JWT (`alg: none`) has an empty
 * signature and ends in a dot; it is masked with that dot. The token must not be glued to a preceding
 * base64url character, so `eyJ` in the middle of some other identifier is not an anchor.
 *
 * Linear: a failed anchor has read at most two segments, and the search resumes after the first one, so
 * each character is read at most twice.
 *
 * @module
 */

import {
  codeBefore,
  type Detector,
  DOT,
  HYPHEN,
  isAsciiLetter,
  isDigit,
  type Span,
  scanDetector,
} from './detector.js';

const UNDERSCORE = 0x5f;

const isBase64Url = (code: number): boolean =>
  isAsciiLetter(code) || isDigit(code) || code === HYPHEN || code === UNDERSCORE;

function segmentEnd(text: string, index: number): number {
  while (isBase64Url(text.charCodeAt(index))) index++;
  return index;
}

function findJwt(text: string, from: number): Span | undefined {
  let at = text.indexOf('eyJ', from);
  while (at !== -1) {
    const headerEnd = segmentEnd(text, at);
    if (!isBase64Url(codeBefore(text, at - 1, from))) {
      let end = headerEnd;
      let segments = 1;
      while (text.charCodeAt(end) === DOT) {
        const next = segmentEnd(text, end + 1);
        if (next === end + 1) break;
        end = next;
        segments++;
      }
      if (segments >= 3) return [at, end];
      if (segments === 2 && text.charCodeAt(end) === DOT) return [at, end + 1];
    }
    // Any other `eyJ` inside the header follows a base64url character, so it cannot be an anchor.
    at = text.indexOf('eyJ', headerEnd);
  }
  return undefined;
}

/** Detects JSON Web Tokens such as `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln`. */
export const jwtDetector: Detector = scanDetector(
  'jwt',
  findJwt,
  6, // two segments and a final dot (unsecured JWT): `eyJ` + `.` + one character + `.`, as in `eyJ.a.`
);
