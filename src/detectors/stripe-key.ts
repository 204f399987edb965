/**
 * Stripe secret keys (`sk_live_…`) and restricted keys (`rk_live_…`), the credentials Amazon Macie's
 * `STRIPE_CREDENTIALS` identifier targets, and their test-mode forms `sk_test_…` and `rk_test_…`: the prefix
 * and a body of at least 24 letters or digits. The whole key is masked.
 *
 * Test-mode keys are masked too: they still authenticate to the account's API (its test data, webhook
 * endpoints, settings), and a log has no use for a credential of either mode. Publishable keys (`pk_…`) are
 * meant to be public and are left alone.
 *
 * The prefix must not be glued to a preceding word character. A body longer than 24 (Stripe's newer keys
 * are about a hundred characters) is masked whole.
 *
 * Linear: prefixes are found by one literal search and each body is read once.
 *
 * @module
 */

import { type Detector, isAlphanumeric, isWordChar, prefixedTokenFinder, scanDetector } from './detector.js';

const BODY = { isChar: isAlphanumeric, min: 24 } as const;

/** Detects Stripe secret and restricted keys such as `sk_live_` followed by 24 or more letters or digits. */
export const stripeKeyDetector: Detector = scanDetector(
  'stripeKey',
  prefixedTokenFinder(/[rs]k_(?:live|test)_/, 'sk_live_'.length, isWordChar, () => BODY),
  32, // every prefix (`sk_live_`, `rk_test_`…) is 8 characters, + BODY.min (24)
);
