/**
 * What a token encrypts: the leaf's JSON text (SPEC §10), so the value's type comes back on detokenize —
 * `42` stays a number, `true` a boolean, `"42"` a string.
 *
 * @module
 */
import { isRawJson, parseJson } from '../erase/lossless-json.js';

/**
 * The JSON text of a leaf. Values JSON cannot write (a function, a symbol, `NaN`, `Infinity`) are
 * encrypted as their string form, as every other rule sees them; a `bigint` as its digits, a number.
 */
export function leafJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return JSON.stringify(String(value));
    default: {
      if (isRawJson(value)) return JSON.stringify(value);
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch {
        json = undefined; // cyclic, or holds a bigint: fall back to the string form
      }
      return json ?? JSON.stringify(String(value));
    }
  }
}

/**
 * The value of a leaf's JSON text. A number a double cannot hold exactly comes back as a raw JSON
 * number, written back verbatim by `JSON.stringify`.
 *
 * @throws {SyntaxError} when `text` is not JSON (only a token made by something else than `leafJson`).
 */
export function leafOfJson(text: string): unknown {
  return parseJson(text);
}
