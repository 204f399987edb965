/**
 * Bearer tokens, as in an `Authorization: Bearer <token>` header: the word `bearer` (any case, not glued
 * to a preceding word character), spaces or tabs, then a token, the whole run of RFC 6750 `b64token`
 * characters (`[A-Za-z0-9._~+/=-]`) after them. Only the token is masked; the word `Bearer` stays, so the
 * log still says what kind of credential was there.
 *
 * "Bearer" is also an ordinary word (`the bearer of this ticket`, `Bearer token rejected`, `accepts Bearer
 * authentication`) and the scheme of `WWW-Authenticate` challenges, whose parameters follow it
 * (`Bearer realm="api", error="invalid_token"`). So the run is masked only when it is a credential:
 * - `Bearer` directly follows an `Authorization` header name (`Authorization: Bearer`,
 *   `"authorization":"Bearer`, `-H 'Authorization: Bearer`, `Proxy-Authorization`, JSON-escaped quotes
 *   too), where whatever follows is a credential, even an ordinary word; otherwise
 * - the run is not an auth-param, that is a name of letters, `_` and `-` (at most 32) followed by one `=`
 *   (`realm="api"`, `error=invalid_token`, `scope=`): a `b64token` only has `=` as padding at its end, and
 *   a name followed by `==` is a token padded twice; and
 * - the run looks like a token rather than a word: it holds a digit or one of `-._~+/=` (dots at its end
 *   aside, which end a sentence), or it is 16 characters or longer.
 * Real tokens pass: opaque tokens (`mF_9.B5f-4.1JqM`), JWTs, hex and base64 strings, API keys
 * (`abc123def456`). The trade-off: a token of fewer than 16 characters, all letters, after `Bearer` in free
 * text and not after an `Authorization` header name (`Bearer abcdef`) is left alone, and so is an
 * all-letter token padded by a single `=` there (`Bearer abcdef=`), as it has the shape of an auth-param.
 *
 * Every rule is stable under masking: another detector can only mask digits, address characters and the
 * like inside a run it leaves alone, which can only shorten a word or keep an auth-param one, and only
 * separator characters may stand between `Authorization` and `Bearer`, so a second pass decides alike.
 *
 * Linear: the word is found by a literal search; the header name before it and the auth-param name are
 * bounded; the blanks after it and the token are each read once, since a token ends the search step or is
 * skipped, and a `bearer` inside a token that is followed by blanks ends that token.
 *
 * @module
 */

import {
  credentialAfter,
  type Detector,
  DOT,
  followsAuthorizationHeader,
  HYPHEN,
  isAsciiLetter,
  isDigit,
  type Span,
  scanDetector,
  UNDERSCORE,
} from './detector.js';

const WORD_LENGTH = 'bearer'.length;
const EQUALS = 0x3d;
/** The fewest characters of an all-letter run that make it a token rather than a word. */
const MIN_WORDLIKE_TOKEN = 16;
/** The longest auth-param name; a longer run of letters before `=` is a token. */
const MAX_PARAM_NAME = 32;

// Safe to share: each use sets `lastIndex` first and runs synchronously.
const WORD = /bearer/gi;

const isTokenChar = (code: number): boolean =>
  isAsciiLetter(code) ||
  isDigit(code) ||
  code === DOT ||
  code === UNDERSCORE ||
  code === 0x7e || // ~
  code === 0x2b || // +
  code === 0x2f || // /
  code === EQUALS ||
  code === HYPHEN;

const isParamNameChar = (code: number): boolean =>
  isAsciiLetter(code) || code === UNDERSCORE || code === HYPHEN;

/** Whether the run `[start, end)` begins as an auth-param: `name=` and no second `=`. */
function isAuthParam(text: string, start: number, end: number): boolean {
  if (!isAsciiLetter(text.charCodeAt(start))) return false;
  let i = start + 1;
  while (i < end && i - start <= MAX_PARAM_NAME && isParamNameChar(text.charCodeAt(i))) i++;
  return (
    i < end &&
    i - start <= MAX_PARAM_NAME &&
    text.charCodeAt(i) === EQUALS &&
    text.charCodeAt(i + 1) !== EQUALS
  );
}

/** Whether the run `[start, end)` looks like a token rather than a word, under the rules above. */
function looksLikeToken(text: string, start: number, end: number): boolean {
  let last = end;
  while (last > start && text.charCodeAt(last - 1) === DOT) last--;
  if (last - start >= MIN_WORDLIKE_TOKEN) return true;
  for (let i = start; i < last; i++) {
    if (!isAsciiLetter(text.charCodeAt(i))) return true;
  }
  return false;
}

function findBearerToken(text: string, from: number): Span | undefined {
  WORD.lastIndex = from;
  for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
    const start = credentialAfter(text, match.index, WORD_LENGTH, from);
    if (start < 0) continue;
    let end = start;
    while (isTokenChar(text.charCodeAt(end))) end++;
    if (end === start) continue;
    if (
      followsAuthorizationHeader(text, match.index, from) ||
      (!isAuthParam(text, start, end) && looksLikeToken(text, start, end))
    ) {
      return [start, end];
    }
  }
  return undefined;
}

/** Detects the token of `Bearer <token>`, as in `Authorization: Bearer abc.def`, not the word in prose. */
export const bearerTokenDetector: Detector = scanDetector(
  'bearerToken',
  findBearerToken,
  8, // `bearer` (6) + at least one blank + a token of at least one character, as in `Bearer 1`
);
