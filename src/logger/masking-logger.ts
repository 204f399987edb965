/**
 * `createMaskingLogger()`: the `logger` function for `@middy/input-output-logger`, masking each message
 * before it is printed.
 *
 * @module
 */
import { isPlainObject } from '../selector/values.js';
import { EntryMasker, type LogMaskingOptions } from './entry-masker.js';

/** Options of {@link createMaskingLogger}. */
export interface MaskingLoggerOptions extends LogMaskingOptions {
  /** Prints a masked message. Default: `console.log(JSON.stringify(message))`. */
  print?: (message: unknown) => void;
}

const formatError = (error: Error): Record<string, unknown> => ({
  name: error.name,
  message: error.message,
  stack: error.stack,
  ...(error.cause === undefined ? {} : { cause: error.cause }),
});

/**
 * Returns a function that masks a message and prints it. Masking is compiled once, here. A message that
 * cannot be masked is replaced by a placeholder: an unmasked message never leaves.
 *
 * @example
 * ```ts
 * import inputOutputLogger from '@middy/input-output-logger';
 * import { createMaskingLogger } from 'middy-data-masking/logger';
 *
 * middy(handler).use(inputOutputLogger({ logger: createMaskingLogger({ keys: ['password'], detectors: ['email'] }) }));
 * ```
 */
export function createMaskingLogger(options: MaskingLoggerOptions = {}): (message: unknown) => void {
  const { print = (message: unknown) => console.log(JSON.stringify(message)), ...masking } = options;
  const masker = new EntryMasker(masking);
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
