/**
 * A detector of tokens (`tok_<version>_<base64url>`): pseudonyms are still personal data, so a log that
 * must not carry them masks them like any other identifier.
 *
 * @module
 */
import { type Detector, patternDetector } from '../detectors/detector.js';
import { TOKEN_PATTERN } from './token-format.js';

/**
 * Masks every token, found by its tag, in free text: `detectors: [tokensDetector]` wherever detectors are
 * accepted (a policy, `erase`, the log formatter).
 */
export const tokensDetector: Detector = patternDetector({ name: 'tokens', pattern: TOKEN_PATTERN });
