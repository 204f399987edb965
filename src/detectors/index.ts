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
import { basicAuthDetector } from './basic-auth.js';
import { bearerTokenDetector } from './bearer-token.js';
import { creditCardDetector } from './credit-card.js';
import type { Detector } from './detector.js';
import { emailDetector } from './email.js';
import { gcpApiKeyDetector } from './gcp-api-key.js';
import { githubTokenDetector } from './github-token.js';
import { ibanDetector } from './iban.js';
import { ipAddressDetector } from './ip-address.js';
import { jwtDetector } from './jwt.js';
import { phoneNumberDetector } from './phone.js';
import { privateKeyDetector } from './private-key.js';
import { slackTokenDetector } from './slack-token.js';
import { stripeKeyDetector } from './stripe-key.js';
import { usSsnDetector } from './us-ssn.js';

export { type Detector, type PatternDetectorOptions, patternDetector } from './detector.js';
export { type PhoneDetectorOptions, phoneDetector } from './phone.js';

/** Names of the built-in detectors, the keys of {@link detectors}. */
export type DetectorName =
  | 'email'
  | 'creditCard'
  | 'usSsn'
  | 'awsAccessKeyId'
  | 'awsSecretAccessKey'
  | 'jwt'
  | 'bearerToken'
  | 'iban'
  | 'phone'
  | 'ipAddress'
  | 'privateKey'
  | 'stripeKey'
  | 'githubToken'
  | 'slackToken'
  | 'gcpApiKey'
  | 'basicAuth';

/**
 * The built-in detectors by name (frozen). Their key order is the order to apply them in when using
 * several, chosen so that running any of them again over the output changes nothing. Two rules make it so.
 *
 * A value that looks like several things at once is masked whole by the first detector that claims it: a
 * private key block before the tokens inside it, `4111111111111111@example.com` by `email`, a JWT after
 * `Bearer` or `Basic` by `jwt`, an IBAN before the card and phone detectors see its digit groups.
 *
 * A detector that leaves a value alone because of what is next to it (a letter glued to it, a digit joined
 * by `.`, `,` or `-`, a number one space away) must not run before a detector that could mask that
 * neighbour, or a second pass would find the value freed. So the detectors of secrets with a prefix come
 * first, and the number detectors last, from the one whose neighbours matter least to the one whose
 * neighbours matter most: `creditCard`, `usSsn`, `phone`, then `ipAddress`. Where two of them reject each
 * other's neighbours (a card joined to an SSN by `.`), both reject, so neither can free the other.
 *
 * - `privateKey`: a PEM or PGP private key block, BEGIN to END line (to the end of the text without END).
 * - `email`: `local@domain.tld`, also URL-encoded (`local%40domain.tld`), except image names with a
 *   display density (`logo@2x.png`).
 * - `slackToken`: `xoxb-…` and other Slack tokens, and the secret path of `hooks.slack.com` webhook URLs.
 * - `githubToken`: `ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…` and `github_pat_…`.
 * - `stripeKey`: `sk_live_…`, `rk_live_…` (and their `_test_` forms) and at least 24 letters or digits.
 * - `gcpApiKey`: `AIza` and 35 characters of `[0-9A-Za-z_-]`.
 * - `awsAccessKeyId`: `AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case letters or digits, except the
 *   documentation's `…EXAMPLE` ids.
 * - `awsSecretAccessKey`: a 40-character secret after a name such as `aws_secret_access_key=`, except the
 *   documentation's `…EXAMPLEKEY` secrets.
 * - `jwt`: `eyJ…` base64url segments joined by dots.
 * - `basicAuth`: the credentials after `Basic ` that decode to `user:password` or follow `Authorization:`.
 * - `bearerToken`: the token after `Bearer `: anything after an `Authorization` header name, elsewhere a
 *   run that looks like a token (not a word in prose, not a challenge's `realm="…"`).
 * - `iban`: an IBAN of its country's length, compact or in groups of four, mod-97 valid.
 * - `creditCard`: 13 to 19 digits, contiguous or grouped by spaces, dashes or dots, Luhn-valid.
 * - `usSsn`: `123-45-6789` or `123 45 6789`, issued ranges only.
 * - `phone`: `+` and 8 to 15 digits (E.164), or a North American number such as `(415) 555-0132`.
 * - `ipAddress`: an IPv4 or IPv6 address; its port and product versions (`Chrome/123.0.0.0`) stay readable.
 */
export const detectors: Readonly<Record<DetectorName, Detector>> = Object.freeze({
  privateKey: privateKeyDetector,
  email: emailDetector,
  slackToken: slackTokenDetector,
  githubToken: githubTokenDetector,
  stripeKey: stripeKeyDetector,
  gcpApiKey: gcpApiKeyDetector,
  awsAccessKeyId: awsAccessKeyIdDetector,
  awsSecretAccessKey: awsSecretAccessKeyDetector,
  jwt: jwtDetector,
  basicAuth: basicAuthDetector,
  bearerToken: bearerTokenDetector,
  iban: ibanDetector,
  creditCard: creditCardDetector,
  usSsn: usSsnDetector,
  phone: phoneNumberDetector,
  ipAddress: ipAddressDetector,
});

function isDetector(value: unknown): value is Detector {
  if (typeof value !== 'object' || value === null) return false;
  const { name, redact, minLength } = value as { name?: unknown; redact?: unknown; minLength?: unknown };
  return (
    typeof name === 'string' &&
    name !== '' &&
    typeof redact === 'function' &&
    (minLength === undefined || (typeof minLength === 'number' && minLength >= 0))
  );
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
 * built-in name nor an object with a non-empty string `name`, a `redact` function and, if any, a
 * `minLength` that is a number of at least 0. The message quotes the entry and its index.
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
      `Malformed detector at index ${index}: expected a built-in name or { name: string; redact(text, mask): string; minLength?: number >= 0 }, got ${describe(entry)}`,
    );
  });
  // Whatever order the caller wrote: custom detectors first, as given, then the built-ins in the order of
  // `detectors`, which runs the number detectors last so no later mask can expose a value on a second pass.
  const builtIns = Object.values(detectors);
  const custom = resolved.filter((d) => !builtIns.includes(d));
  return [...new Set([...custom, ...builtIns.filter((d) => resolved.includes(d))])];
}

/**
 * Applies each detector in order, each to the output of the previous one, and returns the result; returns
 * `text` itself when nothing matched. A detector is skipped, not called, when the string it would be given
 * is shorter than its {@link Detector.minLength}.
 *
 * @example
 * ```ts
 * redactString('mail jane@example.com, card 4111 1111 1111 1111', resolveDetectors(['email', 'creditCard']), '*****');
 * // 'mail *****, card *****'
 * ```
 */
export function redactString(text: string, list: readonly Detector[], mask: string): string {
  let out = text;
  for (const detector of list) {
    // The length of what this detector is given, after the masks of the previous ones. Without a
    // `minLength` (most custom detectors) it always runs.
    if (out.length < (detector.minLength ?? 0)) continue;
    out = detector.redact(out, mask);
  }
  return out;
}
