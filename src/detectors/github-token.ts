/**
 * GitHub tokens: the classic kinds `ghp_` (personal access token), `gho_` (OAuth access token), `ghu_`
 * (GitHub App user-to-server token), `ghs_` (GitHub App installation token) and `ghr_` (refresh token),
 * each followed by 36 letters or digits, and fine-grained personal access tokens, `github_pat_` followed
 * by 22 letters or digits, `_` and 59 letters or digits.
 *
 * The whole token is masked, prefix included. The prefix must not be glued to a preceding word character
 * (`my_ghp_…` is some other identifier). The body is the whole run after the prefix and must be at least
 * as long as GitHub's: a longer run is masked whole (GitHub has said token lengths may grow), a shorter one
 * (`ghp_xxx`, a placeholder) is left alone. The checksum GitHub puts in the last six characters is not
 * verified, so hand-made test tokens are masked as real ones would be.
 *
 * Linear: prefixes are found by one literal search and each body is read once.
 *
 * @module
 */

import { type Detector, isAlphanumeric, isWordChar, prefixedTokenFinder, scanDetector } from './detector.js';

const CLASSIC_BODY = 36;
/** `22 + '_' + 59`. */
const FINE_GRAINED_BODY = 82;

const isFineGrainedChar = (code: number): boolean => isWordChar(code);

/** Detects GitHub tokens such as `ghp_` followed by 36 letters or digits, or `github_pat_…`. */
export const githubTokenDetector: Detector = scanDetector(
  'githubToken',
  prefixedTokenFinder(/gh[pousr]_|github_pat_/, 'github_pat_'.length, isWordChar, (prefix) =>
    prefix === 'github_pat_'
      ? { isChar: isFineGrainedChar, min: FINE_GRAINED_BODY }
      : { isChar: isAlphanumeric, min: CLASSIC_BODY },
  ),
  40, // a classic prefix (`ghp_`, 4) + CLASSIC_BODY (36); `github_pat_` (11) + 82 is longer
);
