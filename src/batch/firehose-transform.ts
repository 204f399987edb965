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
import { readsTenant, tenantContext } from '../crypto/tenant-context.js';
import { type DataMasking, quietMasker } from '../data-masking.js';
import type { EraseOptions } from '../erase/eraser.js';
import { textEraserOf } from '../erase/text-eraser.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { assertCryptoFieldsOptions, assertKnownOptions } from '../options.js';
import { asPolicy, type MaskingPolicy, preparePolicies } from '../policy/masking-policy.js';
import { dmsTable, tablePattern } from './dms-tables.js';
import type { RecordCryptoOptions } from './mask-records.js';
import {
  contextOf,
  decodeBase64Text,
  lambdaContextOf,
  parseRecordJson,
  serializeRecord,
  typedFailure,
} from './record-support.js';

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
  erase?: EraseOptions | MaskingPolicy;
  /** Then encrypted, each record under its own context (and, with `bind`, bound to its field and record). */
  encrypt?: RecordCryptoOptions<TRequest>;
  /**
   * DMS-style rules per table, keyed by `schema.table` with `%` wildcards (the DMS object locator), for
   * DMS change records (`{ data, metadata: { 'schema-name', 'table-name', … } }`): expressions are
   * relative to the row (`data`), the first matching key wins, and other records follow the top-level
   * `erase` and `encrypt`.
   */
  tables?: Readonly<Record<string, TableRules<TRequest>>>;
  /** What a record that cannot be masked becomes; `Dropped` unless you opt in. */
  failedRecords?: FailedRecordResult;
  /** Told, once per call and without data, how many records could not be masked and why. */
  logger?: { warn(message: string): void };
}

/** The rules of one table (or of the top level): erase, then encrypt. */
export interface TableRules<TRequest = unknown> {
  erase?: EraseOptions | MaskingPolicy;
  encrypt?: RecordCryptoOptions<TRequest>;
}

const OPTIONS = ['masker', 'erase', 'encrypt', 'tables', 'failedRecords', 'logger'] as const;
const TABLE_OPTIONS = ['erase', 'encrypt'] as const;

/** Rules compiled once: the eraser and the encrypt options. */
interface CompiledRules<TRequest> {
  readonly erase: ((data: unknown) => unknown) | undefined;
  /** `erase` over the data's JSON text, when its configuration allows (`undefined` from it: parse). */
  readonly eraseText: ((text: string) => string | undefined) | undefined;
  readonly encrypt: TableRules<TRequest>['encrypt'];
}

/** A DMS table pattern and its rules. */
interface TableEntry<TRequest> {
  readonly pattern: RegExp;
  readonly rules: CompiledRules<TRequest>;
}

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
  return compileFirehoseMasking(options)(records, request);
}

/**
 * {@link maskFirehoseRecords} with its options checked and its expressions compiled once (the middleware
 * does this at cold start).
 *
 * @internal
 */
export function compileFirehoseMasking<TRequest = unknown>(
  options: FirehoseMaskingOptions<TRequest>,
): (records: readonly FirehoseRecordIn[], request?: TRequest) => Promise<{ records: FirehoseRecordOut[] }> {
  assertKnownOptions(options, OPTIONS, 'the Firehose masking options');
  const failedResult = options.failedRecords ?? 'Dropped';
  if (failedResult !== 'Dropped' && failedResult !== 'ProcessingFailed') {
    throw new DataMaskingUnsupportedTypeError("'failedRecords' must be 'Dropped' or 'ProcessingFailed'");
  }
  const masker = quietMasker(options.masker.withOptions({ throwOnMissingField: false }));
  const policies: MaskingPolicy[] = [];
  const compileRules = (rules: TableRules<TRequest>, where: string): CompiledRules<TRequest> => {
    if (rules.encrypt !== undefined) {
      assertCryptoFieldsOptions(rules.encrypt, 'encrypt', `the ${where}encrypt options`, 'record');
    }
    const policy = rules.erase === undefined ? undefined : asPolicy(rules.erase);
    // Readied for each batch: token keys unwrapped (once), `secretsFrom` loaded for the request.
    if (policy !== undefined && (policy.options.secretsFrom !== undefined || !policy.isReady))
      policies.push(policy);
    const erase = policy === undefined ? undefined : masker.compileErase(policy);
    return {
      erase,
      eraseText: erase === undefined ? undefined : textEraserOf(erase),
      encrypt: rules.encrypt,
    };
  };
  const topLevel = compileRules(options, '');
  const tables: TableEntry<TRequest>[] = Object.entries(options.tables ?? {}).map(([key, rules]) => {
    assertKnownOptions(rules, TABLE_OPTIONS, `the rules of table ${JSON.stringify(key)}`);
    return { pattern: tablePattern(key), rules: compileRules(rules, `table ${JSON.stringify(key)} `) };
  });
  const logger = options.logger ?? console;

  const needsTenant = readsTenant([topLevel, ...tables.map((t) => t.rules)]);
  return async (records, request) => {
    // No tenant, no batch: the whole call is refused (403), no record is dropped one by one.
    if (needsTenant) tenantContext(lambdaContextOf(request));
    if (!Array.isArray(records) || !records.every((r) => r !== null && typeof r?.recordId === 'string')) {
      throw new DataMaskingUnsupportedTypeError('every Firehose record needs a recordId');
    }
    if (policies.length > 0) await preparePolicies(policies, request);
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
          const data = await maskData(record, masker, topLevel, tables, request);
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
      logger.warn(
        `batchMasking: ${failures.length} of ${records.length} Firehose records could not be masked and are ${failedResult} (${why})`,
      );
    }
    return { records: out };
  };
}

const withMetadata = (out: FirehoseRecordOut, record: FirehoseRecordIn): FirehoseRecordOut =>
  record.metadata === undefined ? out : { ...out, metadata: record.metadata };

async function maskData<TRequest>(
  record: FirehoseRecordIn,
  masker: DataMasking,
  topLevel: CompiledRules<TRequest>,
  tables: readonly TableEntry<TRequest>[],
  request: TRequest | undefined,
): Promise<string> {
  if (typeof record.data !== 'string')
    throw new DataMaskingUnsupportedTypeError('the record carries no data');
  const text = decodeBase64Text(record.data);
  if (tables.length === 0 && topLevel.encrypt === undefined && topLevel.eraseText !== undefined) {
    // Erase alone: masked as text when the text walk takes it (what no path touches is not parsed).
    const masked = topLevel.eraseText(text);
    if (masked !== undefined)
      return masked === text ? record.data : Buffer.from(masked, 'utf8').toString('base64');
  }
  let value: unknown;
  try {
    value = parseRecordJson(text);
  } catch {
    // Not JSON: no expression can look inside it (SPEC §4.7), so the record cannot be masked.
    throw new DataMaskingUnsupportedTypeError('the record data is not JSON');
  }
  const table = tables.length === 0 ? undefined : dmsTable(value);
  const entry = table === undefined ? undefined : tables.find((t) => t.pattern.test(table));
  let masked: unknown;
  if (entry === undefined) {
    masked = await applyRules(value, topLevel, masker, record, request);
  } else {
    // A DMS change record of a listed table: its rules apply to the row.
    const dms = value as { data: unknown };
    const row = await applyRules(dms.data, entry.rules, masker, record, request);
    masked = row === dms.data ? value : { ...dms, data: row };
  }
  // Untouched records keep their bytes exactly as they came.
  if (masked === value) return record.data;
  return Buffer.from(serializeRecord(masked), 'utf8').toString('base64');
}

/** Erases, then encrypts under the record's context. */
async function applyRules<TRequest>(
  value: unknown,
  rules: CompiledRules<TRequest>,
  masker: DataMasking,
  record: FirehoseRecordIn,
  request: TRequest | undefined,
): Promise<unknown> {
  let masked = rules.erase === undefined ? value : rules.erase(value);
  if (rules.encrypt !== undefined) {
    const context: EncryptionContext | undefined = await contextOf(
      rules.encrypt.context,
      record as unknown as Record<string, unknown>,
      request,
    );
    masked = await masker.encrypt(masked, {
      fields: rules.encrypt.fields,
      context,
      bind: rules.encrypt.bind,
    });
  }
  return masked;
}
