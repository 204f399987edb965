/**
 * A detector of tokens (`tok_<version>_<base64url>`): pseudonyms are still personal data, so a log that
 * must not carry them masks them like any other identifier.
 *
 * @module
 */
import { type Detector, patternDetector } from '../detectors/detector.js';

/**
 * Masks every token, found by its tag, in free text: `detectors: [tokensDetector]` wherever detectors are
 * accepted (a policy, `erase`, the log formatter). Wider than what `detokenize` reverses: a token glued to
 * what precedes it (`user-tok_1_…`, `id_tok_1_…`) is masked too, since a log must not carry it either.
 */
export const tokensDetector: Detector = Object.freeze({
  ...patternDetector({ name: 'tokens', pattern: /tok_[A-Za-z0-9]{1,32}_[A-Za-z0-9_-]+/ }),
  minLength: 'tok_1_'.length + 1,
});
