/**
 * bench/batch: 1,000 SQS records of about 2 KB of JSON, 4 fields erased — `maskRecords` against a naive
 * loop (`JSON.parse`, `erase`, `JSON.stringify` per record) in the same run, as records per second; and
 * decrypting 1,000 records × 2 fields under 10 tenants: KMS calls and time per batch, cold and warm.
 */
import type { SQSEvent, SQSMessageAttributes } from 'aws-lambda';
import { DataMasking } from 'middy-data-masking';
import { maskRecords } from 'middy-data-masking/batch';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
import { createKmsMock } from 'middy-data-masking/testing';
import { measure, target } from './harness.ts';

const RECORDS = 1000;

/** About 2 KB of JSON: a customer with an address, a card and a list of order lines. */
function body(i: number) {
  return {
    orderId: `ord-${i}`,
    tenant: `tenant-${i % 10}`,
    customer: {
      name: `Customer ${i}`,
      email: `customer${i}@example.com`,
      phone: '+44 20 7946 0958',
      address: { street: `${i} High Street`, city: 'London', postcode: 'EC1A 1BB', country: 'GB' },
    },
    payment: { card: '4111 1111 1111 1111', expires: '12/29', holder: `Customer ${i}` },
    lines: Array.from({ length: 18 }, (_, j) => ({
      sku: `SKU-${j}-${i}`,
      description: `Product number ${j} in a box`,
      quantity: 1 + (j % 3),
      price: 9.99 + j,
    })),
    createdAt: '2026-12-01T10:00:00.000Z',
  };
}

function tenantAttribute(tenant: string | undefined): SQSMessageAttributes {
  return tenant === undefined ? {} : { tenant_id: { stringValue: tenant, dataType: 'String' } };
}

function sqsBatch(bodies: readonly string[], tenants?: readonly string[]): SQSEvent {
  return {
    Records: bodies.map((b, i) => ({
      messageId: `059f36b4-87a3-44ab-83d2-${String(i).padStart(12, '0')}`,
      receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${i}`,
      body: b,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082649183',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1545082649185',
      },
      messageAttributes: tenantAttribute(tenants?.[i]),
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:orders',
      awsRegion: 'eu-west-1',
    })),
  };
}

export async function run(): Promise<string[]> {
  const masker = new DataMasking();
  const fields = ['customer.email', 'customer.phone', 'payment.card', 'customer.address.street'];
  const bodies = Array.from({ length: RECORDS }, (_, i) => JSON.stringify(body(i)));
  const event = sqsBatch(bodies);
  const kb = bodies.reduce((n, b) => n + b.length, 0) / RECORDS / 1024;

  const eraseFields = masker.compileErase({ fields });
  const naive = () => ({
    Records: event.Records.map((r) => ({ ...r, body: JSON.stringify(eraseFields(JSON.parse(r.body))) })),
  });
  // Both give the same bodies (as data: maskRecords keeps the text's own spelling where it does not mask).
  const ours = await maskRecords(event, { masker, erase: { fields } });
  const parsed = (records: { body: string }[]) => JSON.stringify(records.map((r) => JSON.parse(r.body)));
  if (parsed(ours.event.Records) !== parsed(naive().Records)) {
    throw new Error('bench/batch: maskRecords and the naive loop disagree');
  }
  const rows = await measure(`batch · ${RECORDS} SQS records of ${kb.toFixed(1)} KB, erase 4 fields`, [
    { name: 'maskRecords', fn: () => maskRecords(event, { masker, erase: { fields } }), async: true },
    { name: 'naive loop (JSON.parse + erase + JSON.stringify)', fn: naive },
  ]);
  const perSecond = (us: number) => Math.round((RECORDS / us) * 1e6).toLocaleString('en-GB');
  console.log(`  records/s: maskRecords ${perSecond(rows[0].us)}, naive loop ${perSecond(rows[1].us)}`);
  const targets = [
    // Throughput ratio: the naive loop's time per batch over ours (≥ 1.5 asked).
    target(
      'naive loop / maskRecords time (≥ 1.5 wanted: printed as ours / naive ≤ 0.67)',
      rows[0].us / rows[1].us,
      0.67,
    ),
  ];

  // Decrypt 1,000 records × 2 fields under 10 tenants.
  const kms = createKmsMock();
  const writer = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: kms.keys }) });
  const tenants = Array.from({ length: RECORDS }, (_, i) => `tenant-${i % 10}`);
  const encrypted = await Promise.all(
    bodies.map((b, i) =>
      writer.encrypt(b, { fields: ['customer.email', 'payment.card'], context: { tenant_id: tenants[i] } }),
    ),
  );
  const encryptedEvent = sqsBatch(encrypted, tenants);
  const tenantOf = (record: Record<string, unknown>) => ({
    tenant_id: String(
      (record.messageAttributes as Record<string, { stringValue: string }>).tenant_id.stringValue,
    ),
  });
  const reader = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: kms.keys }) });
  const decrypt = { fields: ['customer.email', 'payment.card'], context: tenantOf };
  kms.reset();
  let started = performance.now();
  const cold = await maskRecords(encryptedEvent, { masker: reader, decrypt });
  const coldMs = performance.now() - started;
  const coldCalls = kms.count('Decrypt');
  if (cold.errors.length > 0) throw new Error('bench/batch: a record failed to decrypt');
  kms.reset();
  started = performance.now();
  await maskRecords(encryptedEvent, { masker: reader, decrypt });
  const warmMs = performance.now() - started;
  const line = `decrypt ${RECORDS} records × 2 fields, 10 tenants: cold ${coldMs.toFixed(0)} ms with ${coldCalls} KMS Decrypt calls; warm ${warmMs.toFixed(0)} ms with ${kms.count('Decrypt')}`;
  console.log(`  ${line}`);
  kms.restore();
  return [...targets, line];
}
