/**
 * `maskRecords`, inbound (SPEC §9): decrypts the configured fields of every record of a batch under that
 * record's own encryption context, each record on its own. A record that fails — a tampered or foreign
 * ciphertext, another tenant's message, a payload that is not JSON where an expression must look — is
 * removed from the event and reported, as `ReportBatchItemFailures` expects, with a typed error that
 * carries no data; the others go on. Expressions are relative to the decoded payload, never the envelope.
 *
 * @module
 */

import type { BindOptions } from '../crypto/binding.js';
import type { EncryptionContext } from '../crypto/encryption-provider.js';
import { readsTenant, tenantContext } from '../crypto/tenant-context.js';
import { type DataMasking, quietMasker } from '../data-masking.js';
import type { EraseOptions } from '../erase/eraser.js';
import { textEraserOf } from '../erase/text-eraser.js';
import { DataMaskingError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { assertCryptoFieldsOptions, assertKnownOptions } from '../options.js';
import { asPolicy, type MaskingPolicy, preparePolicies } from '../policy/masking-policy.js';
import { dmsTable, tablePattern } from './dms-tables.js';
import { IMAGE_FIELDS, readImage, writeImage } from './dynamodb-images.js';
import {
  contextOf,
  decodeBase64Text,
  lambdaContextOf,
  parseRecordJson,
  type RecordContext,
  serializeRecord,
  typedFailure,
} from './record-support.js';
import { type BatchSource, CODECS, detectSource, type ItemIdentifier, type SourceCodec } from './sources.js';

type AnyRecord = Record<string, unknown>;

export type { RecordContext } from './record-support.js';

/** Fields to decrypt in each record's payload, and the context each record's ciphertexts must carry. */
export interface RecordCryptoOptions<TRequest = unknown> {
  /** Field expressions, relative to the decoded payload (the SQS body, the Kinesis data, …). */
  fields: readonly string[];
  /**
   * The context, a function of the record (an SQS message attribute, a Kafka header, …), or `'tenant'`
   * (Lambda tenant isolation's `context.tenantId`).
   */
  context?: RecordContext<TRequest>;
  /**
   * Bind each ciphertext to its field (`path`) and record (`record`, an expression relative to the decoded
   * payload, e.g. `'$.orderId'`): SPEC §12. Off by default.
   */
  bind?: BindOptions;
}

/** Options of {@link maskRecords}. */
export interface MaskRecordsOptions<TRequest = unknown> {
  /** The masker, with a provider. */
  masker: DataMasking;
  /** The source of the batch; detected from the event when omitted. */
  source?: BatchSource;
  /** Decrypt these fields of every record, before the handler sees it. */
  decrypt?: RecordCryptoOptions<TRequest>;
  /** Then erase these (fields, rules, detectors) in every record. */
  erase?: EraseOptions | MaskingPolicy;
  /** Then encrypt these fields of every record, each under its own context. */
  encrypt?: RecordCryptoOptions<TRequest>;
  /**
   * DMS-style rules per `schema.table` (`%` wildcards) for DMS change records (`{ data, metadata }`, as
   * DMS writes them to Kinesis or Kafka): relative to the row, the first matching key wins, and other
   * records follow the top-level `decrypt`, `erase` and `encrypt`.
   */
  tables?: Readonly<Record<string, RecordTableRules<TRequest>>>;
}

/** The rules of one DMS table in {@link maskRecords}: decrypt, erase, encrypt, relative to the row. */
export interface RecordTableRules<TRequest = unknown> {
  decrypt?: RecordCryptoOptions<TRequest>;
  erase?: EraseOptions | MaskingPolicy;
  encrypt?: RecordCryptoOptions<TRequest>;
}

/** One record that was removed from the batch, and why. */
export interface RecordFailure {
  /** The record's position in the batch as delivered. */
  readonly index: number;
  /** Its identifier in a partial batch response (`undefined` for SNS, which has none). */
  readonly itemIdentifier: ItemIdentifier | undefined;
  /** A typed error without data. */
  readonly error: DataMaskingError;
}

/** What {@link maskRecords} gives back for an inbound batch. */
export interface MaskedBatch<TEvent> {
  /** The event with the records that were decrypted, in their order; the others are removed. */
  readonly event: TEvent;
  /** The failed records as `ReportBatchItemFailures` expects them. */
  readonly batchItemFailures: { itemIdentifier: ItemIdentifier }[];
  /** Every failed record with its error. */
  readonly errors: RecordFailure[];
}

const OPTIONS = ['masker', 'source', 'decrypt', 'erase', 'encrypt', 'tables'] as const;
const TABLE_OPTIONS = ['decrypt', 'erase', 'encrypt'] as const;
/** Records decrypted at once; KMS calls stay one per data key (the provider's single-flight cache). */
const RECORD_CONCURRENCY = 16;

/**
 * Decrypts the configured fields of every record, each under its own context, and returns the event
 * without the records that failed, the partial batch response for them, and their typed errors. The
 * event is never mutated. SNS has no partial batch response: a failing SNS record throws its error.
 *
 * @throws {DataMaskingUnsupportedTypeError} for unknown options, or an event of no known source.
 */
export async function maskRecords<TEvent extends object, TRequest = unknown>(
  event: TEvent,
  options: MaskRecordsOptions<TRequest>,
  request?: TRequest,
): Promise<MaskedBatch<TEvent>> {
  return maskCompiled(event, compileMaskRecords(options), request);
}

/**
 * {@link maskRecords} with its options compiled once (the middleware compiles at cold start, so the
 * masker's caches of expressions live across invocations).
 *
 * @internal
 */
export async function maskCompiled<TEvent extends object, TRequest>(
  event: TEvent,
  compiled: CompiledMaskRecords<TRequest>,
  request?: TRequest,
): Promise<MaskedBatch<TEvent>> {
  // No tenant, no batch: refused whole, before any record is read (the records share the invocation).
  if (readsTenant([compiled, ...compiled.tables.map((t) => t.stages)]))
    tenantContext(lambdaContextOf(request));
  const source = compiled.source ?? detectSource(event);
  const codec = codecFor(source);
  if (compiled.policies.length > 0) await preparePolicies(compiled.policies, request);
  const records = codec.records(event as AnyRecord);
  const results = new Array<AnyRecord | DataMaskingError>(records.length);
  const { erase } = compiled;
  const eraseOnly =
    erase !== undefined &&
    compiled.tables.length === 0 &&
    compiled.decrypt === undefined &&
    compiled.encrypt === undefined &&
    codec.encoding !== 'dynamodb';
  if (eraseOnly) {
    for (let i = 0; i < records.length; i++) {
      try {
        results[i] = eraseRecord(codec, records[i], compiled, erase);
      } catch (error) {
        results[i] = typedFailure(error);
      }
    }
  }
  let next = eraseOnly ? records.length : 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const i = next++;
      try {
        results[i] = await maskRecord(codec, records[i], compiled, request);
      } catch (error) {
        results[i] = typedFailure(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECORD_CONCURRENCY, records.length) }, worker));

  const kept: AnyRecord[] = [];
  const errors: RecordFailure[] = [];
  results.forEach((result, index) => {
    if (result instanceof DataMaskingError) {
      errors.push({ index, itemIdentifier: codec.itemIdentifier(records[index]), error: result });
    } else {
      kept.push(result);
    }
  });
  if (source === 'sns' && errors.length > 0) throw errors[0].error;
  const batchItemFailures = errors.flatMap(({ itemIdentifier }) =>
    itemIdentifier === undefined ? [] : [{ itemIdentifier }],
  );
  const unchanged = errors.length === 0 && kept.every((r, i) => r === records[i]);
  return {
    event: unchanged ? event : (codec.withRecords(event as AnyRecord, kept) as TEvent),
    batchItemFailures,
    errors,
  };
}

/** @internal Options checked once, with the masker the records are decrypted by. */
export interface CompiledMaskRecords<TRequest> {
  readonly masker: DataMasking;
  readonly source: BatchSource | undefined;
  readonly decrypt: RecordCryptoOptions<TRequest> | undefined;
  readonly erase: ((data: unknown) => unknown) | undefined;
  /** `erase` over the payload's JSON text, when its configuration allows (`undefined` from it: parse). */
  readonly eraseText: ((text: string) => string | undefined) | undefined;
  readonly encrypt: RecordCryptoOptions<TRequest> | undefined;
  /** Whether an expression must look inside each payload (then a payload that is not JSON fails). */
  readonly looksInside: boolean;
  /** DMS tables and their stages, in the order given. */
  readonly tables: readonly { readonly pattern: RegExp; readonly stages: CompiledMaskRecords<TRequest> }[];
  /** The erase policies with `secretsFrom` or token keys not yet unwrapped: prepared for each batch's request. */
  readonly policies: readonly MaskingPolicy[];
}

/**
 * A decrypter of single records of `source`, compiled once: gives the decrypted record, or throws the
 * record's typed error. For processors that take one record at a time (Powertools' BatchProcessor).
 *
 * @internal
 */
export function compileRecordDecrypt<TRequest>(
  options: MaskRecordsOptions<TRequest> & { source: BatchSource },
): (record: AnyRecord, request?: TRequest) => Promise<AnyRecord> {
  const compiled = compileMaskRecords(options);
  const codec = codecFor(options.source);
  return async (record, request) => {
    try {
      return await maskRecord(codec, record, compiled, request);
    } catch (error) {
      throw typedFailure(error);
    }
  };
}

function codecFor(source: BatchSource): SourceCodec {
  return CODECS[source];
}

/**
 * A DynamoDB Streams record: the pipeline runs on its `NewImage` and `OldImage` (unmarshalled; `Keys` are
 * left as they are). A record with neither image carries nothing to mask.
 */
async function maskImages<TRequest>(
  record: AnyRecord,
  compiled: CompiledMaskRecords<TRequest>,
  request: TRequest | undefined,
): Promise<AnyRecord> {
  const stream = record.dynamodb as Record<string, unknown> | undefined;
  if (stream === null || typeof stream !== 'object') {
    throw new DataMaskingUnsupportedTypeError('the DynamoDB record carries no stream record');
  }
  const present = IMAGE_FIELDS.filter((f) => stream[f] !== null && typeof stream[f] === 'object');
  if (present.length === 0) return record;
  const contexts = await contextsOf(compiled, record, request);
  let changed: Record<string, unknown> | undefined;
  for (const field of present) {
    const { value, sets } = await readImage(stream[field] as Record<string, unknown>);
    const masked = await pipeline(value, compiled, contexts);
    if (masked === value) continue;
    changed ??= { ...stream };
    changed[field] = await writeImage(masked as Record<string, unknown>, sets);
  }
  return changed === undefined ? record : { ...record, dynamodb: changed };
}

/**
 * One record: its payload decoded and parsed once, then decrypted, erased and encrypted, and written
 * back in its own encoding only when something changed (an untouched record keeps its exact bytes).
 */
async function maskRecord<TRequest>(
  codec: SourceCodec,
  record: AnyRecord,
  compiled: CompiledMaskRecords<TRequest>,
  request: TRequest | undefined,
): Promise<AnyRecord> {
  const { decrypt, erase, encrypt, tables } = compiled;
  if (decrypt === undefined && erase === undefined && encrypt === undefined && tables.length === 0) {
    return record;
  }
  if (codec.encoding === 'dynamodb') return maskImages(record, compiled, request);
  // A Kafka tombstone carries no data: nothing to mask, nothing to leak.
  if (codec.empty(record)) return record;
  const { text, value } = readPayload(codec, record, compiled);
  const table = tables.length === 0 ? undefined : dmsTable(value);
  const entry = table === undefined ? undefined : tables.find((t) => t.pattern.test(table));
  if (entry === undefined) {
    const masked = await pipeline(value, compiled, await contextsOf(compiled, record, request));
    return writePayload(codec, record, text, value, masked);
  }
  // A DMS change record of a listed table: its stages run on the row.
  const dms = value as { data: unknown };
  const row = await pipeline(dms.data, entry.stages, await contextsOf(entry.stages, record, request));
  return writePayload(codec, record, text, value, row === dms.data ? value : { ...dms, data: row });
}

/**
 * {@link maskRecord} without cryptography: no promise per record (erase alone is synchronous). The JSON
 * text is masked as text when the configuration allows, and parsed only when the text walk gives it back.
 */
function eraseRecord<TRequest>(
  codec: SourceCodec,
  record: AnyRecord,
  compiled: CompiledMaskRecords<TRequest>,
  erase: (data: unknown) => unknown,
): AnyRecord {
  if (codec.empty(record)) return record;
  const text = payloadText(codec, record);
  const masked = compiled.eraseText?.(text);
  if (masked !== undefined) return masked === text ? record : withText(codec, record, masked);
  const { value } = readPayload(codec, record, compiled, text);
  return writePayload(codec, record, text, value, erase(value));
}

/** The payload as text (base64 decoded). */
function payloadText(codec: SourceCodec, record: AnyRecord): string {
  const payload = codec.payload(record);
  if (payload === undefined)
    throw new DataMaskingUnsupportedTypeError('the record carries no readable payload');
  return codec.encoding === 'base64' ? decodeBase64Text(payload) : payload;
}

/** The payload decoded and parsed once; text that is not JSON only where no expression must look in it. */
function readPayload<TRequest>(
  codec: SourceCodec,
  record: AnyRecord,
  compiled: CompiledMaskRecords<TRequest>,
  text = payloadText(codec, record),
): { text: string; value: unknown } {
  try {
    return { text, value: parseRecordJson(text) };
  } catch {
    // Not JSON (SPEC §4.7): no expression can look inside it; detectors alone still scan it as text.
    if (compiled.looksInside) throw new DataMaskingUnsupportedTypeError('the record payload is not JSON');
    return { text, value: text };
  }
}

/** The record with `masked` written back in its encoding, or the record itself when nothing changed. */
function writePayload(
  codec: SourceCodec,
  record: AnyRecord,
  text: string,
  value: unknown,
  masked: unknown,
): AnyRecord {
  if (masked === value) return record;
  return withText(
    codec,
    record,
    typeof masked === 'string' && value === text ? masked : serializeRecord(masked),
  );
}

/** The record with its payload's text replaced, in the record's encoding. */
function withText(codec: SourceCodec, record: AnyRecord, text: string): AnyRecord {
  return codec.withPayload(
    record,
    codec.encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text,
  );
}

/** The record's contexts for decrypt and encrypt, built before anything is decrypted. */
async function contextsOf<TRequest>(
  compiled: CompiledMaskRecords<TRequest>,
  record: AnyRecord,
  request: TRequest | undefined,
): Promise<{ decrypt?: EncryptionContext; encrypt?: EncryptionContext }> {
  return {
    decrypt:
      compiled.decrypt === undefined ? undefined : await contextOf(compiled.decrypt.context, record, request),
    encrypt:
      compiled.encrypt === undefined ? undefined : await contextOf(compiled.encrypt.context, record, request),
  };
}

/** Decrypt, then erase, then encrypt. */
async function pipeline<TRequest>(
  value: unknown,
  compiled: CompiledMaskRecords<TRequest>,
  contexts: { decrypt?: EncryptionContext; encrypt?: EncryptionContext },
): Promise<unknown> {
  const { masker, decrypt, erase, encrypt } = compiled;
  let out = value;
  if (decrypt !== undefined)
    out = await masker.decrypt(out, {
      fields: decrypt.fields,
      context: contexts.decrypt,
      bind: decrypt.bind,
    });
  if (erase !== undefined) out = erase(out);
  if (encrypt !== undefined)
    out = await masker.encrypt(out, {
      fields: encrypt.fields,
      context: contexts.encrypt,
      bind: encrypt.bind,
    });
  return out;
}

/** @internal Checks the options of {@link maskRecords}, once. */
export function compileMaskRecords<TRequest>(
  options: MaskRecordsOptions<TRequest>,
): CompiledMaskRecords<TRequest> {
  assertKnownOptions(options, OPTIONS, 'the maskRecords options');
  const { masker, decrypt } = options;
  if (masker === null || typeof masker !== 'object' || typeof masker.decrypt !== 'function') {
    throw new DataMaskingUnsupportedTypeError("'masker' must be a DataMasking instance");
  }
  if (options.source !== undefined && !Object.hasOwn(CODECS, options.source)) {
    throw new DataMaskingUnsupportedTypeError(`'source' must be one of ${Object.keys(CODECS).join(', ')}`);
  }
  checkCrypto(decrypt, 'decrypt');
  checkCrypto(options.encrypt, 'encrypt');
  if ((decrypt !== undefined || options.encrypt !== undefined) && !masker.hasProvider) {
    throw new DataMaskingUnsupportedTypeError("'decrypt' and 'encrypt' need a masker with a provider");
  }
  // Records vary: a record without an encrypted field is not an error (as in the middleware).
  const quiet = quietMasker(masker.withOptions({ throwOnMissingField: false }));
  const policies: MaskingPolicy[] = [];
  const stages = (rules: RecordTableRules<TRequest>): CompiledMaskRecords<TRequest> => {
    const policy = rules.erase === undefined ? undefined : asPolicy(rules.erase);
    // Readied for each batch: token keys unwrapped (once), `secretsFrom` loaded for the request.
    if (policy !== undefined && (policy.options.secretsFrom !== undefined || !policy.isReady))
      policies.push(policy);
    const eraser = policy === undefined ? undefined : quiet.compileErase(policy);
    const eraseOptions = policy?.options;
    const expressions =
      eraseOptions !== undefined &&
      (eraseOptions.fields !== undefined ||
        eraseOptions.maskingRules !== undefined ||
        eraseOptions.allow !== undefined);
    return {
      masker: quiet,
      source: options.source,
      decrypt: rules.decrypt,
      erase: eraser,
      eraseText: eraser === undefined ? undefined : textEraserOf(eraser),
      encrypt: rules.encrypt,
      looksInside: rules.decrypt !== undefined || rules.encrypt !== undefined || expressions,
      tables: [],
      policies,
    };
  };
  const tables = Object.entries(options.tables ?? {}).map(([key, rules]) => {
    const where = `the rules of table ${JSON.stringify(key)}`;
    assertKnownOptions(rules, TABLE_OPTIONS, where);
    checkCrypto(rules.decrypt, 'decrypt');
    checkCrypto(rules.encrypt, 'encrypt');
    if ((rules.decrypt !== undefined || rules.encrypt !== undefined) && !masker.hasProvider) {
      throw new DataMaskingUnsupportedTypeError(
        `${where}: 'decrypt' and 'encrypt' need a masker with a provider`,
      );
    }
    return { pattern: tablePattern(key), stages: stages(rules) };
  });
  const top = stages(options);
  return { ...top, looksInside: top.looksInside || tables.length > 0, tables };
}

function checkCrypto<TRequest>(
  options: RecordCryptoOptions<TRequest> | undefined,
  what: 'decrypt' | 'encrypt',
): void {
  if (options === undefined) return;
  assertCryptoFieldsOptions(options, what, `the ${what} options`, 'record');
}
