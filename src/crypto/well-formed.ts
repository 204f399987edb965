/**
 * Well-formed Unicode: no lone surrogate. Strings that go into a message header are written as UTF-8,
 * where a lone surrogate becomes U+FFFD, so the header would no longer say what was checked.
 *
 * @module
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` has no lone surrogate (`String.prototype.isWellFormed`, ES2024). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
