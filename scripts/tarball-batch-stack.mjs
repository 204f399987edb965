// Run by check-tarball.mjs inside a fresh project that installed the packed package: the README's batch
// stacks end to end against the KMS double — an SQS consumer in Middy, a DynamoDB Streams consumer, a
// Firehose transformation, and Powertools' BatchProcessor. Exits non-zero on the first broken promise.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { marshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import { DataMasking } from 'middy-data-masking';
import { batchMasking, decryptingRecordHandler } from 'middy-data-masking/batch';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
import { createKmsMock } from 'middy-data-masking/testing';
import { captureOutput, checker, context } from './tarball-support.mjs';

const CARD = '4111 1111 1111 1111';
const EMAIL = 'jane.doe@example.com';
const kms = createKmsMock();
const masker = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: kms.keys }) });
const printed = captureOutput();
const expect = checker('tarball batch stack');
const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

// SQS, as Lambda delivers it; the producer put the tenant in a message attribute.
const sqsRecord = (i, body, tenant) => ({
  messageId: `059f36b4-87a3-44ab-83d2-66197209000${i}`,
  receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${i}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1545082649183',
    SenderId: 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: '1545082649185',
  },
  messageAttributes: { tenant_id: { stringValue: tenant, dataType: 'String' } },
  md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:orders',
  awsRegion: 'eu-west-1',
});
const tenantOf = (record) => ({ tenant_id: record.messageAttributes.tenant_id.stringValue });
const sealed = (tenant, extra = {}) =>
  masker.encrypt(JSON.stringify({ card: CARD, ...extra }), {
    fields: ['card'],
    context: { tenant_id: tenant },
  });
const sqsEvent = {
  Records: [
    sqsRecord(0, await sealed('acme'), 'acme'),
    sqsRecord(1, await sealed('acme'), 'globex'), // another tenant's attribute: refused
    sqsRecord(2, 'not json', 'acme'),
    sqsRecord(3, await sealed('globex', { fail: true }), 'globex'), // the handler fails it itself
  ],
};
const ids = (indices) => indices.map((i) => sqsEvent.Records[i].messageId);

// 1. Middy SQS consumer.
const seen = [];
const sqsHandler = middy()
  .use(batchMasking({ masker, decrypt: { fields: ['card'], context: tenantOf } }))
  .handler(async (event) => {
    const batchItemFailures = [];
    for (const record of event.Records) {
      const body = JSON.parse(record.body);
      seen.push(body.card);
      if (body.fail) batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  });
const sqsOut = await sqsHandler(sqsEvent, context);
expect(
  seen.length === 2 && seen.every((card) => card === CARD),
  'the SQS handler did not see exactly the two decryptable records, decrypted',
);
expect(
  sameSet(
    sqsOut.batchItemFailures.map((f) => f.itemIdentifier),
    ids([1, 2, 3]),
  ),
  'the SQS partial batch response is not the refused, the unreadable and the handler-failed records',
);

// 2. Powertools BatchProcessor with the decrypting record handler.
const processed = [];
const recordHandler = decryptingRecordHandler(
  async (record) => {
    const body = JSON.parse(record.body);
    if (body.card !== CARD) throw new Error('the record handler got a sealed card');
    processed.push(record.messageId);
  },
  { masker, source: 'sqs', decrypt: { fields: ['card'], context: tenantOf } },
);
const powertools = await processPartialResponse(sqsEvent, recordHandler, new BatchProcessor(EventType.SQS), {
  context,
});
expect(sameSet(processed, ids([0, 3])), 'BatchProcessor handled other records than the two readable ones');
expect(
  sameSet(
    powertools.batchItemFailures.map((f) => f.itemIdentifier),
    ids([1, 2]),
  ),
  'BatchProcessor did not report the refused and the unreadable records',
);

// 3. DynamoDB Streams: the image is decrypted in AttributeValue form, by the tenant attribute.
const image = (tenant, card) => marshall({ id: 'c-1', tenant_id: tenant, card });
const streamRecord = (i, newImage) => ({
  eventID: `c4ca4238a0b923820dcc509a6f75849${i}`,
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'eu-west-1',
  dynamodb: {
    ApproximateCreationDateTime: 1479499740,
    Keys: { id: { S: 'c-1' } },
    NewImage: newImage,
    SequenceNumber: `13021600000000001596893${i}`,
    SizeBytes: 112,
    StreamViewType: 'NEW_IMAGE',
  },
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:111122223333:table/customers/stream/2016-11-16T20:42:48.104',
});
const acmeCard = await masker.encrypt(CARD, { context: { tenant_id: 'acme' } });
const streamEvent = {
  Records: [streamRecord(0, image('acme', acmeCard)), streamRecord(1, image('globex', acmeCard))],
};
const streamCards = [];
const streamHandler = middy()
  .use(
    batchMasking({
      masker,
      decrypt: {
        fields: ['card'],
        context: (record) => ({ tenant_id: record.dynamodb.NewImage.tenant_id.S }),
      },
    }),
  )
  .handler(async (event) => {
    for (const record of event.Records) streamCards.push(record.dynamodb.NewImage.card.S);
    return { batchItemFailures: [] };
  });
const streamOut = await streamHandler(streamEvent, context);
expect(
  streamCards.length === 1 && streamCards[0] === CARD,
  'the DynamoDB handler did not get the one decrypted image',
);
expect(
  sameSet(
    streamOut.batchItemFailures.map((f) => f.itemIdentifier),
    [streamEvent.Records[1].dynamodb.SequenceNumber],
  ),
  'the DynamoDB record of another tenant was not reported by its sequence number',
);

// 4. Firehose transformation: erase alone (applied to the text), a record that is not JSON Dropped.
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const firehoseEvent = {
  invocationId: 'invocation-1',
  deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/orders',
  region: 'eu-west-1',
  records: [
    {
      recordId: 'r-0',
      approximateArrivalTimestamp: 1545084650987,
      data: b64(JSON.stringify({ email: EMAIL, card: CARD, n: 1 })),
    },
    { recordId: 'r-1', approximateArrivalTimestamp: 1545084650988, data: b64(`card=${CARD}`) },
  ],
};
const warnings = [];
const transform = middy()
  .use(
    batchMasking({ masker, erase: { fields: ['email', 'card'] }, logger: { warn: (m) => warnings.push(m) } }),
  )
  .handler(async () => undefined);
const transformed = await transform(firehoseEvent, context);
const [first, second] = transformed.records;
expect(
  first.recordId === 'r-0' &&
    first.result === 'Ok' &&
    Buffer.from(first.data, 'base64').toString('utf8') === '{"email":"*****","card":"*****","n":1}',
  'the Firehose record was not masked',
);
expect(
  second.recordId === 'r-1' && second.result === 'Dropped' && second.data === undefined,
  'the unreadable record was not Dropped',
);
expect(
  warnings.length === 1 && !warnings[0].includes(CARD),
  'the Firehose failure was not logged once, without data',
);

const outputs = JSON.stringify([sqsOut, powertools, streamOut, transformed]);
expect(!outputs.includes(CARD) && !outputs.includes(EMAIL), 'a response carries a card or an email');
expect(!printed.text.includes(CARD) && !printed.text.includes(EMAIL), 'PII reached stdout or stderr');
kms.restore();
console.log(
  'tarball batch stack: SQS in Middy and in BatchProcessor, DynamoDB Streams and Firehose masked, refused records reported',
);
