/**
 * The record sources Lambda delivers in batches (SPEC §9): how to recognise each event, list its records,
 * read a record's payload as it travels, put a masked payload back in the same encoding, and name a
 * record in a partial batch response. Nothing here looks inside a payload: that is the policy's work.
 *
 * DynamoDB Streams images (AttributeValue maps) are not a string payload; their codec lives apart, so
 * `@aws-sdk/util-dynamodb` is loaded only for DynamoDB events.
 *
 * @module
 */
import { DataMaskingUnsupportedTypeError } from '../errors.js';

/** The sources a batch can come from. */
export type BatchSource = 'sqs' | 'sns' | 'kinesis' | 'dynamodb' | 'kafka' | 'firehose';

/** How a record's payload is written: JSON text as it is, or base64 of its UTF-8 bytes. */
export type PayloadEncoding = 'text' | 'base64' | 'dynamodb';

/** A Kafka record in a partial batch response: its topic-partition and offset. */
export interface KafkaItemIdentifier {
  readonly partition: string;
  readonly offset: number;
}

/** What `ReportBatchItemFailures` expects to name one record. */
export type ItemIdentifier = string | KafkaItemIdentifier;

type AnyRecord = Record<string, unknown>;
type AnyEvent = Record<string, unknown>;

/** One source's view of its events and records. */
export interface SourceCodec {
  readonly source: BatchSource;
  readonly encoding: PayloadEncoding;
  /** The records, in delivery order (Kafka's lists per topic-partition flattened, in key order). */
  records(event: AnyEvent): AnyRecord[];
  /** The payload as it travels (JSON text, or base64), or `undefined` when the record carries none. */
  payload(record: AnyRecord): string | undefined;
  /** Whether the record carries no data by design (a Kafka tombstone: a key with a null value). */
  empty(record: AnyRecord): boolean;
  /** A copy of `record` carrying `payload` instead (the record itself is never changed). */
  withPayload(record: AnyRecord, payload: string): AnyRecord;
  /** The record's identifier for a partial batch response, or `undefined` (SNS has none). */
  itemIdentifier(record: AnyRecord): ItemIdentifier | undefined;
  /** A copy of `event` with only `records`, in their order (the event itself is never changed). */
  withRecords(event: AnyEvent, records: AnyRecord[]): AnyEvent;
}

const isObject = (value: unknown): value is AnyRecord =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Sources whose records are `event.Records[]` and whose payload is one string member (maybe nested). */
function recordsArray(
  source: BatchSource,
  encoding: PayloadEncoding,
  read: (record: AnyRecord) => unknown,
  write: (record: AnyRecord, payload: string) => AnyRecord,
  itemIdentifier: (record: AnyRecord) => ItemIdentifier | undefined,
  key: 'Records' | 'records' = 'Records',
): SourceCodec {
  return {
    source,
    encoding,
    records: (event) => {
      const list = event[key];
      return Array.isArray(list) ? list.filter(isObject) : [];
    },
    payload: (record) => text(read(record)),
    empty: () => false,
    withPayload: write,
    itemIdentifier,
    withRecords: (event, records) => ({ ...event, [key]: records }),
  };
}

const SQS = recordsArray(
  'sqs',
  'text',
  (r) => r.body,
  (r, body) => ({ ...r, body }),
  (r) => text(r.messageId),
);

const SNS = recordsArray(
  'sns',
  'text',
  (r) => (isObject(r.Sns) ? r.Sns.Message : undefined),
  (r, Message) => ({ ...r, Sns: { ...(r.Sns as AnyRecord), Message } }),
  () => undefined,
);

const KINESIS = recordsArray(
  'kinesis',
  'base64',
  (r) => (isObject(r.kinesis) ? r.kinesis.data : undefined),
  (r, data) => ({ ...r, kinesis: { ...(r.kinesis as AnyRecord), data } }),
  (r) => (isObject(r.kinesis) ? text(r.kinesis.sequenceNumber) : undefined),
);

/** Its images are AttributeValue maps, read and written by the DynamoDB image codec, not as a string. */
const DYNAMODB = recordsArray(
  'dynamodb',
  'dynamodb',
  () => undefined,
  (r) => r,
  (r) => (isObject(r.dynamodb) ? text(r.dynamodb.SequenceNumber) : undefined),
);

const FIREHOSE = recordsArray(
  'firehose',
  'base64',
  (r) => r.data,
  (r, data) => ({ ...r, data }),
  (r) => text(r.recordId),
  'records',
);

/** MSK and self-managed Kafka: `records` maps each topic-partition to its list of records. */
const KAFKA: SourceCodec = {
  source: 'kafka',
  encoding: 'base64',
  records: (event) => {
    const groups = event.records;
    if (!isObject(groups)) return [];
    const out: AnyRecord[] = [];
    for (const key of Object.keys(groups)) {
      const list = groups[key];
      if (Array.isArray(list)) for (const r of list) if (isObject(r)) out.push(r);
    }
    return out;
  },
  payload: (record) => text(record.value),
  empty: (record) => record.value === null || record.value === undefined,
  withPayload: (record, value) => ({ ...record, value }),
  itemIdentifier: (record) =>
    typeof record.topic === 'string' &&
    typeof record.partition === 'number' &&
    typeof record.offset === 'number'
      ? { partition: `${record.topic}-${record.partition}`, offset: record.offset }
      : undefined,
  withRecords: (event, records) => {
    // Regrouped under the keys Lambda used, so a kept record stays under its own topic-partition.
    const groups: Record<string, AnyRecord[]> = {};
    for (const r of records) {
      const key = `${String(r.topic)}-${String(r.partition)}`;
      groups[key] ??= [];
      groups[key].push(r);
    }
    return { ...event, records: groups };
  },
};

/** Every codec by source name. */
export const CODECS: Readonly<Record<BatchSource, SourceCodec>> = {
  sqs: SQS,
  sns: SNS,
  kinesis: KINESIS,
  dynamodb: DYNAMODB,
  kafka: KAFKA,
  firehose: FIREHOSE,
};

const EVENT_SOURCES: Readonly<Record<string, BatchSource>> = {
  'aws:sqs': 'sqs',
  'aws:sns': 'sns',
  'aws:kinesis': 'kinesis',
  'aws:dynamodb': 'dynamodb',
  'aws:kafka': 'kafka',
  SelfManagedKafka: 'kafka',
};

/**
 * The source of a batch event, from the fields Lambda sets: `eventSource` on each record (SQS, Kinesis,
 * DynamoDB), `EventSource` (SNS), `eventSource` on the event (Kafka), `deliveryStreamArn` (Firehose).
 * All records of one event come from one source; an event that mixes them is refused.
 *
 * @throws {DataMaskingUnsupportedTypeError} when the event is none of the six, or mixes sources.
 */
export function detectSource(event: unknown): BatchSource {
  if (!isObject(event)) throw new DataMaskingUnsupportedTypeError('the event is not a batch event');
  const own = typeof event.eventSource === 'string' ? EVENT_SOURCES[event.eventSource] : undefined;
  if (own === 'kafka') return 'kafka';
  if (typeof event.deliveryStreamArn === 'string' && Array.isArray(event.records)) return 'firehose';
  const records = event.Records;
  if (!Array.isArray(records)) {
    throw new DataMaskingUnsupportedTypeError(
      'the event is not an SQS, SNS, Kinesis, DynamoDB Streams, Kafka or Firehose batch',
    );
  }
  let found: BatchSource | undefined;
  for (const record of records) {
    const name = isObject(record) ? (record.eventSource ?? record.EventSource) : undefined;
    const source = typeof name === 'string' ? EVENT_SOURCES[name] : undefined;
    if (source === undefined || source === 'kafka' || (found !== undefined && source !== found)) {
      throw new DataMaskingUnsupportedTypeError(
        'the batch holds a record of no known source, or records of several sources',
      );
    }
    found = source;
  }
  // An empty batch carries no source: nothing to mask either way.
  return found ?? 'sqs';
}
