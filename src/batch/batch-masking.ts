/**
 * `batchMasking()`: the Middy middleware for queue and stream consumers and Firehose transformations
 * (SPEC §9). `before` decrypts each record's fields under that record's context and removes the records
 * that fail; `after` reports them in the partial batch response, merged with the handler's own, or — for
 * a Firehose transformation — erases then encrypts each returned record.
 *
 * @module
 */
import type { MiddlewareObj, Request } from '@middy/core';
import { readsTenant, tenantContext } from '../crypto/tenant-context.js';
import { DataMasking } from '../data-masking.js';
import type { EraseOptions } from '../erase/eraser.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { assertKnownOptions } from '../options.js';
import type { MaskingPolicy } from '../policy/masking-policy.js';
import {
  compileFirehoseMasking,
  type FailedRecordResult,
  type FirehoseRecordIn,
} from './firehose-transform.js';
import {
  compileMaskRecords,
  type MaskedBatch,
  maskCompiled,
  type RecordCryptoOptions,
  type RecordTableRules,
} from './mask-records.js';
import { lambdaContextOf } from './record-support.js';
import { type BatchSource, detectSource, type ItemIdentifier } from './sources.js';

/** Options of {@link batchMasking}. */
export interface BatchMaskingOptions {
  /** The masker; with a provider for `decrypt` and `encrypt`. */
  masker: DataMasking;
  /** The source of the batches; detected from each event when omitted. */
  source?: BatchSource;
  /**
   * Fields to decrypt in every record before the handler runs, each under its record's context (and, with
   * `bind`, checked against its field and record).
   */
  decrypt?: RecordCryptoOptions<Request>;
  /**
   * Erased in every record: before the handler for queues and streams, in what the handler returns for
   * a Firehose transformation (or in the event's records when it returns nothing).
   */
  erase?: EraseOptions | MaskingPolicy;
  /** Then encrypted, each record under its own context (same placement as `erase`). */
  encrypt?: RecordCryptoOptions<Request>;
  /**
   * DMS-style rules per `schema.table` (`%` wildcards) for DMS change records, relative to the row; the
   * first matching key wins, other records follow the top-level options. Their `decrypt` runs before the
   * handler; their `erase` and `encrypt` run where the top-level ones do.
   */
  tables?: Readonly<Record<string, RecordTableRules<Request>>>;
  /** Firehose: what a record that cannot be masked becomes (`Dropped` unless you opt in). */
  failedRecords?: FailedRecordResult;
  /** Told, without data, how many records failed and why. */
  logger?: { warn(message: string): void };
}

const defaults = {
  source: undefined,
  decrypt: undefined,
  erase: undefined,
  encrypt: undefined,
  tables: undefined,
  failedRecords: 'Dropped' as FailedRecordResult,
  logger: undefined,
};
const OPTIONS = ['masker', ...Object.keys(defaults)];

type Failure = { itemIdentifier: ItemIdentifier };

/**
 * The middleware. Configuration errors (unknown options, erase or encrypt for a source that returns no
 * records) throw here, at cold start.
 *
 * @example
 * ```ts
 * export const handler = middy<SQSEvent, SQSBatchResponse>()
 *   .use(batchMasking({
 *     masker,
 *     decrypt: {
 *       fields: ['card'],
 *       context: (record) => ({ tenant_id: record.messageAttributes.tenant_id.stringValue }),
 *     },
 *   }))
 *   .handler(async (event) => ({ batchItemFailures: [] }));
 * ```
 */
export function batchMasking(opts: BatchMaskingOptions): MiddlewareObj {
  if (opts === null || typeof opts !== 'object') {
    throw new DataMaskingUnsupportedTypeError(
      'batchMasking() needs options: { masker, decrypt?, erase?, encrypt? }',
    );
  }
  assertKnownOptions(opts, OPTIONS, 'the batchMasking() options');
  const options = { ...defaults, ...opts };
  if (!(options.masker instanceof DataMasking)) {
    throw new DataMaskingUnsupportedTypeError("batchMasking() needs a 'masker': a DataMasking instance");
  }
  if ((options.decrypt !== undefined || options.encrypt !== undefined) && !options.masker.hasProvider) {
    throw new DataMaskingUnsupportedTypeError("'decrypt' and 'encrypt' need a masker with a provider");
  }
  if (options.failedRecords !== 'Dropped' && options.failedRecords !== 'ProcessingFailed') {
    throw new DataMaskingUnsupportedTypeError("'failedRecords' must be 'Dropped' or 'ProcessingFailed'");
  }
  const masksRecords = options.erase !== undefined || options.encrypt !== undefined;
  const tables = Object.entries(options.tables ?? {});
  /** The tables with only some of their stages (Firehose splits them around the handler). */
  const tablesWith = (keep: (rules: RecordTableRules<Request>) => RecordTableRules<Request>) =>
    options.tables === undefined ? {} : { tables: Object.fromEntries(tables.map(([k, r]) => [k, keep(r)])) };
  const onlyDefined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  // Compiled now, at cold start: the masker's caches of expressions live across invocations.
  const optional = <K extends 'decrypt' | 'erase' | 'encrypt' | 'logger'>(key: K) =>
    options[key] === undefined ? {} : ({ [key]: options[key] } as Pick<BatchMaskingOptions, K>);
  const source = options.source === undefined ? {} : { source: options.source };
  /** Queues and streams: decrypt, erase, encrypt each record (by its table for DMS records) before the handler. */
  const inbound =
    options.decrypt === undefined && !masksRecords && options.tables === undefined
      ? undefined
      : compileMaskRecords<Request>({
          masker: options.masker,
          ...source,
          ...optional('decrypt'),
          ...optional('erase'),
          ...optional('encrypt'),
          ...tablesWith((r) => r),
        });
  const tablesDecrypt = tables.some(([, r]) => r.decrypt !== undefined);
  /** Firehose: decrypt before the handler; erase and encrypt (top level and tables) what it returns. */
  const firehoseInbound =
    options.decrypt === undefined && !tablesDecrypt
      ? undefined
      : compileMaskRecords<Request>({
          masker: options.masker,
          source: 'firehose',
          ...optional('decrypt'),
          ...tablesWith((r) => onlyDefined({ decrypt: r.decrypt })),
        });
  const firehoseOutbound =
    !masksRecords && options.tables === undefined
      ? undefined
      : compileFirehoseMasking<Request>({
          masker: options.masker,
          ...optional('erase'),
          ...optional('encrypt'),
          ...tablesWith((r) => onlyDefined({ erase: r.erase, encrypt: r.encrypt })),
          failedRecords: options.failedRecords,
          ...optional('logger'),
        });
  /** Per request: its source, and the records removed before the handler ran. */
  const state = new WeakMap<Request, { source: BatchSource; removed: Failure[] }>();

  const needsTenant = readsTenant([options, ...tables.map(([, r]) => r)]);

  const batchMaskingBefore = async (request: Request): Promise<void> => {
    // No tenant, no batch: refused before the handler, whichever stage (before or after it) needs it.
    if (needsTenant) tenantContext(lambdaContextOf(request));
    const detected = options.source ?? detectSource(request.event);
    const compiled = detected === 'firehose' ? firehoseInbound : inbound;
    state.set(request, { source: detected, removed: [] });
    if (compiled === undefined) return;
    const masked: MaskedBatch<object> = await maskCompiled(
      request.event as object,
      { ...compiled, source: detected },
      request,
    );
    request.event = masked.event;
    state.set(request, { source: detected, removed: masked.batchItemFailures });
    if (masked.errors.length > 0) {
      const names = [...new Set(masked.errors.map((e) => e.error.name))].join(', ');
      (options.logger ?? console).warn(
        `batchMasking: ${masked.errors.length} record(s) could not be masked and were reported as failed (${names})`,
      );
    }
  };

  const batchMaskingAfter = async (request: Request): Promise<void> => {
    const current = state.get(request);
    if (current === undefined) return;
    if (current.source === 'firehose' && firehoseOutbound !== undefined) {
      const response = request.response as { records?: FirehoseRecordIn[] } | undefined;
      // A handler that returns nothing transforms nothing itself: the event's records are the output.
      const records = response?.records ?? (request.event as { records: FirehoseRecordIn[] }).records;
      request.response = { ...(response ?? {}), ...(await firehoseOutbound(records, request)) };
      return;
    }
    const ours = current.removed;
    if (ours.length === 0) return;
    const response = (request.response ?? {}) as { batchItemFailures?: Failure[] };
    const theirs = Array.isArray(response.batchItemFailures) ? response.batchItemFailures : [];
    const seen = new Set(theirs.map((f) => JSON.stringify(f.itemIdentifier)));
    request.response = {
      ...response,
      batchItemFailures: [...theirs, ...ours.filter((f) => !seen.has(JSON.stringify(f.itemIdentifier)))],
    };
  };

  return { before: batchMaskingBefore, after: batchMaskingAfter };
}
