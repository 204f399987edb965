/**
 * Every option a masking policy takes (and `erase` with it): one list, read by the options cache key and
 * by the surfaces that refuse unknown options (SPEC §4.6).
 *
 * @module
 */
import { RULE_KEYS } from '../erase/rule.js';

/** The option names of a policy: the top-level rule's and the rest. */
export const POLICY_OPTION_KEYS: readonly string[] = [
  ...RULE_KEYS,
  'fields',
  'maskingRules',
  'detectors',
  'keys',
  'caseSensitiveKeys',
  'allow',
  'secrets',
  'secretsFrom',
];
