/**
 * `createMaskingLogger()`: the `logger` function for `@middy/input-output-logger`, masking each message
 * before it is printed.
 *
 * @module
 */
import { assertKnownOptions } from '../options.js';
import { MaskingPolicy, POLICY_OPTION_KEYS } from '../policy/masking-policy.js';
import { isPlainObject } from '../selector/values.js';
import { EntryMasker, type LogMaskingOptions } from './entry-masker.js';
import { policyOrOptions } from './policy-or-options.js';

/** The option keys of {@link MaskingLoggerOptions}: anything else is refused (SPEC §4.6). */
const LOGGER_OPTION_KEYS: readonly string[] = [...POLICY_OPTION_KEYS, 'print', 'policy'];

/** Options of {@link createMaskingLogger}: a masking policy's options (or `policy`), and `print`. */
export type MaskingLoggerOptions = LogMaskingOptions & {
  /** Prints a masked message. Default: `console.log(JSON.stringify(message))`. */
  print?: (message: unknown) => void;
  /** A compiled policy, instead of its options here. */
  policy?: MaskingPolicy;
};

const formatError = (error: Error): Record<string, unknown> => ({
  name: error.name,
  message: error.message,
  stack: error.stack,
  ...(error.cause === undefined ? {} : { cause: error.cause }),
});

/**
 * Returns a function that masks a message and prints it. Masking is compiled once, here (a snapshot of
 * the options); an unknown option key is refused here with `DataMaskingUnsupportedTypeError` naming it.
 * The message is masked as `MaskingLogFormatter` masks an entry: `keys` reach into JSON strings (after a
 * BOM or whitespace, JSON inside JSON) and base64 bodies (`isBase64Encoded`), detectors scan strings and
 * key names (Map keys too), error stacks never repeat a masked message, Symbol-keyed properties are
 * dropped. A message that cannot be masked is replaced by a placeholder: an unmasked message never leaves.
 *
 * @example
 * ```ts
 * import inputOutputLogger from '@middy/input-output-logger';
 * import { createMaskingLogger } from 'middy-data-masking/logger';
 *
 * middy(handler).use(inputOutputLogger({ logger: createMaskingLogger({ keys: ['password'], detectors: ['email'] }) }));
 * ```
 */
export function createMaskingLogger(
  options: MaskingLoggerOptions | MaskingPolicy = {},
): (message: unknown) => void {
  const given = options instanceof MaskingPolicy ? { policy: options } : options;
  assertKnownOptions(given, LOGGER_OPTION_KEYS, 'createMaskingLogger options');
  const { print = (message: unknown) => console.log(JSON.stringify(message)), policy, ...masking } = given;
  const masker = new EntryMasker(policyOrOptions(policy, masking, 'createMaskingLogger'));
  return (message: unknown) => {
    let masked: unknown;
    try {
      // Field expressions address the message itself (`$.event.body.card`); a non-object is wrapped and unwrapped.
      masked = isPlainObject(message)
        ? masker.mask(message, formatError)
        : masker.mask({ value: message }, formatError).value;
    } catch (error) {
      masked = {
        message: 'log entry withheld: masking it failed',
        masking_error: error instanceof Error ? error.name : typeof error,
      };
    }
    print(masked);
  };
}
