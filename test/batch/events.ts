/**
 * Batch events in the exact shapes Lambda sends, typed with `@types/aws-lambda` so a missing or
 * misspelled field fails the type-check. Payloads are given as JSON values and encoded as each source
 * carries them.
 */
import type {
  DynamoDBStreamEvent,
  FirehoseTransformationEvent,
  KinesisStreamEvent,
  MSKEvent,
  SelfManagedKafkaEvent,
  SNSEvent,
  SQSEvent,
  SQSMessageAttributes,
} from 'aws-lambda';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** The SQS message attribute a producer sets to say whose message it is. */
function tenantAttribute(tenant: string | undefined): SQSMessageAttributes {
  if (tenant === undefined) return {};
  return {
    tenant_id: { stringValue: tenant, dataType: 'String', stringListValues: [], binaryListValues: [] },
  };
}

export function sqsEvent(bodies: readonly unknown[], tenants: readonly string[] = []): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `059f36b4-87a3-44ab-83d2-${String(i).padStart(12, '0')}`,
      receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${i}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082649183',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1545082649185',
      },
      messageAttributes: tenantAttribute(tenants[i]),
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`,
      awsRegion: REGION,
    })),
  };
}

export function snsEvent(messages: readonly unknown[]): SNSEvent {
  return {
    Records: messages.map((message, i) => ({
      EventVersion: '1.0',
      EventSubscriptionArn: `arn:aws:sns:${REGION}:${ACCOUNT}:orders:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
      EventSource: 'aws:sns',
      Sns: {
        SignatureVersion: '1',
        Timestamp: '2019-01-02T12:45:07.000Z',
        Signature: 'tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==',
        SigningCertUrl:
          'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem',
        MessageId: `95df01b4-ee98-5cb9-9903-4c221d41eb5${i}`,
        Message: typeof message === 'string' ? message : JSON.stringify(message),
        MessageAttributes: {},
        Type: 'Notification',
        UnsubscribeUrl: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe`,
        TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:orders`,
        Subject: 'order',
      },
    })),
  };
}

export function kinesisEvent(items: readonly unknown[]): KinesisStreamEvent {
  return {
    Records: items.map((item, i) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: `pk-${i}`,
        sequenceNumber: `49590338271490256608559692538361571095921575989136588${String(i).padStart(3, '0')}`,
        data: typeof item === 'string' ? item : b64(item),
        approximateArrivalTimestamp: 1545084650.987,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000006:4959033827149025660855969253836157109592157598913658${i}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/lambda-role`,
      awsRegion: REGION,
      eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/orders`,
    })),
  };
}

export function dynamodbEvent(images: readonly Record<string, unknown>[]): DynamoDBStreamEvent {
  return {
    Records: images.map((image, i) => ({
      eventID: `c4ca4238a0b923820dcc509a6f75849${i}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: {
        ApproximateCreationDateTime: 1479499740,
        Keys: { id: { S: `c-${i}` } },
        NewImage: image as never,
        SequenceNumber: `1302160000000000159${String(6893 + i)}`,
        SizeBytes: 112,
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/customers/stream/2016-11-16T20:42:48.104`,
    })),
  };
}

type KafkaRecordInput = {
  topic?: string;
  partition?: number;
  value: unknown;
  headers?: Record<string, string>;
};

function kafkaRecords(items: readonly KafkaRecordInput[]) {
  const records: Record<string, MSKEvent['records'][string]> = {};
  items.forEach((item, i) => {
    const topic = item.topic ?? 'orders';
    const partition = item.partition ?? 0;
    const key = `${topic}-${partition}`;
    records[key] ??= [];
    records[key].push({
      topic,
      partition,
      offset: 15 + i,
      timestamp: 1545084650987,
      timestampType: 'CREATE_TIME',
      key: Buffer.from(`key-${i}`).toString('base64'),
      value: typeof item.value === 'string' ? item.value : b64(item.value),
      headers: Object.entries(item.headers ?? {}).map(([k, v]) => ({ [k]: [...Buffer.from(v)] })),
    });
  });
  return records;
}

export function mskEvent(items: readonly KafkaRecordInput[]): MSKEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2`,
    bootstrapServers: 'b-2.demo-cluster-1.a1bcde.c1.kafka.eu-west-1.amazonaws.com:9092',
    records: kafkaRecords(items),
  };
}

export function selfManagedKafkaEvent(items: readonly KafkaRecordInput[]): SelfManagedKafkaEvent {
  return {
    eventSource: 'SelfManagedKafka',
    bootstrapServers: 'b-2.demo-cluster-1.example.com:9092,b-1.demo-cluster-1.example.com:9092',
    records: kafkaRecords(items),
  };
}

export function firehoseEvent(items: readonly unknown[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocationIdExample',
    deliveryStreamArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/dms-to-s3`,
    region: REGION,
    records: items.map((item, i) => ({
      recordId: `49546986683135544286507457936321625675700192471156785154${i}`,
      approximateArrivalTimestamp: 1495072949453,
      data: typeof item === 'string' ? item : b64(item),
    })),
  };
}
