/**
 * HTTP Basic credentials, as in `Authorization: Basic dXNlcjpwYXNz`: the word `basic` (any case, not glued
 * to a preceding word character), one or more spaces or tabs, then a base64 token of at least 4 characters
 * (`[A-Za-z0-9+/]`, then up to two `=`). Only the token is masked; `Basic` stays, so the log still says what
 * kind of credential was there.
 *
 * "Basic" is an ordinary English word, so a token is masked only when it is a credential:
 * - it decodes to text with a `:` (RFC 7617 credentials are `user-id ":" password`), or
 * - `Basic` directly follows an `Authorization` header name (`Authorization: Basic`,
 *   `"Proxy-Authorization":"Basic`, JSON-escaped quotes too), where whatever follows is a credential.
 * So `basic usage`, `Basic plan` and `WWW-Authenticate: Basic realm="api"` are left alone. Only separator
 * characters may stand between the header name and `Basic`: a mask there (another detector's) would break
 * the link, so a second pass cannot find a credential the first one left alone.
 *
 * Linear: the word is found by a literal search and the header name before it is bounded. A token is read
 * by its own `basic` and at most by one glued to its end (a token cannot hold a `basic` followed by a blank),
 * and decoding stops at the first `:`.
 *
 * @module
 */

import {
  credentialAfter,
  type Detector,
  followsAuthorizationHeader,
  isAlphanumeric,
  type Span,
  scanDetector,
} from './detector.js';

const WORD_LENGTH = 'basic'.length;
const MIN_TOKEN = 4;
const PLUS = 0x2b;
const SLASH = 0x2f;
const EQUALS = 0x3d;

// Safe to share: each use sets `lastIndex` first and runs synchronously.
const WORD = /basic/gi;

const isBase64Char = (code: number): boolean => isAlphanumeric(code) || code === PLUS || code === SLASH;

/** The 6-bit value of a base64 character. */
function sextet(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26;
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52;
  return code === PLUS ? 62 : 63;
}

/** Whether the base64 characters `text[start, end)` decode to bytes that include `:` (0x3a). */
function decodesToColon(text: string, start: number, end: number): boolean {
  let bits = 0;
  let count = 0;
  for (let i = start; i < end; i++) {
    bits = ((bits << 6) | sextet(text.charCodeAt(i))) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      if (((bits >> count) & 0xff) === 0x3a) return true;
    }
  }
  return false;
}

function findBasicAuth(text: string, from: number): Span | undefined {
  WORD.lastIndex = from;
  for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
    const start = credentialAfter(text, match.index, WORD_LENGTH, from);
    if (start < 0) continue;
    let dataEnd = start;
    while (isBase64Char(text.charCodeAt(dataEnd))) dataEnd++;
    let end = dataEnd;
    while (end - dataEnd < 2 && text.charCodeAt(end) === EQUALS) end++;
    if (dataEnd - start < MIN_TOKEN) continue;
    if (decodesToColon(text, start, dataEnd) || followsAuthorizationHeader(text, match.index, from))
      return [start, end];
  }
  return undefined;
}

/** Detects the credentials of `Basic <base64>`, as in `Authorization: Basic dXNlcjpwYXNz`. */
export const basicAuthDetector: Detector = scanDetector(
  'basicAuth',
  findBasicAuth,
  10, // `basic` (5) + at least one blank + a token of at least MIN_TOKEN (4) base64 characters: `Basic abcd`
);
