/**
 * AWS access key ids: a four-letter prefix and 16 upper-case letters or digits, on word boundaries.
 *
 * Only the prefixes of credentials are listed: `AKIA` (long-term access key), `ASIA` (temporary STS key),
 * `ABIA` (STS service bearer token) and `ACCA` (context-specific credential). Ids such as `AIDA` (user) or
 * `AROA` (role) name a principal rather than grant access, and logs are more useful with them visible.
 *
 * The placeholder ids of the AWS documentation are left alone: every id whose last seven characters are
 * `EXAMPLE` (`AKIAIOSFODNN7EXAMPLE`, `AKIAI44QH8DHBEXAMPLE`, `ASIAIOSFODNN7EXAMPLE`, and the variants of SDK
 * and CLI guides). A suffix, not a fixed list, because the documentation has more of them than any list
 * would keep up with, and a suffix costs nothing real: the 16 characters after the prefix are random over
 * an alphabet of at least 32 characters, so a real id ends in `EXAMPLE` at most once in 32^7 (3.4e10), and
 * nobody chooses their id. Masking them would hide the placeholders that documentation, tests and sample
 * logs print on purpose.
 *
 * Linear: the expression has a fixed length of 20 characters, so each start position costs a bounded
 * number of steps whatever follows.
 *
 * @module
 */

import { type Detector, patternDetector } from './detector.js';

const PLACEHOLDER = 'EXAMPLE';

/** Detects AWS access key ids such as `AKIAY34FZKBOKMUTVV7A`, except documentation placeholders. */
export const awsAccessKeyIdDetector: Detector = Object.freeze({
  ...patternDetector({
    name: 'awsAccessKeyId',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/,
    validate: (match) => !match.endsWith(PLACEHOLDER),
  }),
  minLength: 20, // the pattern has a fixed length: a 4-letter prefix + 16 characters
});
