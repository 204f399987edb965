/**
 * What detectors scan in a leaf.
 *
 * @module
 */
import { isRawJson } from './lossless-json.js';

/**
 * A leaf as detectors see it: a string, or a number (a card or a phone number stored as a JSON number
 * is still one). A number something was found in becomes its masked text; other numbers stay numbers.
 */
export function redactLeaf(leaf: unknown, redactText: (text: string) => string): unknown {
  if (typeof leaf === 'string') return redactText(leaf);
  const text = numberText(leaf);
  if (text === undefined) return leaf;
  const masked = redactText(text);
  return masked === text ? leaf : masked;
}

/** The JSON text of a number leaf (a lossless raw number too), or `undefined` for anything else. */
function numberText(leaf: unknown): string | undefined {
  if (typeof leaf === 'number') return Number.isFinite(leaf) ? String(leaf) : undefined;
  if (typeof leaf === 'bigint') return leaf.toString();
  return isRawJson(leaf) ? JSON.stringify(leaf) : undefined;
}
