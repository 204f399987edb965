/**
 * A record handler for Powertools' `BatchProcessor` (`@aws-lambda-powertools/batch`) that decrypts each
 * record before yours sees it (SPEC §9). A record that cannot be decrypted throws its typed error, which
 * the processor reports as a batch item failure; yours never runs for it.
 *
 * @module
 */
import type { DataMasking } from '../data-masking.js';
import { compileRecordDecrypt, type RecordCryptoOptions } from './mask-records.js';
import type { BatchSource } from './sources.js';

/** Options of {@link decryptingRecordHandler}. */
export interface DecryptingRecordHandlerOptions {
  /** The masker, with a provider. */
  masker: DataMasking;
  /** The processor's event type: `sqs` (EventType.SQS), `kinesis` (KinesisDataStreams). */
  source: BatchSource;
  /**
   * Fields to decrypt in each record's payload, the record's context (a function of the record and the
   * Lambda context the processor passes, or `'tenant'`: that context's `tenantId`) and `bind`.
   */
  decrypt: RecordCryptoOptions;
}

/**
 * Wraps `handler`: the options are checked now; each record is decrypted, then passed on.
 *
 * @example
 * ```ts
 * const processor = new BatchProcessor(EventType.SQS);
 * const recordHandler = decryptingRecordHandler(async (record: SQSRecord) => save(JSON.parse(record.body)), {
 *   masker,
 *   source: 'sqs',
 *   decrypt: { fields: ['card'], context: (r) => ({ tenant_id: tenantOf(r) }) },
 * });
 * export const handler = (event: SQSEvent, context: Context) =>
 *   processPartialResponse(event, recordHandler, processor, { context });
 * ```
 */
export function decryptingRecordHandler<TRecord extends object, TContext, TResult>(
  handler: (record: TRecord, context?: TContext) => TResult | Promise<TResult>,
  options: DecryptingRecordHandlerOptions,
): (record: TRecord, context?: TContext) => Promise<TResult> {
  const decrypt = compileRecordDecrypt(options);
  return async (record, context) => {
    // The Lambda context the processor passes (`processPartialResponse(…, { context })`): what a context
    // function gets as its second argument, and what `context: 'tenant'` reads `tenantId` from.
    const decrypted = await decrypt(record as unknown as Record<string, unknown>, context);
    return handler(decrypted as unknown as TRecord, context);
  };
}
