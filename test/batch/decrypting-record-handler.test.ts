/**
 * Issue 11 (started): with Powertools' real `BatchProcessor`, records are decrypted before the record
 * handler; one that cannot be decrypted becomes a batch item failure and the handler never sees it.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { KinesisStreamRecord, SQSRecord } from 'aws-lambda';
import { decryptingRecordHandler } from '../../src/batch/decrypting-record-handler.js';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { provider, useKms } from '../crypto/support.js';
import { kinesisEvent, sqsEvent } from './events.js';

const { kms } = useKms(1);
const context = {} as never;

async function encrypted(masker: DataMasking, tenant: string, i: number) {
  return masker.encrypt({ id: i, card: `4111-${i}` }, { fields: ['card'], context: { tenant_id: tenant } });
}

test('SQS: a wrong-tenant record and one the handler rejects are both reported; the rest decrypted', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = sqsEvent(
    [
      await encrypted(masker, 'acme', 0),
      await encrypted(masker, 'globex', 1),
      await encrypted(masker, 'acme', 2),
    ],
    ['acme', 'acme', 'acme'],
  );
  const seen: string[] = [];
  const recordHandler = decryptingRecordHandler(
    async (record: SQSRecord) => {
      const body = JSON.parse(record.body);
      if (body.id === 2) throw new Error('the handler rejects this one');
      seen.push(body.card);
    },
    {
      masker,
      source: 'sqs',
      decrypt: {
        fields: ['card'],
        context: (r) => ({
          tenant_id: String(
            (r.messageAttributes as Record<string, { stringValue: string }>).tenant_id.stringValue,
          ),
        }),
      },
    },
  );
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(event, recordHandler, processor, { context });
  expect(seen).toEqual(['4111-0']);
  expect(response.batchItemFailures).toEqual([
    { itemIdentifier: event.Records[1].messageId },
    { itemIdentifier: event.Records[2].messageId },
  ]);
});

test('Kinesis: a tampered record is a batch item failure by its sequence number', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const good = await encrypted(masker, 'acme', 0);
  const event = kinesisEvent([good, Buffer.from('{"card":"AAAA"}').toString('base64')]);
  const cards: string[] = [];
  const recordHandler = decryptingRecordHandler(
    async (record: KinesisStreamRecord) => {
      cards.push(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')).card);
    },
    { masker, source: 'kinesis', decrypt: { fields: ['card'], context: { tenant_id: 'acme' } } },
  );
  const response = await processPartialResponse(
    event,
    recordHandler,
    new BatchProcessor(EventType.KinesisDataStreams),
    {
      context,
    },
  );
  expect(cards).toEqual(['4111-0']);
  expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1].kinesis.sequenceNumber }]);
});

test('options are checked when the handler is wrapped', () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  expect(() =>
    decryptingRecordHandler(async () => undefined, { masker, source: 'sqs', decrypt: { fields: [] } }),
  ).toThrow(DataMaskingUnsupportedTypeError);
  expect(() =>
    decryptingRecordHandler(async () => undefined, {
      masker,
      source: 'sqs3' as never,
      decrypt: { fields: ['x'] },
    }),
  ).toThrow(DataMaskingUnsupportedTypeError);
});
