/**
 * The token format of SPEC §10: `tok_<keyVersion>_<base64url>`. The tag makes tokens findable in free
 * text and logs; the version picks the key among several (rotation). A version is letters and digits
 * only, so the first `_` after it ends it whatever the base64url body holds.
 *
 * @module
 */

/** What every token starts with. */
export const TOKEN_TAG = 'tok_';

/** The sealed bytes are the 16-byte synthetic IV and at least one byte: 17 bytes, 23 base64url characters. */
const MIN_BODY = 23;

const VERSION = /^[A-Za-z0-9]{1,32}$/;

/** Tokens in text: the tag, a version, `_`, then a base64url body, not glued to a preceding word character. */
export const TOKEN_PATTERN = /(?<![A-Za-z0-9_-])tok_([A-Za-z0-9]{1,32})_([A-Za-z0-9_-]+)/;
const TOKEN = new RegExp(TOKEN_PATTERN.source, 'g');

/** A token's parts. */
export interface ParsedToken {
  readonly version: string;
  readonly sealed: Buffer;
}

/** Whether `version` can name a key in a token. */
export function isTokenVersion(version: unknown): version is string {
  return typeof version === 'string' && VERSION.test(version);
}

/** The token of sealed bytes under a key version. */
export function formatToken(version: string, sealed: Uint8Array): string {
  return `${TOKEN_TAG}${version}_${Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length).toString('base64url')}`;
}

/** A token's version and sealed bytes, or `undefined` when it is not a well-formed token. */
export function parseToken(token: string): ParsedToken | undefined {
  if (!token.startsWith(TOKEN_TAG)) return undefined;
  const end = token.indexOf('_', TOKEN_TAG.length);
  if (end < 0) return undefined;
  const version = token.slice(TOKEN_TAG.length, end);
  const body = token.slice(end + 1);
  if (!isTokenVersion(version) || body.length < MIN_BODY || !/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const sealed = Buffer.from(body, 'base64url');
  // Only the canonical spelling: a body that does not encode back the same was altered or padded.
  if (sealed.toString('base64url') !== body) return undefined;
  return { version, sealed };
}

/** Every token-shaped run in `text`, in order, with where it starts and ends (well-formed or not). */
export function findTokens(text: string): { start: number; end: number; token: string }[] {
  const out: { start: number; end: number; token: string }[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, token: m[0] });
  }
  return out;
}
