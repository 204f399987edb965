/**
 * JSON parsing that masking can serialize back without changing a number. `JSON.parse` turns
 * `12345678901234567890` into `12345678901234567000`: a mask-and-reserialize round trip would corrupt an
 * order id it never meant to touch. Where the text holds a number a double cannot carry exactly, that
 * number is kept as `JSON.rawJSON(source)` (Node 22+), which `JSON.stringify` writes back verbatim.
 *
 * @module
 */

type RawJsonApi = {
  rawJSON?: (text: string) => object;
  isRawJSON?: (value: unknown) => boolean;
};
const api = JSON as unknown as RawJsonApi;

/** Numbers that might not survive a parse: 16+ digits in a row, or a three-digit exponent. Linear. */
const MAYBE_LOSSY = /\d{16}|[eE][+-]?\d{3}/;

/** Whether `value` is a raw JSON number made by {@link parseJson}. */
export function isRawJson(value: unknown): boolean {
  return api.isRawJSON?.(value) === true;
}

/** A raw JSON number for `text` (written back verbatim), or `undefined` on a runtime without `JSON.rawJSON`. */
export function rawJsonNumber(text: string): object | undefined {
  return api.rawJSON?.(text);
}

/** Significant digits of a JSON number's text (leading zeros and the exponent excluded). */
function significantDigits(source: string): number {
  let digits = 0;
  let leading = true;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x65 || c === 0x45) break; // e, E
    if (c < 0x30 || c > 0x39) continue;
    if (leading && c === 0x30) continue;
    leading = false;
    digits++;
  }
  return digits;
}

const keepExact = (_key: string, value: unknown, context?: { source?: string }): unknown => {
  if (typeof value !== 'number' || context?.source === undefined || api.rawJSON === undefined) return value;
  const source = context.source;
  const digits = significantDigits(source);
  // A double holds 15 significant digits exactly; 0 from a non-zero text (1e-400) is an underflow.
  if (Number.isFinite(value) && (String(value) === source || (digits <= 15 && (value !== 0 || digits === 0))))
    return value;
  return api.rawJSON(source);
};

/**
 * `JSON.parse`, keeping every number exactly as written when a double cannot hold it.
 *
 * @throws {SyntaxError} as `JSON.parse` does; callers must not let its message (which quotes the text)
 * reach an error a user sees.
 */
export function parseJson(text: string): unknown {
  if (api.rawJSON === undefined || !MAYBE_LOSSY.test(text)) return JSON.parse(text);
  return JSON.parse(text, keepExact as (key: string, value: unknown) => unknown);
}
