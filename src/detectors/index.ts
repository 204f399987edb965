/**
 * Detectors mask sensitive values found inside strings (a log message, a free-text field) rather than
 * whole fields: only the detected substring is replaced, the surrounding text stays readable.
 *
 * Every built-in runs in time linear in the length of its input, whatever the input, so a hostile
 * payload cannot stall a Lambda function in its logger.
 *
 * @module
 */

import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { awsAccessKeyIdDetector } from './aws-access-key-id.js';
import { awsSecretAccessKeyDetector } from './aws-secret-access-key.js';
import { bearerTokenDetector } from './bearer-token.js';
import { creditCardDetector } from './credit-card.js';
import type { Detector } from './detector.js';
import { emailDetector } from './email.js';
import { jwtDetector } from './jwt.js';
import { usSsnDetector } from './us-ssn.js';

export { type Detector, type PatternDetectorOptions, patternDetector } from './detector.js';

/** Names of the built-in detectors, the keys of {@link detectors}. */
export type DetectorName =
  | 'email'
  | 'creditCard'
  | 'usSsn'
  | 'awsAccessKeyId'
  | 'awsSecretAccessKey'
  | 'jwt'
  | 'bearerToken';

/**
 * The built-in detectors by name (frozen). Their key order is the order to apply them in when using
 * several, for two reasons. A value that looks like several things at once is masked whole by the first
 * detector that claims it (`4111111111111111@example.com` by `email`, a JWT after `Bearer` by `jwt`). And
 * the number detectors come last because they look two characters beyond a number (to tell `0.4111…` from
 * a card): run before a detector that masks that neighbour, they would leave a number that a second pass
 * over the output would find. In this order, running any of them again over the output changes nothing.
 *
 * - `email`: `local@domain.tld`.
 * - `awsAccessKeyId`: `AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case letters or digits.
 * - `awsSecretAccessKey`: a 40-character secret after a name such as `aws_secret_access_key=`.
 * - `jwt`: `eyJ…` base64url segments joined by dots.
 * - `bearerToken`: the token after `Bearer `.
 * - `creditCard`: 13 to 19 digits, contiguous or grouped by spaces or dashes, Luhn-valid.
 * - `usSsn`: `123-45-6789` or `123 45 6789`, issued ranges only.
 */
export const detectors: Readonly<Record<DetectorName, Detector>> = Object.freeze({
  email: emailDetector,
  awsAccessKeyId: awsAccessKeyIdDetector,
  awsSecretAccessKey: awsSecretAccessKeyDetector,
  jwt: jwtDetector,
  bearerToken: bearerTokenDetector,
  creditCard: creditCardDetector,
  usSsn: usSsnDetector,
});

function isDetector(value: unknown): value is Detector {
  if (typeof value !== 'object' || value === null) return false;
  const { name, redact } = value as { name?: unknown; redact?: unknown };
  return typeof name === 'string' && name !== '' && typeof redact === 'function';
}

function describe(entry: unknown): string {
  if (typeof entry === 'string') return JSON.stringify(entry);
  if (typeof entry === 'object' && entry !== null) {
    const name = (entry as { name?: unknown }).name;
    return typeof name === 'string' ? `an object named ${JSON.stringify(name)}` : 'an object without a name';
  }
  return String(entry);
}

/**
 * Turns a configuration's mix of built-in names and {@link Detector} objects into detector objects, in
 * the same order. Called when a masker is configured, so mistakes surface before any request.
 *
 * @example
 * ```ts
 * resolveDetectors(['email', 'creditCard', patternDetector({ name: 'ticket', pattern: /\bTKT-\d{6}\b/ })]);
 * ```
 * @throws {DataMaskingUnsupportedTypeError} when `list` is not an array, or an entry is neither a
 * built-in name nor an object with a non-empty string `name` and a `redact` function. The message quotes
 * the entry and its index.
 */
export function resolveDetectors(list: readonly (DetectorName | Detector)[]): Detector[] {
  if (!Array.isArray(list)) {
    throw new DataMaskingUnsupportedTypeError(`Detectors must be an array, got ${describe(list)}`);
  }
  const resolved = list.map((entry: unknown, index) => {
    if (typeof entry === 'string') {
      if (Object.hasOwn(detectors, entry)) return detectors[entry as DetectorName];
      throw new DataMaskingUnsupportedTypeError(
        `Unknown detector ${JSON.stringify(entry)} at index ${index}; built-in detectors are ${Object.keys(detectors).join(', ')}`,
      );
    }
    if (isDetector(entry)) return entry;
    throw new DataMaskingUnsupportedTypeError(
      `Malformed detector at index ${index}: expected a built-in name or { name: string; redact(text, mask): string }, got ${describe(entry)}`,
    );
  });
  // Whatever order the caller wrote: custom detectors first, as given, then the built-ins in the order of
  // `detectors`, which runs card and SSN last so no earlier mask can expose a number on a second pass.
  const builtIns = Object.values(detectors);
  const custom = resolved.filter((d) => !builtIns.includes(d));
  return [...new Set([...custom, ...builtIns.filter((d) => resolved.includes(d))])];
}

/**
 * Applies each detector in order, each to the output of the previous one, and returns the result; returns
 * `text` itself when nothing matched.
 *
 * @example
 * ```ts
 * redactString('mail jane@example.com, card 4111 1111 1111 1111', resolveDetectors(['email', 'creditCard']), '*****');
 * // 'mail *****, card *****'
 * ```
 */
export function redactString(text: string, list: readonly Detector[], mask: string): string {
  let out = text;
  for (const detector of list) out = detector.redact(out, mask);
  return out;
}
