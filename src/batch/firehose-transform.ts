/**
 * Outbound masking of Firehose transformation records (SPEC §9): each record's data is decoded, erased,
 * then encrypted under its own context, and re-encoded; `recordId` and order are kept. A record that
 * cannot be masked never leaves with its data: it becomes `Dropped` (the default) or `ProcessingFailed`
 * — Firehose writes a `ProcessingFailed` record's original data to its error prefix, which is why that
 * is an opt-in — and is counted and logged without data.
 *
 * @module
 */
import type { EncryptionContext } from '../crypto/encryption-provider.js';
import { type DataMasking, quietMasker } from '../data-masking.js';
import type { EraseOptions } from '../erase/eraser.js';
import { parseJson } from '../erase/lossless-json.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { assertKnownOptions } from '../options.js';
import { contextOf, decodeBase64Text, type RecordContext, typedFailure } from './record-support.js';

/** What a record that cannot be masked becomes. */
export type FailedRecordResult = 'Dropped' | 'ProcessingFailed';

/** A Firehose transformation record, as the event carries it or as a handler returns it. */
export interface FirehoseRecordIn {
  recordId: string;
  data?: string;
  result?: string;
  metadata?: unknown;
}

/** A record of the transformation result. */
export interface FirehoseRecordOut {
  recordId: string;
  result: 'Ok' | 'Dropped' | 'ProcessingFailed';
  data?: string;
  metadata?: unknown;
}

/** Options of {@link maskFirehoseRecords}. */
export interface FirehoseMaskingOptions<TRequest = unknown> {
  masker: DataMasking;
  /** Erased first, with expressions relative to the decoded record. */
  erase?: EraseOptions;
  /** Then encrypted, each record under its own context. */
  encrypt?: { fields: readonly string[]; context?: RecordContext<TRequest> };
  /** What a record that cannot be masked becomes; `Dropped` unless you opt in. */
  failedRecords?: FailedRecordResult;
  /** Told, once per call and without data, how many records could not be masked and why. */
  logger?: { warn(message: string): void };
}

const OPTIONS = ['masker', 'erase', 'encrypt', 'failedRecords', 'logger'] as const;
const CONCURRENCY = 16;

/**
 * Masks the data of every `Ok` record (records already `Dropped` or `ProcessingFailed` keep their result
 * and lose their data) and returns the transformation result, one record per record given, in order.
 *
 * @throws {DataMaskingUnsupportedTypeError} for unknown options or malformed records (no `recordId`).
 */
export async function maskFirehoseRecords<TRequest = unknown>(
  records: readonly FirehoseRecordIn[],
  options: FirehoseMaskingOptions<TRequest>,
  request?: TRequest,
): Promise<{ records: FirehoseRecordOut[] }> {
  assertKnownOptions(options, OPTIONS, 'the Firehose masking options');
  const failedResult = options.failedRecords ?? 'Dropped';
  if (failedResult !== 'Dropped' && failedResult !== 'ProcessingFailed') {
    throw new DataMaskingUnsupportedTypeError("'failedRecords' must be 'Dropped' or 'ProcessingFailed'");
  }
  if (!Array.isArray(records) || !records.every((r) => r !== null && typeof r?.recordId === 'string')) {
    throw new DataMaskingUnsupportedTypeError('every Firehose record needs a recordId');
  }
  const masker = quietMasker(options.masker.withOptions({ throwOnMissingField: false }));
  const erase = options.erase === undefined ? undefined : masker.compileErase(options.erase);
  const out = new Array<FirehoseRecordOut>(records.length);
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const i = next++;
      const record = records[i];
      const result = record.result ?? 'Ok';
      if (result !== 'Ok') {
        out[i] = withMetadata(
          { recordId: record.recordId, result: result === 'Dropped' ? 'Dropped' : 'ProcessingFailed' },
          record,
        );
        continue;
      }
      try {
        const data = await maskData(record, masker, erase, options.encrypt, request);
        out[i] = withMetadata({ recordId: record.recordId, result: 'Ok', data }, record);
      } catch (error) {
        failures.push(typedFailure(error).name);
        out[i] = withMetadata({ recordId: record.recordId, result: failedResult }, record);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, records.length) }, worker));
  if (failures.length > 0) {
    const counts = new Map<string, number>();
    for (const name of failures) counts.set(name, (counts.get(name) ?? 0) + 1);
    const why = [...counts].map(([name, n]) => `${name} ×${n}`).join(', ');
    const message = `batchMasking: ${failures.length} of ${records.length} Firehose records could not be masked and are ${failedResult} (${why})`;
    (options.logger ?? console).warn(message);
  }
  return { records: out };
}

const withMetadata = (out: FirehoseRecordOut, record: FirehoseRecordIn): FirehoseRecordOut =>
  record.metadata === undefined ? out : { ...out, metadata: record.metadata };

async function maskData<TRequest>(
  record: FirehoseRecordIn,
  masker: DataMasking,
  erase: ((data: unknown) => unknown) | undefined,
  encrypt: FirehoseMaskingOptions<TRequest>['encrypt'],
  request: TRequest | undefined,
): Promise<string> {
  if (typeof record.data !== 'string')
    throw new DataMaskingUnsupportedTypeError('the record carries no data');
  const text = decodeBase64Text(record.data);
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    // Not JSON: no expression can look inside it (SPEC §4.7), so the record cannot be masked.
    throw new DataMaskingUnsupportedTypeError('the record data is not JSON');
  }
  let masked = erase === undefined ? value : erase(value);
  if (encrypt !== undefined) {
    const context: EncryptionContext | undefined = await contextOf(
      encrypt.context,
      record as unknown as Record<string, unknown>,
      request,
    );
    masked = await masker.encrypt(masked, { fields: encrypt.fields, context });
  }
  // Untouched records keep their bytes exactly as they came.
  if (masked === value) return record.data;
  return Buffer.from(serialize(masked), 'utf8').toString('base64');
}

function serialize(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new DataMaskingUnsupportedTypeError('the masked record cannot be serialized');
  return json;
}
