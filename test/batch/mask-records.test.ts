/**
 * Issue 11 (started): inbound `maskRecords`. Every record is decrypted under its own context, on its
 * own; a record that fails is removed and reported with the source's identifier and a typed error, and
 * the others go on. Real Encryption SDK, KMS double.
 */
import fc from 'fast-check';
import { maskRecords } from '../../src/batch/mask-records.js';
import { CODECS } from '../../src/batch/sources.js';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptValueError,
  DataMaskingError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { provider, useKms } from '../crypto/support.js';
import { firehoseEvent, kinesisEvent, mskEvent, snsEvent, sqsEvent } from './events.js';

const { kms } = useKms(1);
const tenantOf = (record: Record<string, unknown>) => {
  const attributes = record.messageAttributes as Record<string, { stringValue?: string }>;
  return { tenant_id: String(attributes.tenant_id?.stringValue) };
};

/** A record body as a producer writes it: the card encrypted under the tenant's context. */
async function producerBody(masker: DataMasking, tenant: string, i: number) {
  return masker.encrypt(
    { orderId: `o-${i}`, card: `4111-0000-0000-${String(i).padStart(4, '0')}`, tenant },
    { fields: ['card'], context: { tenant_id: tenant } },
  );
}

describe('SQS, tenants from a message attribute', () => {
  test('good records are decrypted; a wrong tenant, a tampered ciphertext and a non-JSON body are each reported', async () => {
    const masker = new DataMasking({ provider: provider(kms().keys) });
    const good0 = await producerBody(masker, 'acme', 0);
    const good3 = await producerBody(masker, 'globex', 3);
    const otherTenant = await producerBody(masker, 'globex', 1); // sent with tenant attribute "acme"
    const tampered = await producerBody(masker, 'acme', 2);
    tampered.card = `${tampered.card.slice(0, 40)}${tampered.card[40] === 'A' ? 'B' : 'A'}${tampered.card.slice(41)}`;
    const event = sqsEvent(
      [good0, otherTenant, tampered, good3, 'not json at all'],
      ['acme', 'acme', 'acme', 'globex', 'acme'],
    );
    const before = JSON.stringify(event);

    const out = await maskRecords(event, { masker, decrypt: { fields: ['card'], context: tenantOf } });

    expect(JSON.stringify(event)).toBe(before);
    expect(out.event.Records.map((r) => JSON.parse(r.body).card)).toEqual([
      '4111-0000-0000-0000',
      '4111-0000-0000-0003',
    ]);
    expect(out.event.Records.map((r) => r.messageId)).toEqual([
      event.Records[0].messageId,
      event.Records[3].messageId,
    ]);
    expect(out.batchItemFailures).toEqual(
      [1, 2, 4].map((i) => ({ itemIdentifier: event.Records[i].messageId })),
    );
    expect(out.errors.map((e) => [e.index, e.error.constructor])).toEqual([
      [1, DataMaskingContextMismatchError],
      [2, DataMaskingDecryptValueError],
      // Not JSON: no expression can look inside it (SPEC §4.7).
      [4, DataMaskingUnsupportedTypeError],
    ]);
    // No error carries a plaintext or a ciphertext body.
    for (const { error } of out.errors) {
      const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
      expect(text).not.toMatch(/4111-0000/);
      expect(text).not.toContain(otherTenant.card.slice(0, 32));
    }
  });

  test('a context function that cannot build the context fails that record only', async () => {
    const masker = new DataMasking({ provider: provider(kms().keys) });
    const event = sqsEvent(
      [await producerBody(masker, 'acme', 0), await producerBody(masker, 'acme', 1)],
      ['acme'],
    );
    const out = await maskRecords(event, {
      masker,
      decrypt: {
        fields: ['card'],
        context: (record) => {
          const attributes = record.messageAttributes as Record<string, { stringValue: string }>;
          if (attributes.tenant_id === undefined) throw new Error('no tenant for jane@example.com');
          return { tenant_id: attributes.tenant_id.stringValue };
        },
      },
    });
    expect(out.event.Records).toHaveLength(1);
    expect(out.errors[0].error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(out.errors[0].error.message).not.toContain('jane@example.com');
  });

  test('an empty batch, and a batch with nothing to decrypt, come back as they are', async () => {
    const masker = new DataMasking({ provider: provider(kms().keys) });
    const empty = sqsEvent([]);
    await expect(maskRecords(empty, { masker, decrypt: { fields: ['card'] } })).resolves.toEqual({
      event: empty,
      batchItemFailures: [],
      errors: [],
    });
    const plain = sqsEvent([{ orderId: 'o-1' }]);
    const out = await maskRecords(plain, { masker, decrypt: { fields: ['card'] } });
    expect(out.event).toBe(plain);
  });
});

describe('base64 payloads: Kinesis, Kafka, Firehose', () => {
  test.each([
    ['kinesis', (items: unknown[]) => kinesisEvent(items)],
    ['kafka', (items: unknown[]) => mskEvent(items.map((value) => ({ value })))],
    ['firehose', (items: unknown[]) => firehoseEvent(items)],
  ] as const)(
    '%s: decrypted and re-encoded as base64; a bad record reported by its identifier',
    async (source, make) => {
      const masker = new DataMasking({ provider: provider(kms().keys) });
      const good = await producerBody(masker, 'acme', 7);
      const event = make([good, 'not base64 !', good]);
      const out = await maskRecords(event as object, {
        masker,
        decrypt: { fields: ['card'], context: { tenant_id: 'acme' } },
      });
      const codec = CODECS[source];
      const kept = codec.records(out.event as never);
      expect(kept).toHaveLength(2);
      for (const r of kept) {
        const payload = JSON.parse(Buffer.from(codec.payload(r) as string, 'base64').toString('utf8'));
        expect(payload.card).toBe('4111-0000-0000-0007');
      }
      const all = codec.records(event as never);
      expect(out.batchItemFailures).toEqual([{ itemIdentifier: codec.itemIdentifier(all[1]) }]);
    },
  );
});

test('SNS has no partial batch response: a failing record fails the invocation with its typed error', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = snsEvent([await producerBody(masker, 'acme', 0), await producerBody(masker, 'globex', 1)]);
  await expect(
    maskRecords(event, { masker, decrypt: { fields: ['card'], context: { tenant_id: 'acme' } } }),
  ).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
});

test('1,000 records from 10 tenants: 10 KMS Decrypt calls, every record decrypted', async () => {
  const writer = new DataMasking({ provider: provider(kms().keys) });
  const tenants = Array.from({ length: 1000 }, (_, i) => `tenant-${i % 10}`);
  const bodies = await Promise.all(tenants.map((t, i) => producerBody(writer, t, i)));
  expect(kms().count('GenerateDataKey')).toBe(10);
  const event = sqsEvent(bodies, tenants);
  const reader = new DataMasking({ provider: provider(kms().keys) }); // a cold cache
  kms().reset();
  const out = await maskRecords(event, { masker: reader, decrypt: { fields: ['card'], context: tenantOf } });
  expect(out.errors).toEqual([]);
  expect(out.event.Records).toHaveLength(1000);
  expect(kms().count('Decrypt')).toBe(10);
});

test('unknown options and a bad source are refused', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = sqsEvent([]);
  await expect(maskRecords(event, { masker, decrpyt: {} } as never)).rejects.toThrow(
    DataMaskingUnsupportedTypeError,
  );
  await expect(maskRecords(event, { masker, source: 'sqs3' as never })).rejects.toThrow(
    DataMaskingUnsupportedTypeError,
  );
  await expect(maskRecords(event, { masker, decrypt: { fields: [] } })).rejects.toThrow(
    DataMaskingUnsupportedTypeError,
  );
});

test('property: every record is either decrypted or reported failed, never both, never neither', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const pool = await Promise.all(
    [0, 1, 2, 3].map((i) => producerBody(masker, i % 2 === 0 ? 'acme' : 'globex', i)),
  );
  const kinds = fc.constantFrom('acme', 'globex', 'wrong-tenant', 'not-json', 'no-card');
  await fc.assert(
    fc.asyncProperty(fc.array(kinds, { maxLength: 12 }), async (plan) => {
      const bodies = plan.map((kind, i) => {
        if (kind === 'not-json') return `<xml>${i}</xml>`;
        if (kind === 'no-card') return { orderId: `o-${i}` };
        if (kind === 'wrong-tenant') return pool[1]; // globex's, sent as acme's
        return pool[kind === 'acme' ? 0 : 1];
      });
      const tenants = plan.map((kind) => (kind === 'globex' ? 'globex' : 'acme'));
      const event = sqsEvent(bodies, tenants);
      const out = await maskRecords(event, { masker, decrypt: { fields: ['card'], context: tenantOf } });
      const keptIds = new Set(out.event.Records.map((r) => r.messageId));
      const failedIds = new Set(out.batchItemFailures.map((f) => f.itemIdentifier as string));
      for (const [i, r] of event.Records.entries()) {
        expect(keptIds.has(r.messageId) !== failedIds.has(r.messageId)).toBe(true);
        const shouldFail = plan[i] === 'wrong-tenant' || plan[i] === 'not-json';
        expect(failedIds.has(r.messageId)).toBe(shouldFail);
      }
      // What reaches the handler holds no ciphertext where a card was.
      for (const r of out.event.Records) {
        const card = JSON.parse(r.body).card;
        if (card !== undefined) expect(card).toMatch(/^4111-0000-0000-\d{4}$/);
      }
      for (const { error } of out.errors) expect(error).toBeInstanceOf(DataMaskingError);
    }),
    { numRuns: 60 },
  );
});

test('property: with erase and encrypt, no original email or card reaches the handler; every record masked or reported', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const body = fc.oneof(
    fc.record({ email: fc.emailAddress(), card: fc.constant('4111111111111111'), n: fc.nat() }),
    fc.record({ nested: fc.record({ email: fc.emailAddress() }) }),
    fc.string({ maxLength: 30 }).map((s) => `plain ${s}`),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(body, { maxLength: 10 }), async (bodies) => {
      const event = sqsEvent(bodies);
      const out = await maskRecords(event, {
        masker,
        erase: { fields: ['$..email'] },
        encrypt: { fields: ['card'], context: { t: '1' } },
      });
      const kept = new Set(out.event.Records.map((r) => r.messageId));
      const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier as string));
      for (const [i, r] of event.Records.entries()) {
        expect(kept.has(r.messageId) !== failed.has(r.messageId)).toBe(true);
        expect(failed.has(r.messageId)).toBe(typeof bodies[i] === 'string');
      }
      for (const r of out.event.Records) {
        expect(r.body).not.toContain('4111111111111111');
        expect(r.body).not.toMatch(/"email":"(?!\*\*\*\*\*")/);
      }
    }),
    { numRuns: 50 },
  );
});

test('10,000 records: every one decrypted, one data key per tenant', async () => {
  const writer = new DataMasking({ provider: provider(kms().keys) });
  const perTenant = await Promise.all(
    Array.from({ length: 10 }, (_, t) => producerBody(writer, `tenant-${t}`, t)),
  );
  const tenants = Array.from({ length: 10_000 }, (_, i) => `tenant-${i % 10}`);
  const event = sqsEvent(
    tenants.map((_, i) => perTenant[i % 10]),
    tenants,
  );
  const reader = new DataMasking({ provider: provider(kms().keys) });
  kms().reset();
  const out = await maskRecords(event, { masker: reader, decrypt: { fields: ['card'], context: tenantOf } });
  expect(out.errors).toEqual([]);
  expect(out.event.Records).toHaveLength(10_000);
  expect(JSON.parse(out.event.Records[9_999].body).card).toBe('4111-0000-0000-0009');
  expect(kms().count('Decrypt')).toBe(10);
});

test('a Kafka tombstone (null value) passes untouched; a record whose payload is not a string fails', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = mskEvent([{ value: { card: '4111' } }, { value: { card: '5500' } }]);
  const [first, second] = event.records['orders-0'];
  (first as { value: unknown }).value = null;
  (second as { value: unknown }).value = 42;
  const out = await maskRecords(event, { masker, erase: { fields: ['card'] } });
  expect(out.event.records['orders-0']).toEqual([first]);
  expect(out.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'orders-0', offset: 16 } }]);
});

describe('erase alone: records masked as text', () => {
  const masker = new DataMasking();
  const fields = ['customer.email', 'payment.card', 'lines[*].sku'];

  test('the masked body keeps its spacing and the spelling of what no path touches', async () => {
    const body =
      '{\n  "customer": { "email": "jane@example.com", "id": 12345678901234567890 },\n  "total": 1.50e2\n}';
    const out = await maskRecords(sqsEvent([body]), { masker, erase: { fields } });
    expect(out.event.Records[0].body).toBe(
      '{\n  "customer": { "email": "*****", "id": 12345678901234567890 },\n  "total": 1.50e2\n}',
    );
  });

  test.each([
    ['sqs', (items: unknown[]) => sqsEvent(items)],
    ['kinesis', (items: unknown[]) => kinesisEvent(items)],
    ['kafka', (items: unknown[]) => mskEvent(items.map((value) => ({ value })))],
    ['sns', (items: unknown[]) => snsEvent(items)],
  ] as const)(
    '%s: the same records as parse, erase and stringify give; strict JSON only',
    async (source, make) => {
      const doc = {
        customer: { email: 'jane@example.com', name: 'Jane' },
        payment: { card: '4111 1111 1111 1111' },
        lines: [{ sku: 'A-1', qty: 1 }, { sku: 'B-2' }],
      };
      const notJson = '{"customer":{"email":"jane@example.com\t"}}'; // a raw tab: JSON.parse refuses it
      // String items are payloads as they travel: base64 for Kinesis and Kafka.
      const raw = (text: string) =>
        CODECS[source].encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
      const event = make(source === 'sns' ? [doc] : [doc, raw(notJson), raw(JSON.stringify(doc, null, 2))]);
      const out = await maskRecords(event as object, { masker, erase: { fields } });
      const codec = CODECS[source];
      const text = (r: Record<string, unknown>) => {
        const payload = codec.payload(r) as string;
        return codec.encoding === 'base64' ? Buffer.from(payload, 'base64').toString('utf8') : payload;
      };
      const kept = codec.records(out.event as never);
      const expected = masker.erase(doc, { fields });
      for (const r of kept) expect(JSON.parse(text(r))).toEqual(expected);
      if (source !== 'sns') {
        expect(kept).toHaveLength(2);
        expect(out.errors.map((e) => [e.index, e.error.name])).toEqual([
          [1, 'DataMaskingUnsupportedTypeError'],
        ]);
      }
    },
  );
});
