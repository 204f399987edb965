/**
 * Reversing tokens in data: every token found by its tag (`tok_<version>_…`) in every string, each by
 * the key of its version (SPEC §10). Loads no cipher and no KMS client: the keys carry them.
 *
 * @module
 */
import { parseJson } from '../erase/lossless-json.js';
import { mapLeaves } from '../erase/map-leaves.js';
import { stringForm } from '../erase/rule.js';
import { DataMaskingDecryptValueError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { type TokenCodec, tokenCodecOf } from './token-codec.js';
import { findTokens, parseToken } from './token-format.js';

/** The keys to reverse with, by version. */
export type TokenKeyring = ReadonlyMap<string, TokenCodec>;

/**
 * The keys of `key` (one `TokenKey` or several) by version.
 *
 * @throws {DataMaskingUnsupportedTypeError} when one is not a `TokenKey`, none is given, or two share a
 * version (which one would reverse its tokens?).
 */
export function tokenKeyring(key: unknown, where: string): TokenKeyring {
  const keys = Array.isArray(key) ? key : [key];
  if (keys.length === 0)
    throw new DataMaskingUnsupportedTypeError(`'key' of ${where} needs at least one TokenKey`);
  const ring = new Map<string, TokenCodec>();
  for (const each of keys) {
    const codec = tokenCodecOf(each);
    if (codec === undefined) {
      throw new DataMaskingUnsupportedTypeError(`'key' of ${where} must be a TokenKey or an array of them`);
    }
    if (ring.has(codec.version)) {
      throw new DataMaskingUnsupportedTypeError(`'key' of ${where} has two keys of version ${codec.version}`);
    }
    ring.set(codec.version, codec);
  }
  return ring;
}

/** Unwraps every key of the ring (one KMS call each, the first time). */
export async function readyKeyring(ring: TokenKeyring): Promise<void> {
  await Promise.all([...ring.values()].filter((k) => !k.isReady).map((k) => k.ready()));
}

/** The value of one token, by the key of its version. */
export function detokenizeToken(token: string, ring: TokenKeyring): unknown {
  const parsed = parseToken(token);
  if (parsed === undefined) throw new DataMaskingDecryptValueError('the value is not a well-formed token');
  const codec = ring.get(parsed.version);
  if (codec === undefined)
    throw new DataMaskingDecryptValueError("no given token key has the token's version");
  return codec.open(parsed);
}

/** JSON text of an object or an array (an API Gateway body, a queue message): parsed, else `undefined`. */
function jsonDocument(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return parseJson(text);
  } catch {
    return undefined; // free text that happens to start with a bracket
  }
}

/**
 * A string with its tokens reversed: a string that is one token becomes the value, with its type; a string
 * holding a JSON object or array is reversed as data and written back as JSON (a value spliced into its
 * text could break out of its string, and `42` must come back a number); tokens inside other text are
 * replaced by the value's string form. Fails on the first token that does not reverse: never a partly
 * reversed string.
 */
export function detokenizeString(text: string, ring: TokenKeyring): unknown {
  if (!text.includes('tok_')) return text;
  const document = jsonDocument(text);
  if (document !== undefined) return JSON.stringify(detokenizeDeep(document, ring));
  const found = findTokens(text);
  if (found.length === 0) return text;
  if (found.length === 1 && found[0].start === 0 && found[0].end === text.length) {
    return detokenizeToken(text, ring);
  }
  let out = '';
  let at = 0;
  for (const { start, end, token } of found) {
    out += text.slice(at, start) + stringForm(detokenizeToken(token, ring));
    at = end;
  }
  return out + text.slice(at);
}

/** `value` with every token in every string reversed, copy-on-write (the input is never written). */
export function detokenizeDeep(value: unknown, ring: TokenKeyring): unknown {
  return mapLeaves(value, (leaf) => (typeof leaf === 'string' ? detokenizeString(leaf, ring) : leaf));
}
