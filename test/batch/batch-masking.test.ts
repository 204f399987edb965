/**
 * Issue 11 (started): `batchMasking()` in real Middy stacks. Records that fail to decrypt never reach
 * the handler and are reported in the partial batch response, merged with the handler's own; Firehose
 * transformation output is erased then encrypted per record.
 */
import middy from '@middy/core';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  MSKEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { batchMasking } from '../../src/batch/batch-masking.js';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingContextMismatchError, DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { provider, useKms } from '../crypto/support.js';
import { firehoseEvent, kinesisEvent, mskEvent, snsEvent, sqsEvent } from './events.js';

const { kms } = useKms(1);
const context = {} as never;
const quiet = { warn: () => undefined };

async function encrypted(masker: DataMasking, tenant: string, i: number) {
  return masker.encrypt(
    { orderId: `o-${i}`, card: `4111-0000-0000-${String(i).padStart(4, '0')}` },
    { fields: ['card'], context: { tenant_id: tenant } },
  );
}

test('SQS: the handler sees only decrypted records; failures merge with its own, each once', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const bodies = [
    await encrypted(masker, 'acme', 0),
    await encrypted(masker, 'globex', 1),
    await encrypted(masker, 'acme', 2),
  ];
  const event = sqsEvent(bodies, ['acme', 'acme', 'acme']); // record 1 claims acme but is globex's
  const seen: string[] = [];
  const handler = middy<SQSEvent, SQSBatchResponse>()
    .use(
      batchMasking({
        masker,
        decrypt: {
          fields: ['card'],
          context: (record) => ({
            tenant_id: String(
              (record.messageAttributes as Record<string, { stringValue: string }>).tenant_id.stringValue,
            ),
          }),
        },
        logger: quiet,
      }),
    )
    .handler(async (e) => {
      for (const r of e.Records) seen.push(JSON.parse(r.body).card);
      // The handler fails record 2 itself, and (wrongly) reports record 1 too: reported once.
      return {
        batchItemFailures: [
          { itemIdentifier: e.Records[1].messageId },
          { itemIdentifier: event.Records[1].messageId },
        ],
      };
    });
  const response = await handler(event, context);
  expect(seen).toEqual(['4111-0000-0000-0000', '4111-0000-0000-0002']);
  expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
    [event.Records[1].messageId, event.Records[2].messageId].sort(),
  );
});

test('Kinesis: a tampered record is reported by its sequence number; a handler returning nothing gets a response', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const good = await encrypted(masker, 'acme', 0);
  const event = kinesisEvent([good, Buffer.from('{"card":"AAAA"}').toString('base64'), good]);
  const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse | undefined>()
    .use(
      batchMasking({ masker, decrypt: { fields: ['card'], context: { tenant_id: 'acme' } }, logger: quiet }),
    )
    .handler(async (e) => {
      expect(e.Records).toHaveLength(2);
      return undefined;
    });
  await expect(handler(event, context)).resolves.toEqual({
    batchItemFailures: [{ itemIdentifier: event.Records[1].kinesis.sequenceNumber }],
  });
});

test('SNS: a failing record fails the invocation with its typed error', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = snsEvent([await encrypted(masker, 'globex', 0)]);
  const handler = middy()
    .use(batchMasking({ masker, decrypt: { fields: ['card'], context: { tenant_id: 'acme' } } }))
    .handler(async () => undefined);
  await expect(handler(event, context)).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
});

test('Firehose: what the handler returns is erased then encrypted; with no handler output, the event records are', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const rows = [0, 1].map((i) => ({ data: { id: i, email: `u${i}@example.com`, card: '4111111111111111' } }));
  const event = firehoseEvent(rows);
  const stack = (
    body: (e: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult | undefined>,
  ) =>
    middy<FirehoseTransformationEvent, FirehoseTransformationResult | undefined>()
      .use(
        batchMasking({
          masker,
          erase: { fields: ['$.data.email'] },
          encrypt: { fields: ['$.data.card'], context: { stream: 'dms' } },
        }),
      )
      .handler(body);
  for (const handler of [
    stack(async (e) => ({
      records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok' as const, data: r.data })),
    })),
    stack(async () => undefined),
  ]) {
    const out = (await handler(event, context)) as FirehoseTransformationResult;
    expect(out.records.map((r) => [r.recordId, r.result])).toEqual(
      event.records.map((r) => [r.recordId, 'Ok']),
    );
    for (const r of out.records) {
      const row = JSON.parse(Buffer.from(String(r.data), 'base64').toString('utf8'));
      expect(row.data.email).toBe('*****');
      expect(row.data.card).not.toContain('4111');
    }
  }
});

test('configuration errors are refused at cold start', () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  expect(() => batchMasking({ masker, tables: { 'public.%': { erasse: {} } as never } })).toThrow(
    DataMaskingUnsupportedTypeError,
  );
  expect(() => batchMasking({ masker, decrpyt: {} } as never)).toThrow(DataMaskingUnsupportedTypeError);
  expect(() => batchMasking({ masker: {} as never })).toThrow(DataMaskingUnsupportedTypeError);
  expect(() => batchMasking({ masker: new DataMasking(), decrypt: { fields: ['card'] } })).toThrow(
    DataMaskingUnsupportedTypeError,
  );
  expect(() => batchMasking({ masker, failedRecords: 'Ok' as never })).toThrow(
    DataMaskingUnsupportedTypeError,
  );
});

test('queues and streams: erase and encrypt apply before the handler; a body that is not JSON is reported', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = sqsEvent([
    { card: '4111', email: 'jane@example.com', id: 1 },
    'jane@example.com is not JSON',
  ]);
  const seen: unknown[] = [];
  const handler = middy<SQSEvent, SQSBatchResponse | undefined>()
    .use(
      batchMasking({
        masker,
        erase: { fields: ['email'] },
        encrypt: { fields: ['card'], context: { purpose: 'queue' } },
        logger: quiet,
      }),
    )
    .handler(async (e) => {
      for (const r of e.Records) seen.push(JSON.parse(r.body));
      return undefined;
    });
  const response = await handler(event, context);
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1].messageId }] });
  expect(seen).toHaveLength(1);
  const [body] = seen as { card: string; email: string; id: number }[];
  expect(body.email).toBe('*****');
  expect(body.id).toBe(1);
  await expect(masker.decrypt(body, { fields: ['card'], context: { purpose: 'queue' } })).resolves.toEqual({
    card: '4111',
    email: '*****',
    id: 1,
  });
});

test('Kafka (MSK): the context from a record header; a failing record reported by topic-partition and offset', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = mskEvent([
    { value: await encrypted(masker, 'acme', 0), headers: { tenant_id: 'acme' } },
    { value: await encrypted(masker, 'globex', 1), headers: { tenant_id: 'acme' }, partition: 1 },
  ]);
  /** Kafka headers are lists of byte arrays, one object per header. */
  const header = (record: Record<string, unknown>, name: string) => {
    for (const h of record.headers as Record<string, number[]>[]) {
      if (h[name] !== undefined) return Buffer.from(h[name]).toString('utf8');
    }
    throw new Error(`no ${name} header`);
  };
  const cards: string[] = [];
  const handler = middy<MSKEvent, unknown>()
    .use(
      batchMasking({
        masker,
        decrypt: { fields: ['card'], context: (r) => ({ tenant_id: header(r, 'tenant_id') }) },
        logger: quiet,
      }),
    )
    .handler(async (e) => {
      for (const list of Object.values(e.records))
        for (const r of list) cards.push(JSON.parse(Buffer.from(r.value, 'base64').toString('utf8')).card);
      return undefined;
    });
  await expect(handler(event, context)).resolves.toEqual({
    batchItemFailures: [{ itemIdentifier: { partition: 'orders-1', offset: 16 } }],
  });
  expect(cards).toEqual(['4111-0000-0000-0000']);
});

test('encrypting 1,000 records of 10 tenants makes 10 GenerateDataKey calls', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const tenants = Array.from({ length: 1000 }, (_, i) => `tenant-${i % 10}`);
  const event = sqsEvent(
    tenants.map((_, i) => ({ id: i, card: `4111-${i}` })),
    tenants,
  );
  kms().reset();
  const seen: string[] = [];
  const handler = middy<SQSEvent, SQSBatchResponse | undefined>()
    .use(
      batchMasking({
        masker,
        encrypt: {
          fields: ['card'],
          context: (r) => ({
            tenant_id: String(
              (r.messageAttributes as Record<string, { stringValue: string }>).tenant_id.stringValue,
            ),
          }),
        },
      }),
    )
    .handler(async (e) => {
      for (const r of e.Records) seen.push(JSON.parse(r.body).card);
      return undefined;
    });
  await handler(event, context);
  expect(seen).toHaveLength(1000);
  expect(seen.every((c) => !c.startsWith('4111'))).toBe(true);
  expect(kms().count('GenerateDataKey')).toBe(10);
});

test('detectors alone scan a payload that is not JSON as text', async () => {
  const masker = new DataMasking();
  const event = sqsEvent(['call jane@example.com today', { note: 'mail john@example.com' }]);
  const seen: string[] = [];
  const handler = middy<SQSEvent, SQSBatchResponse | undefined>()
    .use(batchMasking({ masker, erase: { detectors: ['email'] } }))
    .handler(async (e) => {
      for (const r of e.Records) seen.push(r.body);
      return undefined;
    });
  await expect(handler(event, context)).resolves.toBeUndefined();
  expect(seen).toHaveLength(2);
  expect(seen.join('\n')).not.toMatch(/(jane|john)@example\.com/);
  expect(seen[0]).toMatch(/^call .+ today$/);
});

test('Kinesis: DMS change records decrypted and erased per table; other records follow the top level', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const change = (table: string, data: object) => ({
    data,
    metadata: { 'record-type': 'data', operation: 'insert', 'schema-name': 'public', 'table-name': table },
  });
  const card = await masker.encrypt({ card: '4111' }, { fields: ['card'], context: { table: 'orders' } });
  const event = kinesisEvent([
    change('orders', { id: 1, ...card, email: 'a@example.com' }),
    change('customers', { id: 2, email: 'b@example.com', ssn: '123-45-6789' }),
    { email: 'c@example.com' },
  ]);
  const rows: Record<string, unknown>[] = [];
  const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse | undefined>()
    .use(
      batchMasking({
        masker,
        tables: {
          'public.orders': { decrypt: { fields: ['card'], context: { table: 'orders' } } },
          'public.cust%': { erase: { fields: ['email', 'ssn'] } },
        },
        erase: { fields: ['email'] },
        logger: quiet,
      }),
    )
    .handler(async (e) => {
      for (const r of e.Records)
        rows.push(JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')));
      return undefined;
    });
  await expect(handler(event, context)).resolves.toBeUndefined();
  expect((rows[0].data as Record<string, unknown>).card).toBe('4111');
  // The orders table's rules say nothing of email: only its own rules apply to its rows.
  expect((rows[0].data as Record<string, unknown>).email).toBe('a@example.com');
  expect(rows[1].data).toEqual({ id: 2, email: '*****', ssn: '*****' });
  expect(rows[2]).toEqual({ email: '*****' });
});
