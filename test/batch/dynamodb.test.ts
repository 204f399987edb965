/**
 * Issue 11 (started): DynamoDB Streams records. Fields are decrypted in the unmarshalled `NewImage` and
 * `OldImage`, a changed image is marshalled back (numbers exact), `Keys` and unchanged images are left
 * as they came, and a failing record is reported by its `SequenceNumber` — with `maskRecords`, the Middy
 * middleware and Powertools' BatchProcessor.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { marshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { batchMasking } from '../../src/batch/batch-masking.js';
import { decryptingRecordHandler } from '../../src/batch/decrypting-record-handler.js';
import { maskRecords } from '../../src/batch/mask-records.js';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingContextMismatchError } from '../../src/errors.js';
import { provider, useKms } from '../crypto/support.js';
import { dynamodbEvent } from './events.js';

const { kms } = useKms(1);
const BIG = '12345678901234567890123';
/** The stream record of a DynamoDB record (every fixture has one). */
const ddb = (record: DynamoDBRecord) => record.dynamodb as NonNullable<DynamoDBRecord['dynamodb']>;
/** The new image of a record (every fixture has one). */
const newImage = (record: DynamoDBRecord) =>
  ddb(record).NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] & object;

/** The tenant is an attribute of the item itself. */
const tenantOf = (record: Record<string, unknown>) => {
  const image = (record.dynamodb as { NewImage: Record<string, { S: string }> }).NewImage;
  return { tenant_id: image.tenant_id.S };
};

async function item(masker: DataMasking, tenant: string, i: number) {
  const plain = { id: `c-${i}`, tenant_id: tenant, card: `4111-${i}`, email: `u${i}@example.com` };
  const stored = await masker.encrypt(plain, { fields: ['card'], context: { tenant_id: tenant } });
  // A number JavaScript cannot hold, as DynamoDB keeps it.
  return { ...marshall(stored), balance: { N: BIG } };
}

test('NewImage and OldImage decrypted, numbers exact, Keys untouched; a wrong tenant reported by sequence number', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = dynamodbEvent([await item(masker, 'acme', 0), await item(masker, 'globex', 1)]);
  ddb(event.Records[0]).OldImage = await item(masker, 'acme', 9);
  // Record 1 says acme in its image but its card is globex's.
  newImage(event.Records[1]).tenant_id = { S: 'acme' };
  const before = JSON.stringify(event);

  const out = await maskRecords(event, { masker, decrypt: { fields: ['card'], context: tenantOf } });

  expect(JSON.stringify(event)).toBe(before);
  expect(out.event.Records).toHaveLength(1);
  const stream = ddb(out.event.Records[0]);
  expect(stream.NewImage?.card).toEqual({ S: '4111-0' });
  expect(stream.OldImage?.card).toEqual({ S: '4111-9' });
  expect(stream.NewImage?.balance).toEqual({ N: BIG });
  expect(stream.NewImage?.email).toEqual({ S: 'u0@example.com' });
  expect(stream.Keys).toEqual(ddb(event.Records[0]).Keys);
  expect(out.batchItemFailures).toEqual([{ itemIdentifier: ddb(event.Records[1]).SequenceNumber }]);
  expect(out.errors[0].error).toBeInstanceOf(DataMaskingContextMismatchError);
});

test('a KEYS_ONLY record, or an image without the field, comes back as it came', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = dynamodbEvent([{ id: { S: 'x' }, tenant_id: { S: 'acme' } }]);
  const keysOnly: DynamoDBStreamEvent = {
    Records: [
      {
        ...event.Records[0],
        dynamodb: { Keys: { id: { S: 'x' } }, SequenceNumber: '1', StreamViewType: 'KEYS_ONLY' },
      },
    ],
  };
  for (const e of [event, keysOnly]) {
    const out = await maskRecords(e, {
      masker,
      decrypt: { fields: ['card'], context: { tenant_id: 'acme' } },
    });
    expect(out.event).toBe(e);
  }
});

test('the Middy middleware and Powertools BatchProcessor report the same failure', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = dynamodbEvent([await item(masker, 'acme', 0), await item(masker, 'globex', 1)]);
  newImage(event.Records[1]).tenant_id = { S: 'acme' };
  const failed = [{ itemIdentifier: ddb(event.Records[1]).SequenceNumber as string }];

  const seen: string[] = [];
  const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse | undefined>()
    .use(
      batchMasking({
        masker,
        decrypt: { fields: ['card'], context: tenantOf },
        logger: { warn: () => undefined },
      }),
    )
    .handler(async (e) => {
      for (const r of e.Records) seen.push(String(r.dynamodb?.NewImage?.card?.S));
      return undefined;
    });
  await expect(handler(event, {} as never)).resolves.toEqual({ batchItemFailures: failed });
  expect(seen).toEqual(['4111-0']);

  const cards: string[] = [];
  const recordHandler = decryptingRecordHandler(
    async (record: DynamoDBRecord) => {
      cards.push(String(record.dynamodb?.NewImage?.card?.S));
    },
    { masker, source: 'dynamodb', decrypt: { fields: ['card'], context: tenantOf } },
  );
  const response = await processPartialResponse(
    event,
    recordHandler,
    new BatchProcessor(EventType.DynamoDBStreams),
    {
      context: {} as never,
    },
  );
  expect(response.batchItemFailures).toEqual(failed);
  expect(cards).toEqual(['4111-0']);
});

test('string and number sets are looked into like lists, and written back as sets; no member passes unseen', async () => {
  const masker = new DataMasking();
  const image = {
    id: { S: 'c-1' },
    emails: { SS: ['jane@example.com', 'j.doe@example.com'] },
    scores: { NS: ['1', '2'] },
    tags: { SS: ['vip', 'jane@example.com'] },
  };
  const event = dynamodbEvent([image]);
  const out = await maskRecords(event, { masker, erase: { fields: ['emails[*]', 'tags'] } });
  const masked = ddb(out.event.Records[0]).NewImage as Record<string, unknown>;
  expect(masked.emails).toEqual({ SS: ['*****'] });
  // A selected list is masked element by element (SPEC §4.1), so a selected set stays a set.
  expect(masked.tags).toEqual({ SS: ['*****'] });
  expect(masked.scores).toEqual({ NS: ['1', '2'] });
  expect(JSON.stringify(masked)).not.toContain('example.com');
  // Nothing to change: the image comes back as it came.
  const untouched = await maskRecords(event, { masker, erase: { fields: ['missing'] } });
  expect(untouched.event).toBe(event);
});
