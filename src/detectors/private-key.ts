/**
 * PEM private keys: `-----BEGIN … PRIVATE KEY-----` through the matching `-----END … PRIVATE KEY-----`,
 * both lines included, for every label that ends in `PRIVATE KEY` (`RSA`, `EC`, `DSA`, `ENCRYPTED`,
 * `OPENSSH`, plain PKCS#8, and any other) and for `PGP PRIVATE KEY BLOCK`.
 *
 * The block is masked whole whatever separates its lines, so a key inside a JSON string, where each new
 * line is the two characters `\n`, is masked like one in a file. When no END line follows (a key cut short
 * by a log line limit, say), everything from BEGIN to the end of the text is masked: what follows a BEGIN
 * line is key material until proven otherwise. An END line with another label (a certificate's) does not
 * close a private key.
 *
 * Linear: BEGIN lines are found by a literal search and their labels are bounded; the search for the END
 * line reads forward once, and whatever it reads is masked (up to the END line, or to the end of the text).
 *
 * @module
 */

import { type Detector, isAsciiLetter, isDigit, SPACE, type Span, scanDetector } from './detector.js';

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
/** Longer than any label in RFC 7468 or OpenPGP; a bound on what a BEGIN line is read for. */
const MAX_LABEL = 64;

const isUpperLetter = (code: number): boolean => isAsciiLetter(code) && code <= 0x5a;
const isLabelChar = (code: number): boolean => isUpperLetter(code) || isDigit(code) || code === SPACE;

/**
 * The end of `-----` after a private-key label that starts at `start`, or -1 when there is no such label:
 * the label is `[A-Z0-9 ]` and ends in `PRIVATE KEY` (PEM) or `PRIVATE KEY BLOCK` (OpenPGP).
 */
function privateLabelEnd(text: string, start: number): number {
  let end = start;
  while (end - start <= MAX_LABEL && isLabelChar(text.charCodeAt(end))) end++;
  if (!text.startsWith(DASHES, end)) return -1;
  const label = text.slice(start, end);
  return label.endsWith('PRIVATE KEY') || label.endsWith('PRIVATE KEY BLOCK') ? end + DASHES.length : -1;
}

/** The end of the first private-key END line at or after `from`, or the end of the text. */
function blockEnd(text: string, from: number): number {
  for (let at = text.indexOf(END, from); at !== -1; at = text.indexOf(END, at + END.length)) {
    const end = privateLabelEnd(text, at + END.length);
    if (end !== -1) return end;
  }
  return text.length;
}

function findPrivateKey(text: string, from: number): Span | undefined {
  for (let at = text.indexOf(BEGIN, from); at !== -1; at = text.indexOf(BEGIN, at + BEGIN.length)) {
    const headerEnd = privateLabelEnd(text, at + BEGIN.length);
    if (headerEnd !== -1) return [at, blockEnd(text, headerEnd)];
  }
  return undefined;
}

/** Detects PEM and OpenPGP private key blocks, from `-----BEGIN RSA PRIVATE KEY-----` to its END line. */
export const privateKeyDetector: Detector = scanDetector(
  'privateKey',
  findPrivateKey,
  27, // a BEGIN line alone is masked: `-----BEGIN ` (11) + the shortest label `PRIVATE KEY` (11) + `-----` (5)
);
