/**
 * Issue 11 (started): each source is recognised from the event Lambda sends, its records listed in
 * order, its payload read and written back in its own encoding without touching anything else, and each
 * record named as `ReportBatchItemFailures` expects.
 */
import { CODECS, detectSource } from '../../src/batch/sources.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import {
  dynamodbEvent,
  firehoseEvent,
  kinesisEvent,
  mskEvent,
  selfManagedKafkaEvent,
  snsEvent,
  sqsEvent,
} from './events.js';

const payloads = [
  { card: '4111', n: 1 },
  { card: '5500', n: 2 },
];
const json = (p: unknown) => JSON.stringify(p);
const b64 = (p: unknown) => Buffer.from(JSON.stringify(p)).toString('base64');

describe.each([
  ['sqs', sqsEvent(payloads), 'text'],
  ['sns', snsEvent(payloads), 'text'],
  ['kinesis', kinesisEvent(payloads), 'base64'],
  ['kafka', mskEvent(payloads.map((value) => ({ value }))), 'base64'],
  ['kafka', selfManagedKafkaEvent(payloads.map((value) => ({ value }))), 'base64'],
  ['firehose', firehoseEvent(payloads), 'base64'],
] as const)('%s (%#)', (source, event, encoding) => {
  const codec = CODECS[source];
  const encode = encoding === 'text' ? json : b64;

  test('is detected, and lists its records in order with their payloads', () => {
    expect(detectSource(event)).toBe(source);
    expect(codec.encoding).toBe(encoding);
    const records = codec.records(event as never);
    expect(records.map((r) => codec.payload(r))).toEqual(payloads.map(encode));
  });

  test('writes a payload back into a copy, leaving the record and every other field as they were', () => {
    const [first] = codec.records(event as never);
    const before = JSON.stringify(first);
    const changed = codec.withPayload(first, 'NEW');
    expect(codec.payload(changed)).toBe('NEW');
    expect(JSON.stringify(first)).toBe(before);
    // Only the payload differs.
    const strip = (r: Record<string, unknown>) =>
      JSON.parse(JSON.stringify(r).replace(JSON.stringify(codec.payload(r)), '"X"'));
    expect(strip(changed)).toEqual(strip(first));
  });

  test('keeps only the records given, in their order, in a copy of the event', () => {
    const records = codec.records(event as never);
    const kept = codec.withRecords(event as never, [records[1]]);
    expect(codec.records(kept)).toEqual([records[1]]);
    expect(codec.records(event as never)).toHaveLength(2);
  });
});

test('partial batch response identifiers, per source', () => {
  const id = (source: keyof typeof CODECS, event: object) =>
    CODECS[source].records(event as never).map((r) => CODECS[source].itemIdentifier(r));
  const sqs = sqsEvent(payloads);
  expect(id('sqs', sqs)).toEqual(sqs.Records.map((r) => r.messageId));
  const kinesis = kinesisEvent(payloads);
  expect(id('kinesis', kinesis)).toEqual(kinesis.Records.map((r) => r.kinesis.sequenceNumber));
  const dynamodb = dynamodbEvent([{ id: { S: 'a' } }, { id: { S: 'b' } }]);
  expect(id('dynamodb', dynamodb)).toEqual(dynamodb.Records.map((r) => r.dynamodb?.SequenceNumber));
  expect(id('sns', snsEvent(payloads))).toEqual([undefined, undefined]);
  expect(id('firehose', firehoseEvent(payloads))).toEqual(
    firehoseEvent(payloads).records.map((r) => r.recordId),
  );
  expect(id('kafka', mskEvent([{ value: 1 }, { value: 2, partition: 3, topic: 'pay' }]))).toEqual([
    { partition: 'orders-0', offset: 15 },
    { partition: 'pay-3', offset: 16 },
  ]);
});

test('Kafka records keep their topic-partition when some are removed', () => {
  const event = mskEvent([{ value: 1 }, { value: 2, partition: 1 }, { value: 3 }]);
  const codec = CODECS.kafka;
  const records = codec.records(event as never);
  // Listed per topic-partition, in the order of the event's keys.
  expect(records.map((r) => r.offset)).toEqual([15, 17, 16]);
  const kept = codec.withRecords(
    event as never,
    records.filter((r) => r.offset !== 16),
  ) as unknown as typeof event;
  expect(Object.keys(kept.records)).toEqual(['orders-0']);
  expect(kept.records['orders-0'].map((r) => r.offset)).toEqual([15, 17]);
});

test('DynamoDB Streams is detected; an empty batch is nobody in particular; other events are refused', () => {
  expect(detectSource(dynamodbEvent([{ id: { S: 'a' } }]))).toBe('dynamodb');
  expect(detectSource({ Records: [] })).toBe('sqs');
  for (const event of [
    null,
    'x',
    { body: '{}' },
    { Records: [{ eventSource: 'aws:s3' }] },
    { Records: [...sqsEvent(payloads).Records, ...kinesisEvent(payloads).Records] },
    { Records: [{}] },
  ]) {
    expect(() => detectSource(event)).toThrow(DataMaskingUnsupportedTypeError);
  }
});
