/**
 * E-mail addresses (`local@domain.tld`), found from each `@` outwards, and their URL-encoded form
 * (`jane%40example.com`, `jane%2Bnews%40example.com` in a query string), found from each `%40`. Either is
 * masked whole.
 *
 * In the local part of a URL-encoded address, `%` followed by two hex digits is an encoded character. Only
 * the encodings of local part characters (`%2B` for `+`, `%2E`, `%5F`, `%2D`) continue it; any other (`%3D`
 * for `=`, `%26`, `%2F`, `%20`) ends it as the character itself would, so `q%3Djane%40example.com` masks
 * `jane%40example.com` and not the query around it. Before a plain `@`, `%` is an ordinary local part
 * character, as RFC 5322 allows.
 *
 * An image file name with a display-density suffix is not an address: `logo@2x.png`, `avatar@3x.webp`,
 * `icon@1.5x.jpg`, the names iOS, Android and web builds give their high-resolution assets. So an anchor
 * whose whole domain is a density (`2x`, `3x`, `1.5x`: one or two digits, optionally a decimal part, then
 * `x`) and one image file extension (`png`, `jpg`, `jpeg`, `gif`, `webp`, `avif`, `svg`, `bmp`, `ico`,
 * `tif`, `tiff`, `heic`, `heif`, `apng`) is left alone. None of these extensions is a top-level domain,
 * so no address is lost; a longer domain (`jane@2x.png.example.com`) is still an address.
 *
 * Linear: the local part is read backwards from an anchor and the domain forwards. The local part of an
 * anchor stops at the anchor before it, and a domain cannot hold an anchor, so each character is read by at
 * most the anchor before it and the anchor after it.
 *
 * @module
 */

import {
  type Detector,
  DOT,
  HYPHEN,
  isAsciiLetter,
  isDigit,
  isHexDigit,
  type Span,
  scanDetector,
  UNDERSCORE,
} from './detector.js';

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

/** Whether the `%` at `index` starts the encoding of a local part character, `%2B` say. */
function encodesLocalChar(text: string, index: number): boolean {
  const code = Number.parseInt(text.slice(index + 1, index + 3), 16);
  return code === PLUS || code === DOT || code === UNDERSCORE || code === HYPHEN;
}

/**
 * Where the local part that ends at `at` starts (`at` itself when there is none), not before `limit`;
 * `encoded` when the address is URL-encoded.
 */
function localStart(text: string, at: number, limit: number, encoded: boolean): number {
  let start = at;
  while (start > limit && isLocalChar(text.charCodeAt(start - 1))) {
    start--;
    if (!encoded || text.charCodeAt(start) !== PERCENT || at - start < 3 || !isEncoded(text, start)) continue;
    // An encoded character other than a local part one ends the local part, as the character would.
    if (!encodesLocalChar(text, start)) return start + 3;
  }
  return start;
}

const isEncoded = (text: string, index: number): boolean =>
  isHexDigit(text.charCodeAt(index + 1)) && isHexDigit(text.charCodeAt(index + 2));

// Safe to share: each use sets `lastIndex` first and runs synchronously.
const ANCHOR = /@|%40/g;
/** A display density and an image file extension, as in the domain of `logo@2x.png`. */
const DENSITY_IMAGE =
  /\d{1,2}(?:\.\d{1,2})?x\.(?:png|jpe?g|gif|webp|avif|svg|bmp|ico|tiff?|heic|heif|apng)/iy;

/** Whether the domain `[start, end)` is a density and an image extension (`2x.png`), not a domain. */
function isImageSuffix(text: string, start: number, end: number): boolean {
  DENSITY_IMAGE.lastIndex = start;
  return DENSITY_IMAGE.test(text) && DENSITY_IMAGE.lastIndex === end;
}

function findEmail(text: string, from: number): Span | undefined {
  ANCHOR.lastIndex = from;
  // The limits bound each walk back: `from` so an address never reaches into the previous mask, then the
  // end of the previous anchor of the same kind, so no character is read backwards more than twice. A plain
  // `@` walks back past a `%40` that made no address: `0%40@example.com` has the local part `0%40`.
  let plainLimit = from;
  let encodedLimit = from;
  for (let match = ANCHOR.exec(text); match !== null; match = ANCHOR.exec(text)) {
    const at = match.index;
    const domainStart = at + match[0].length;
    const encoded = match[0] !== '@';
    const start = localStart(text, at, encoded ? encodedLimit : plainLimit, encoded);
    encodedLimit = domainStart;
    if (!encoded) plainLimit = domainStart;
    if (start === at) continue;
    const end = domainEnd(text, domainStart);
    if (end !== -1 && !isImageSuffix(text, domainStart, end)) return [start, end];
  }
  return undefined;
}

/** Detects e-mail addresses such as `jane.doe+tag@mail.example.co.uk`, also URL-encoded (`jane%40example.com`). */
export const emailDetector: Detector = scanDetector(
  'email',
  findEmail,
  6, // local part (1) + `@` + a label (1) + `.` + an all-letter label of 2, `a@b.cd`; `%40` is longer
);
