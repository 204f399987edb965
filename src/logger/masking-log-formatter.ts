/**
 * `MaskingLogFormatter`: a Powertools Logger formatter that masks the whole entry another formatter
 * produces — message, persistent and temporary keys, extra objects, errors (message, stack, cause) and the
 * event `logEvent` writes — and never lets an unmasked entry through.
 *
 * @module
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { assertKnownOptions } from '../options.js';
import { MaskingPolicy, POLICY_OPTION_KEYS } from '../policy/masking-policy.js';
import { MASKING_FORMATTER } from './brand.js';
import { EntryMasker, type LogMaskingOptions } from './entry-masker.js';
import { policyOrOptions } from './policy-or-options.js';

/** The option keys of {@link MaskingLogFormatterOptions}: anything else is refused (SPEC §4.6). */
const FORMATTER_OPTION_KEYS: readonly string[] = [...POLICY_OPTION_KEYS, 'formatter', 'policy'];

/**
 * Options of {@link MaskingLogFormatter}: a masking policy's options (or `policy`, a compiled one) and
 * the formatter whose entries are masked.
 */
export type MaskingLogFormatterOptions = LogMaskingOptions & {
  /** The formatter whose entries are masked. Default: the Powertools formatter the Logger uses by default. */
  formatter?: LogFormatter;
  /** A compiled policy, instead of its options here. */
  policy?: MaskingPolicy;
};

/**
 * Masks every log entry of a Powertools Logger. Field expressions, key names and detectors are compiled
 * once, here (a snapshot: changing the options object later changes nothing); an unknown option key (a
 * typo such as `detector`) is refused here with `DataMaskingUnsupportedTypeError` naming it. If masking an
 * entry fails, a placeholder entry (its level and timestamp kept) is printed instead: an unmasked entry
 * never leaves.
 *
 * What is masked, and how (see `EntryMasker` for the details):
 * - `keys` mask a member whose name matches, at any depth, inside JSON strings too: a JSON string is
 *   opened after a byte-order mark and whitespace, JSON inside JSON, and a base64 `body` whose sibling
 *   `isBase64Encoded` is `true` (as `logEvent` logs an API Gateway event for a binary media type), or a
 *   `Buffer` of text, gzipped or not, and closed again exactly as it came. Field expressions reach into
 *   the same bodies, as `erase` does.
 * - `detectors` scan every string, every key name (a key holding a detected value is renamed to its
 *   redacted form, with a ` (2)` suffix on a collision) and Map keys, inside JSON and base64 text too.
 * - An error's `stack` never repeats a message that masking changed: wherever a message (an error's,
 *   a cause's, an AggregateError's inner error's) is masked by keys, detectors, a field expression or a
 *   rule, the original text is replaced in the stacks that hold it.
 * - Symbol-keyed properties are never copied into what is printed.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger';
 * import { MaskingLogFormatter } from 'middy-data-masking/logger';
 *
 * const logger = new Logger({
 *   serviceName: 'payments',
 *   logFormatter: new MaskingLogFormatter({
 *     keys: ['password', 'authorization', /secret/i],
 *     fields: ['$.event.body.card'],
 *     detectors: ['email', 'creditCard', 'jwt'],
 *   }),
 * });
 * ```
 */
export class MaskingLogFormatter extends LogFormatter {
  /** Lets the middleware recognise a masking logger without loading the Logger. */
  public readonly [MASKING_FORMATTER] = true;
  readonly #base: LogFormatter;
  readonly #masker: EntryMasker;

  public constructor(options: MaskingLogFormatterOptions | MaskingPolicy = {}) {
    super();
    const given = options instanceof MaskingPolicy ? { policy: options } : options;
    assertKnownOptions(given, FORMATTER_OPTION_KEYS, 'MaskingLogFormatter options');
    const { formatter, policy, ...masking } = given;
    this.#base = formatter ?? defaultFormatter();
    // Detectors scan every key, the logger's own too: a key name says nothing about who wrote its value.
    this.#masker = new EntryMasker(policyOrOptions(policy, masking, 'MaskingLogFormatter'));
  }

  /** Formats with the base formatter, then masks the result; a failure yields a placeholder entry. */
  public override formatAttributes(
    attributes: UnformattedAttributes,
    additionalLogAttributes: LogAttributes,
  ): LogItem {
    let entry: LogAttributes | undefined;
    try {
      entry = this.#base.formatAttributes(attributes, additionalLogAttributes).getAttributes();
      const masked = this.#masker.mask(entry, (error) => this.formatError(error) as Record<string, unknown>);
      return new LogItem({ attributes: masked as LogAttributes });
    } catch (error) {
      return new LogItem({ attributes: this.#placeholder(attributes, entry, error) });
    }
  }

  public override formatError(error: Error): LogAttributes {
    return this.#base.formatError(error);
  }

  public override formatTimestamp(now: Date): string {
    return this.#base.formatTimestamp(now);
  }

  public override getCodeLocation(stack?: string): string {
    return this.#base.getCodeLocation(stack);
  }

  /** What is printed when an entry cannot be masked: only what the logger itself knows. */
  #placeholder(
    attributes: UnformattedAttributes,
    entry: LogAttributes | undefined,
    error: unknown,
  ): LogAttributes {
    const safe = (key: string) =>
      entry !== undefined && typeof entry[key] !== 'object' ? entry[key] : undefined;
    return {
      level: safe('level') ?? attributes.logLevel,
      message: 'log entry withheld: masking it failed',
      timestamp: safe('timestamp') ?? this.formatTimestamp(attributes.timestamp),
      service: safe('service') ?? attributes.serviceName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      masking_error: error instanceof Error ? error.name : typeof error,
    };
  }
}

/**
 * The formatter a Powertools Logger uses by default. The package does not export its class, so one is
 * taken from a fresh Logger; should that ever fail, an equivalent of its documented format is used.
 */
function defaultFormatter(): LogFormatter {
  const candidate = (new Logger() as unknown as { getLogFormatter?: () => unknown }).getLogFormatter?.();
  return candidate instanceof LogFormatter ? candidate : new StandardKeysFormatter();
}

/** The documented Powertools keys, for when the Logger's own default cannot be reached. */
class StandardKeysFormatter extends LogFormatter {
  public override formatAttributes(
    attributes: UnformattedAttributes,
    additionalLogAttributes: LogAttributes,
  ): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_arn: attributes.lambdaContext?.invokedFunctionArn,
        function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additionalLogAttributes);
  }
}
