/**
 * AWS access key ids: a four-letter prefix and 16 upper-case letters or digits, on word boundaries.
 *
 * Only the prefixes of credentials are listed: `AKIA` (long-term access key), `ASIA` (temporary STS key),
 * `ABIA` (STS service bearer token) and `ACCA` (context-specific credential). Ids such as `AIDA` (user) or
 * `AROA` (role) name a principal rather than grant access, and logs are more useful with them visible.
 *
 * Linear: the expression has a fixed length of 20 characters, so each start position costs a bounded
 * number of steps whatever follows.
 *
 * @module
 */

import { type Detector, patternDetector } from './detector.js';

/** Detects AWS access key ids such as `AKIAIOSFODNN7EXAMPLE`. */
export const awsAccessKeyIdDetector: Detector = patternDetector({
  name: 'awsAccessKeyId',
  pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/,
});
