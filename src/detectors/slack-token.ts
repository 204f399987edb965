/**
 * Slack tokens and incoming-webhook URLs.
 *
 * Tokens: `xoxb-` (bot), `xoxp-` (user), `xoxa-` (workspace app), `xoxr-` (refresh), `xoxs-`, `xoxe-`
 * (rotating refresh), `xoxc-` and `xoxd-` (browser session), `xoxe.xoxb-` and `xoxe.xoxp-` (rotating
 * access) and `xapp-` (app-level), followed by at least 10 characters of `[A-Za-z0-9-]` with at least one
 * digit. The whole token is masked. Every real token body carries numeric ids, so requiring a digit
 * leaves placeholders such as `xoxb-your-bot-token` alone.
 *
 * Webhook URLs: after `hooks.slack.com/services/` (and the Workflow Builder forms `/workflows/` and
 * `/triggers/`), the path `T…/B…/secret` is masked and the host stays visible, so the log still says a
 * Slack webhook was there while neither the secret nor the ids that go with it are readable.
 *
 * A token must not be glued to a preceding word character. Bodies are whole runs, "at least" long, so a
 * second pass cannot find a token that the first left alone.
 *
 * Linear: every prefix is found by one literal search and each body is read once.
 *
 * @module
 */

import {
  type Detector,
  HYPHEN,
  isAlphanumeric,
  isDigit,
  isWordChar,
  prefixedTokenFinder,
  scanDetector,
  type TokenBody,
  UNDERSCORE,
} from './detector.js';

const SLASH = 0x2f;

const isTokenChar = (code: number): boolean => isAlphanumeric(code) || code === HYPHEN;
const isPathChar = (code: number): boolean =>
  isAlphanumeric(code) || code === HYPHEN || code === UNDERSCORE || code === SLASH;

function hasDigit(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (isDigit(text.charCodeAt(i))) return true;
  return false;
}

const TOKEN: TokenBody = { isChar: isTokenChar, min: 10, accept: hasDigit };
const WEBHOOK_PATH: TokenBody = { isChar: isPathChar, min: 8, keepPrefix: true };

/** Detects Slack tokens such as `xoxb-…` and the secret path of `https://hooks.slack.com/services/…`. */
export const slackTokenDetector: Detector = scanDetector(
  'slackToken',
  prefixedTokenFinder(
    /xox[abcdeprs]-|xoxe\.xox[bp]-|xapp-|hooks\.slack\.com\/(?:services|workflows|triggers)\//,
    'hooks.slack.com/workflows/'.length,
    isWordChar,
    (prefix) => (prefix.startsWith('hooks.') ? WEBHOOK_PATH : TOKEN),
  ),
  15, // a 5-character prefix (`xoxb-`, `xapp-`) + TOKEN.min (10); `xoxe.xoxb-` and the webhook path are longer
);
