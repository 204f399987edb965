/**
 * The log surfaces take a compiled policy or its options, never both at once.
 *
 * @module
 */
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { MaskingPolicy, type PolicyOptions } from '../policy/masking-policy.js';

/** `policy` when given (then no masking option may be given beside it), else the options. */
export function policyOrOptions(
  policy: MaskingPolicy | undefined,
  options: PolicyOptions,
  where: string,
): MaskingPolicy | PolicyOptions {
  if (policy === undefined) return options;
  if (!(policy instanceof MaskingPolicy)) {
    throw new DataMaskingUnsupportedTypeError(`${where}: 'policy' must come from definePolicy()`);
  }
  const beside = Object.keys(options).filter((k) => (options as Record<string, unknown>)[k] !== undefined);
  if (beside.length > 0) {
    throw new DataMaskingUnsupportedTypeError(
      `${where}: give masking options in the policy, not beside it (${beside.join(', ')})`,
    );
  }
  return policy;
}
