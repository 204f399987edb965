/**
 * Google API keys: `AIza` and 35 characters of `[0-9A-Za-z_-]`. The whole key is masked.
 *
 * The key must not be glued to a preceding key character (inside a longer base64url string, `AIza` is
 * chance). A longer run of key characters after `AIza` is masked whole rather than left alone: "at least
 * 35" cannot be turned into a match by another detector masking the end of the run, which "exactly 35"
 * could, and a second pass over the output would then find a key.
 *
 * Linear: `AIza` is found by a literal search and each body is read once.
 *
 * @module
 */

import {
  type Detector,
  HYPHEN,
  isAlphanumeric,
  prefixedTokenFinder,
  scanDetector,
  UNDERSCORE,
} from './detector.js';

const isKeyChar = (code: number): boolean => isAlphanumeric(code) || code === HYPHEN || code === UNDERSCORE;

const BODY = { isChar: isKeyChar, min: 35 } as const;

/** Detects Google API keys such as `AIzaSyA-1234567890abcdefghijklmnopqrstu`. */
export const gcpApiKeyDetector: Detector = scanDetector(
  'gcpApiKey',
  prefixedTokenFinder(/AIza/, 'AIza'.length, isKeyChar, () => BODY),
  39, // `AIza` (4) + BODY.min (35)
);
