/**
 * AWS secret access keys: 40 characters of `[A-Za-z0-9/+]` right after a key-like name.
 *
 * A bare 40-character string is as likely to be a SHA-1 digest or a Git commit, so the value is masked
 * only when it follows a name that contains `secret`, optionally followed by `access` and/or `key`
 * (`aws_secret_access_key`, `SecretAccessKey`, `secretKey`, `client_secret`, `SECRET`), then an `=` or `:`,
 * quotes (escaped or not) and/or spaces. The name stays visible; only the value is masked.
 *
 * A longer run of key characters after such a name is masked whole rather than left alone: it is still
 * labelled a secret, and "at least 40" cannot be turned into a match by another detector masking the end
 * of the run, which "exactly 40" could (a second pass over the output would then find a key).
 *
 * The placeholder secrets of the AWS documentation are left alone: a value of exactly 40 characters whose
 * last ten are `EXAMPLEKEY` (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, `je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY`
 * and the other variants of SDK and CLI guides), as the access key id detector leaves the `…EXAMPLE` ids.
 * A suffix, not a fixed list, because the documentation has more of them than any list would keep up
 * with, and a suffix costs nothing real: a real secret is 40 random characters of a 64-character alphabet,
 * so it ends in `EXAMPLEKEY` once in 64^10 (1.2e18), and nobody chooses their secret. Masking them would
 * hide the placeholders that documentation, tests and sample logs print on purpose. Exactly 40, not "at
 * least 40": a longer run is no placeholder, and a value left alone must stay left alone on a second pass,
 * which a 40-character run does (another detector masking part of it leaves fewer than 40 characters
 * before the mask), where a longer run cut by a mask could leave 40 characters that no longer end in
 * `EXAMPLEKEY`.
 *
 * Linear: names are found by a literal search, the suffix and separator after a name are bounded, and the
 * value run is read once: a shorter run ends before the next name can start.
 *
 * @module
 */

import { type Detector, isAsciiLetter, isDigit, type Span, scanDetector } from './detector.js';

const SLASH = 0x2f;
const PLUS = 0x2b;
const MIN_KEY_LENGTH = 40;
/** How the documentation's placeholder secrets end. */
const PLACEHOLDER = 'EXAMPLEKEY';

/** Whether the value `[start, end)` is a documentation placeholder, under the rules of the module comment. */
const isPlaceholder = (text: string, start: number, end: number): boolean =>
  end - start === MIN_KEY_LENGTH && text.startsWith(PLACEHOLDER, end - PLACEHOLDER.length);

// Module-level expressions are safe to share: each use sets `lastIndex` first and runs synchronously.
const NAME = /secret/gi;
const NAME_SUFFIX = /(?:[_-]?access)?(?:[_-]?key)?/iy;
const SEPARATOR = /\\?["']?\s{0,16}(?:[:=]\s{0,16})?\\?["']?/y;

const isKeyChar = (code: number): boolean =>
  isAsciiLetter(code) || isDigit(code) || code === SLASH || code === PLUS;

/** Where the value after the name ending at `nameEnd` starts, or -1 when no separator follows the name. */
function valueStart(text: string, nameEnd: number): number {
  NAME_SUFFIX.lastIndex = nameEnd;
  NAME_SUFFIX.exec(text);
  const separatorStart = NAME_SUFFIX.lastIndex;
  SEPARATOR.lastIndex = separatorStart;
  SEPARATOR.exec(text);
  // Without a separator, `secretary` or `secret_access_key_id` would pass for a name.
  return SEPARATOR.lastIndex > separatorStart ? SEPARATOR.lastIndex : -1;
}

function findSecretKey(text: string, from: number): Span | undefined {
  NAME.lastIndex = from;
  while (NAME.exec(text) !== null) {
    const start = valueStart(text, NAME.lastIndex);
    if (start === -1) continue;
    let end = start;
    while (isKeyChar(text.charCodeAt(end))) end++;
    if (end - start >= MIN_KEY_LENGTH && !isPlaceholder(text, start, end)) return [start, end];
  }
  return undefined;
}

/** Detects AWS secret access keys next to a key-like name, as in `aws_secret_access_key=wJalr…`. */
export const awsSecretAccessKeyDetector: Detector = scanDetector(
  'awsSecretAccessKey',
  findSecretKey,
  47, // the name `secret` (6) + a separator of at least one character (`=`) + MIN_KEY_LENGTH (40)
);
