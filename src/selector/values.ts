/**
 * What the selector engine treats as JSON: which values it walks into, and how the filter language
 * compares them.
 *
 * @module
 */
import { DataMaskingUnsupportedTypeError } from '../errors.js';

/** The absence of a value in the filter language (RFC 9535 "Nothing"). */
export const NOTHING: unique symbol = Symbol('Nothing');

/** How deeply value comparisons recurse before refusing the data. */
export const MAX_COMPARE_DEPTH = 1000;

/**
 * A plain object: created by a literal, `JSON.parse`, `Object.create(null)` or structuredClone. Class
 * instances, Dates, Maps, Buffers and the like are leaves: never walked, masked whole when selected.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  // A raw JSON number (`JSON.rawJSON`, kept by lossless parsing) has a null prototype too, but is a leaf.
  return proto === Object.prototype || (proto === null && !isRawJSON(value));
}

const isRawJSON = (value: unknown): boolean =>
  (JSON as unknown as { isRawJSON?: (v: unknown) => boolean }).isRawJSON?.(value) === true;

/** A value the engine walks into: an array or a plain object. */
export function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return Array.isArray(value) || isPlainObject(value);
}

/** Compares strings by Unicode code point, as RFC 9535 requires (JavaScript's `<` compares UTF-16 units). */
export function codePointLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate encodes a code point above every BMP character.
    if (xs !== ys) return ys;
    return x < y;
  }
  return a.length < b.length;
}

/** RFC 9535 §2.3.5.2.2 equality: deep for arrays and objects, numeric for numbers. */
export function jsonEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > MAX_COMPARE_DEPTH) {
    throw new DataMaskingUnsupportedTypeError(
      `data nested deeper than ${MAX_COMPARE_DEPTH} levels in a comparison`,
    );
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b) || Array.isArray(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k], depth + 1)) return false;
    }
    return true;
  }
  return false;
}

/** RFC 9535 `<`: numbers by value, strings by code point, anything else is never less. */
export function jsonLess(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') return codePointLess(a, b);
  return false;
}
