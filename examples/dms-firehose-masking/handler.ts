/**
 * Two record consumers:
 *
 * - `firehoseHandler`: the transformation step of a Firehose delivery stream that AWS DMS feeds (through
 *   a Kinesis stream) while it replicates `public.customers` and `public.orders` to S3. It masks rows the
 *   way DMS masking rules do: emails hashed with HMAC, cards kept to their last 4 digits, a column
 *   removed, SSNs pattern-substituted. A record that cannot be masked is Dropped, never delivered.
 * - `ordersConsumer`: an SQS consumer whose producers encrypt the card under their tenant and say which
 *   tenant in a message attribute; each record is decrypted under its own tenant, and a record that fails
 *   is reported in `batchItemFailures` (the queue's event source mapping has `ReportBatchItemFailures`).
 */
import middy from '@middy/core';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { DataMasking } from 'middy-data-masking';
import { batchMasking } from 'middy-data-masking/batch';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';

const masker = new DataMasking({
  provider: new AWSEncryptionSDKProvider({ keys: [process.env.KMS_KEY_ARN ?? ''] }),
});

/** The HMAC key for emails: from Secrets Manager or SSM in a real deployment. */
const EMAIL_KEY = process.env.EMAIL_HMAC_KEY ?? 'demo-only-key-0123456789abcdef0123';
/** Every digit that has at least four more digits after it: what is left is the last 4, separators kept. */
const ALL_BUT_LAST_4 = { regexPattern: /\d(?=(?:\D*\d){4})/g, maskFormat: '*' };

export const firehoseHandler = middy<FirehoseTransformationEvent, FirehoseTransformationResult | undefined>()
  .use(
    batchMasking({
      masker,
      tables: {
        'public.customers': {
          erase: {
            maskingRules: {
              email: { hmac: { key: EMAIL_KEY } },
              ssn: { regexPattern: /\d{3}-\d{2}/, maskFormat: '***-**' },
              notes: { remove: true },
            },
          },
        },
        'public.order%': { erase: { maskingRules: { card: ALL_BUT_LAST_4 } } },
      },
      // Anything else DMS sends (another table, a control record): no email leaves in clear.
      erase: { fields: ['$..email'] },
    }),
  )
  // The transformation is the masking: the handler returns nothing, so the event's records are the output.
  .handler(async () => undefined);

/** The producer's tenant, from the message attribute it set. */
const tenantOf = (record: Record<string, unknown>) => {
  const attributes = record.messageAttributes as Record<string, { stringValue?: string }>;
  const tenant = attributes.tenant_id?.stringValue;
  if (tenant === undefined || tenant === '') throw new Error('the message names no tenant');
  return { tenant_id: tenant };
};

export const ordersConsumer = middy<SQSEvent, SQSBatchResponse>()
  .use(batchMasking({ masker, decrypt: { fields: ['card'], context: tenantOf } }))
  .handler(async (event) => {
    for (const record of event.Records) {
      const order = JSON.parse(record.body) as { orderId: string; card: string };
      // Charge the card here; it is plaintext only inside this loop.
      console.log(
        `charging order ${order.orderId} with a card ending ${order.card.replace(/\D/g, '').slice(-4)}`,
      );
    }
    return { batchItemFailures: [] };
  });

/** DMS change records (insert, update, delete) of two tables, as the Firehose transformation receives them. */
export function dmsFirehoseEvent(): FirehoseTransformationEvent {
  const change = (operation: string, table: string, data: Record<string, unknown>) => ({
    data,
    metadata: {
      timestamp: '2026-12-01T10:00:00.000000Z',
      'record-type': 'data',
      operation,
      'partition-key-type': 'schema-table',
      'schema-name': 'public',
      'table-name': table,
      'transaction-id': 8589934595,
    },
  });
  const rows = [
    change('insert', 'customers', {
      id: 1,
      email: 'jane@example.com',
      ssn: '123-45-6789',
      notes: 'prefers calls',
    }),
    change('update', 'customers', { id: 2, email: 'john@example.com', ssn: '987-65-4321', notes: 'vip' }),
    change('insert', 'orders', { id: 10, customer_id: 1, card: '4111 1111 1111 1111', amount: 25 }),
    change('delete', 'orders', { id: 11, customer_id: 2, card: '5500-0000-0000-0004', amount: 40 }),
  ];
  return {
    invocationId: 'invocationIdExample',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/dms-to-s3',
    region: 'eu-west-1',
    records: rows.map((row, i) => ({
      recordId: `49546986683135544286507457936321625675700192471156785154${i}`,
      approximateArrivalTimestamp: 1495072949453,
      data: Buffer.from(JSON.stringify(row)).toString('base64'),
    })),
  };
}

/** What a producer does: encrypt the card under its tenant, and say which tenant in a message attribute. */
export async function tenantOrdersEvent(
  orders: { tenant: string; claims?: string; card: string }[],
): Promise<SQSEvent> {
  return {
    Records: await Promise.all(
      orders.map(async (order, i) => ({
        messageId: `059f36b4-87a3-44ab-83d2-${String(i).padStart(12, '0')}`,
        receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${i}`,
        body: await masker.encrypt(JSON.stringify({ orderId: `o-${i}`, card: order.card }), {
          fields: ['card'],
          context: { tenant_id: order.tenant },
        }),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1545082649183',
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: '1545082649185',
        },
        messageAttributes: {
          tenant_id: { stringValue: order.claims ?? order.tenant, dataType: 'String' },
        },
        md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:orders',
        awsRegion: 'eu-west-1',
      })),
    ),
  };
}
