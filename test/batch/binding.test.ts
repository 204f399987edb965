/**
 * SPEC §12 on batch records, with real Middy and the real Encryption SDK provider on the KMS double:
 * `bind: { path, record }` relative to the decoded record, and `context: 'tenant'` — the Middy request's
 * `context.tenantId` in `batchMasking`, the Lambda context given to `maskRecords` directly. No tenant
 * refuses the whole invocation before any record is read; a ciphertext copied from another record is that
 * record's failure only.
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { batchMasking } from '../../src/batch/batch-masking.js';
import { maskFirehoseRecords } from '../../src/batch/firehose-transform.js';
import { maskRecords } from '../../src/batch/mask-records.js';
import { PATH_CONTEXT_KEY } from '../../src/crypto/binding.js';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingInvalidSelectorError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import type { KmsOperation } from '../../src/testing/index.js';
import { everythingIn, provider, useKms } from '../crypto/support.js';
import { lambdaContext } from '../middleware/events.js';
import { firehoseEvent, sqsEvent } from './events.js';

const { kms } = useKms(1);
const ACME = { tenant_id: 'acme' };
const GLOBEX = { tenant_id: 'globex' };
const BIND = { path: true, record: '$.orderId' };
const FIELDS = ['card', 'ssn'];
const DECRYPT = { fields: FIELDS, context: 'tenant', bind: BIND } as const;
const quiet = { warn: () => undefined };
const OPERATIONS: readonly KmsOperation[] = [
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'Encrypt',
  'Decrypt',
];
const kmsCalls = () => OPERATIONS.reduce((n, op) => n + kms().count(op), 0);
const masker = () => new DataMasking({ provider: provider(kms().keys) });
const acmeContext = (): Context => lambdaContext({ tenantId: 'acme' });

interface Order {
  orderId: unknown;
  card: string;
  ssn: string;
  note: string;
}

const order = (orderId: unknown, i: number): Order => ({
  orderId,
  card: `4111-0000-0000-${String(i).padStart(4, '0')}`,
  ssn: `${String(100 + i)}-45-6789`,
  note: `order ${i}`,
});

/** An order as its producer sends it: its fields encrypted for the tenant, bound to field and order. */
const sealed = (m: DataMasking, o: Order, context = ACME) =>
  m.encrypt(o, { fields: FIELDS, context, bind: BIND }) as Promise<Order>;

const messageId = (event: SQSEvent, i: number) => event.Records[i].messageId;

describe('SQS through batchMasking in Middy', () => {
  const stack = (handler: jest.Mock) =>
    middy<SQSEvent, SQSBatchResponse>()
      .use(
        batchMasking({
          masker: masker(),
          decrypt: { fields: ['card', 'ssn'], context: 'tenant', bind: { path: true, record: '$.orderId' } },
          logger: quiet,
        }),
      )
      .handler(handler);

  test('records of the right order and tenant pass; one copied from another order, or another tenant, fails', async () => {
    const producer = masker();
    const [o0, o1, o2, o3] = await Promise.all([0, 1, 2, 3].map((i) => sealed(producer, order(`o-${i}`, i))));
    const foreign = await sealed(producer, order('o-4', 4), GLOBEX);
    const event = sqsEvent([
      o0,
      { ...o1, card: o2.card }, // o-2's card pasted into o-1
      o2,
      { ...o3, orderId: 'o-0' }, // o-3 relabelled
      foreign, // the right order, another tenant
    ]);
    const seen: Order[] = [];
    const handler = jest.fn(async (e: SQSEvent) => {
      for (const r of e.Records) seen.push(JSON.parse(r.body));
      return { batchItemFailures: [] };
    });
    const response = await stack(handler)(event, acmeContext());
    expect(handler).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([order('o-0', 0), order('o-2', 2)]);
    expect(response.batchItemFailures).toEqual(
      [1, 3, 4].map((i) => ({ itemIdentifier: messageId(event, i) })),
    );
    expect(JSON.stringify(response)).not.toMatch(/4111|6789/);
  });

  test('without bind, the same copies decrypt: the documented default (as in Powertools)', async () => {
    const producer = masker();
    const plain = (o: Order) => producer.encrypt(o, { fields: FIELDS, context: ACME }) as Promise<Order>;
    const [o1, o2] = await Promise.all([1, 2].map((i) => plain(order(`o-${i}`, i))));
    const event = sqsEvent([
      { ...o1, card: o2.card },
      { ...o2, orderId: 'o-0' },
    ]);
    const seen: Order[] = [];
    const response = await middy<SQSEvent, SQSBatchResponse>()
      .use(batchMasking({ masker: masker(), decrypt: { fields: FIELDS, context: 'tenant' }, logger: quiet }))
      .handler(async (e: SQSEvent) => {
        for (const r of e.Records) seen.push(JSON.parse(r.body));
        return { batchItemFailures: [] };
      })(event, acmeContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual([
      { ...order('o-1', 1), card: order('o-2', 2).card },
      { ...order('o-2', 2), orderId: 'o-0' },
    ]);
  });

  test.each([
    ['no tenantId', lambdaContext()],
    ['an empty tenantId', lambdaContext({ tenantId: '' })],
    ['a non-string tenantId', lambdaContext({ tenantId: 7 as never })],
  ])(
    '%s: the invocation fails with a 403 before any record; the handler never runs; no KMS call',
    async (_, context) => {
      const event = sqsEvent([await sealed(masker(), order('o-0', 0))]);
      const handler = jest.fn(async () => ({ batchItemFailures: [] }));
      const run = stack(handler);
      kms().reset();
      const error = await run(event, context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
      expect((error as DataMaskingContextMismatchError).statusCode).toBe(403);
      expect(handler).not.toHaveBeenCalled();
      expect(kmsCalls()).toBe(0);
    },
  );
});

describe('maskRecords, given the Lambda context directly', () => {
  test("{ tenantId: 'acme' }: the right records decrypt, the copied one is reported", async () => {
    const producer = masker();
    const [o0, o1] = await Promise.all([0, 1].map((i) => sealed(producer, order(`o-${i}`, i))));
    const event = sqsEvent([o0, { ...o1, ssn: o0.ssn }]);
    const out = await maskRecords(event, { masker: masker(), decrypt: DECRYPT }, acmeContext());
    expect(out.event.Records.map((r) => JSON.parse(r.body))).toEqual([order('o-0', 0)]);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: messageId(event, 1) }]);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0].error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(everythingIn(out.errors[0].error)).not.toMatch(/4111|6789/);
    // A bare `{ tenantId }` and a Middy-shaped `{ context: { tenantId } }` read the same tenant.
    for (const request of [{ tenantId: 'acme' }, { context: { tenantId: 'acme' } }]) {
      const again = await maskRecords(event, { masker: masker(), decrypt: DECRYPT }, request);
      expect(again.batchItemFailures).toEqual(out.batchItemFailures);
    }
  });

  test("another tenant in the Lambda context: every record fails (their ciphertexts are acme's)", async () => {
    const event = sqsEvent([await sealed(masker(), order('o-0', 0))]);
    const out = await maskRecords(event, { masker: masker(), decrypt: DECRYPT }, { tenantId: 'globex' });
    expect(out.event.Records).toEqual([]);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: messageId(event, 0) }]);
  });

  test.each([
    ['no request', undefined],
    ['a Lambda context without tenantId', lambdaContext()],
    ['an empty tenantId', { tenantId: '' }],
    ['a non-string tenantId', { tenantId: ['acme'] }],
  ])(
    '%s: rejects with a 403 DataMaskingContextMismatchError before any record; no KMS call',
    async (_, request) => {
      const event = sqsEvent([await sealed(masker(), order('o-0', 0))]);
      const m = masker();
      kms().reset();
      const error = await maskRecords(event, { masker: m, decrypt: DECRYPT }, request).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
      expect((error as DataMaskingContextMismatchError).statusCode).toBe(403);
      expect(kmsCalls()).toBe(0);
    },
  );

  test("encrypt with context: 'tenant' and bind: the records come out bound, under exactly { tenant_id }", async () => {
    const event = sqsEvent([order('o-0', 0), order('o-1', 1)]);
    const out = await maskRecords(
      event,
      { masker: masker(), encrypt: { fields: FIELDS, context: 'tenant', bind: BIND } },
      { tenantId: 'acme' },
    );
    const [r0, r1] = out.event.Records.map((r) => JSON.parse(r.body) as Order);
    expect(JSON.stringify([r0, r1])).not.toMatch(/4111|6789/);
    const reader = masker();
    await expect(reader.decrypt(r0, { fields: FIELDS, context: ACME, bind: BIND })).resolves.toEqual(
      order('o-0', 0),
    );
    await expect(
      reader.decrypt({ ...r1, card: r0.card }, { fields: FIELDS, context: ACME, bind: BIND }),
    ).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
    await expect(reader.decrypt(r0, { fields: FIELDS, context: GLOBEX, bind: BIND })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });
});

describe('Firehose: maskFirehoseRecords with encrypt and bind', () => {
  const decode = (data: string | undefined) =>
    JSON.parse(Buffer.from(String(data), 'base64').toString('utf8')) as Order;

  test('produces bound ciphertexts: they decrypt back with the same bind, and not moved', async () => {
    const event = firehoseEvent([order('o-0', 0), order('o-1', 1)]);
    const out = await maskFirehoseRecords(event.records, {
      masker: masker(),
      encrypt: { fields: FIELDS, context: ACME, bind: BIND },
      logger: quiet,
    });
    expect(out.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    const [r0, r1] = out.records.map((r) => decode(r.data));
    expect(JSON.stringify([r0, r1])).not.toMatch(/4111|6789/);
    const reader = masker();
    await expect(reader.decrypt(r0, { fields: FIELDS, context: ACME, bind: BIND })).resolves.toEqual(
      order('o-0', 0),
    );
    await expect(reader.decrypt(r1, { fields: FIELDS, context: ACME, bind: BIND })).resolves.toEqual(
      order('o-1', 1),
    );
    for (const forged of [
      { ...r1, card: r0.card }, // another record
      { ...r0, card: r0.ssn, ssn: r0.card }, // another field
      { ...r0, orderId: 'o-1' }, // a rewritten id
    ]) {
      await expect(
        reader.decrypt(forged, { fields: FIELDS, context: ACME, bind: BIND }),
      ).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
    }
    // Without bind the bound ciphertexts are refused too (they carry the path in their context).
    await expect(reader.decrypt(r0, { fields: FIELDS, context: ACME })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });

  test("the path bound is the field's path in the decoded record", async () => {
    const out = await maskFirehoseRecords(firehoseEvent([order('o-0', 0)]).records, {
      masker: masker(),
      encrypt: { fields: ['card'], context: ACME, bind: { path: true } },
      logger: quiet,
    });
    const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: kms().keys[0] });
    const { messageHeader } = await sdk.decrypt(
      keyring,
      Buffer.from(decode(out.records[0].data).card, 'base64'),
    );
    expect(messageHeader.encryptionContext).toEqual({ ...ACME, [PATH_CONTEXT_KEY]: "$['card']" });
  });

  test("context: 'tenant' reads the tenant of the Lambda context given as the request", async () => {
    const out = await maskFirehoseRecords(
      firehoseEvent([order('o-0', 0)]).records,
      { masker: masker(), encrypt: { fields: FIELDS, context: 'tenant', bind: BIND }, logger: quiet },
      { tenantId: 'acme' },
    );
    expect(out.records[0].result).toBe('Ok');
    await expect(
      masker().decrypt(decode(out.records[0].data), { fields: FIELDS, context: ACME, bind: BIND }),
    ).resolves.toEqual(order('o-0', 0));
  });

  test('a record without its id cannot be bound: it never leaves with its data', async () => {
    const out = await maskFirehoseRecords(
      firehoseEvent([{ card: '4111-0000-0000-0000', ssn: '100-45-6789', note: 'no id' }]).records,
      { masker: masker(), encrypt: { fields: FIELDS, context: ACME, bind: BIND }, logger: quiet },
    );
    expect(out.records).toEqual([{ recordId: expect.any(String), result: 'Dropped' }]);
  });

  test("context: 'tenant' without a tenant rejects the whole call with a 403", async () => {
    const error = await maskFirehoseRecords(
      firehoseEvent([order('o-0', 0)]).records,
      { masker: masker(), encrypt: { fields: FIELDS, context: 'tenant' }, logger: quiet },
      lambdaContext(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
  });

  test("batchMasking, Firehose, encrypt with context: 'tenant' and no tenant: the handler never runs", async () => {
    const handler = jest.fn(async (e: { records: unknown[] }) => ({ records: e.records }));
    const run = middy<{ records: unknown[] }>()
      .use(batchMasking({ masker: masker(), encrypt: { fields: FIELDS, context: 'tenant' }, logger: quiet }))
      .handler(handler);
    const error = await run(firehoseEvent([order('o-0', 0)]), lambdaContext()).catch((e: unknown) => e);
    expect(handler).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
  });

  test("context: 'tenant' without a tenant: nothing leaves with its data and nothing is encrypted", async () => {
    kms().reset();
    const out = await maskFirehoseRecords(
      firehoseEvent([order('o-0', 0)]).records,
      { masker: masker(), encrypt: { fields: FIELDS, context: 'tenant' }, logger: quiet },
      lambdaContext(),
    ).catch(() => undefined);
    if (out !== undefined)
      expect(out.records.map((r) => [r.result, r.data])).toEqual([['Dropped', undefined]]);
    expect(kmsCalls()).toBe(0);
  });
});

describe('property: swapped bound ciphertexts fail exactly their records', () => {
  const SLOTS = ['card', 'ssn'] as const;
  /** A swap of field `fa` of record `a` with field `fb` of record `b` (the same record, or field, allowed). */
  type Swap = { a: number; fa: 0 | 1; b: number; fb: 0 | 1 };

  const batch = fc
    .uniqueArray(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), {
      minLength: 2,
      maxLength: 6,
      selector: (id) => JSON.stringify(id),
    })
    .chain((orderIds) =>
      fc.record({
        orderIds: fc.constant(orderIds),
        swaps: fc.array(
          fc.record({
            a: fc.nat(orderIds.length - 1),
            fa: fc.constantFrom<0 | 1>(0, 1),
            b: fc.nat(orderIds.length - 1),
            fb: fc.constantFrom<0 | 1>(0, 1),
          }),
          { maxLength: 4 },
        ),
      }),
    );

  /**
   * The batch sealed, then the swaps applied; `moved` holds the records with a ciphertext that is not their
   * own field's (a swap undone by a later one leaves the record intact).
   */
  async function swapped(producer: DataMasking, orderIds: readonly unknown[], swaps: readonly Swap[]) {
    const plain = orderIds.map((id, i) => order(id, i));
    const bodies = (await Promise.all(plain.map((o) => sealed(producer, o)))).map((b) => ({ ...b }));
    // origin[i][f]: the record and field the ciphertext now in field f of record i was made for.
    const origin = bodies.map((_, i) => SLOTS.map((__, f) => `${i}.${f}`));
    for (const { a, fa, b, fb } of swaps) {
      const held = bodies[a][SLOTS[fa]];
      bodies[a][SLOTS[fa]] = bodies[b][SLOTS[fb]];
      bodies[b][SLOTS[fb]] = held;
      [origin[a][fa], origin[b][fb]] = [origin[b][fb], origin[a][fa]];
    }
    const moved = new Set(
      origin.flatMap((fields, i) => (fields.every((o, f) => o === `${i}.${f}`) ? [] : [i])),
    );
    return { plain, event: sqsEvent(bodies), moved };
  }

  test('maskRecords: exactly the swapped records fail, every other one is decrypted', async () => {
    const producer = masker();
    const consumer = masker();
    await fc.assert(
      fc.asyncProperty(batch, async ({ orderIds, swaps }) => {
        const { plain, event, moved } = await swapped(producer, orderIds, swaps);
        const out = await maskRecords(event, { masker: consumer, decrypt: DECRYPT }, { tenantId: 'acme' });
        const failed = out.batchItemFailures.map((f) => f.itemIdentifier);
        expect(failed).toEqual(event.Records.filter((_, i) => moved.has(i)).map((r) => r.messageId));
        expect(out.event.Records.map((r) => JSON.parse(r.body))).toEqual(
          plain.filter((_, i) => !moved.has(i)),
        );
        // Every record is either masked (kept, decrypted) or reported failed: never both, never neither.
        const kept = out.event.Records.map((r) => r.messageId);
        expect(kept.length + failed.length).toBe(event.Records.length);
        expect(new Set([...kept, ...failed])).toEqual(new Set(event.Records.map((r) => r.messageId)));
        for (const e of out.errors) expect(e.error).toBeInstanceOf(DataMaskingContextMismatchError);
      }),
      { numRuns: 50 },
    );
  });

  test('batchMasking: the handler sees exactly the untouched records, decrypted; the others are reported', async () => {
    const producer = masker();
    const seen: Order[][] = [];
    const handler = middy<SQSEvent, SQSBatchResponse>()
      .use(batchMasking({ masker: masker(), decrypt: DECRYPT, logger: quiet }))
      .handler(async (e) => {
        seen.push(e.Records.map((r) => JSON.parse(r.body)));
        return { batchItemFailures: [] };
      });
    await fc.assert(
      fc.asyncProperty(batch, async ({ orderIds, swaps }) => {
        const { plain, event, moved } = await swapped(producer, orderIds, swaps);
        seen.length = 0;
        const response = await handler(event, acmeContext());
        expect(seen).toEqual([plain.filter((_, i) => !moved.has(i))]);
        expect(response.batchItemFailures).toEqual(
          event.Records.filter((_, i) => moved.has(i)).map((r) => ({ itemIdentifier: r.messageId })),
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('configuration: bind is checked when the options are given', () => {
  const bad: [string, unknown, new (...args: never[]) => Error][] = [
    ['an unknown bind key', { path: true, recrod: '$.orderId' }, DataMaskingUnsupportedTypeError],
    ['bind.path not a boolean', { path: 1 }, DataMaskingUnsupportedTypeError],
    ['bind.record not a string', { record: ['$.orderId'] }, DataMaskingUnsupportedTypeError],
    ['bind.record a bad expression', { record: '$.orderId[' }, DataMaskingInvalidSelectorError],
    ['bind that is an array', [], DataMaskingUnsupportedTypeError],
  ];

  test.each(bad)('batchMasking decrypt: %s', (_, bind, type) => {
    expect(() =>
      batchMasking({ masker: masker(), decrypt: { fields: FIELDS, context: ACME, bind: bind as never } }),
    ).toThrow(type);
  });

  test.each(bad)('batchMasking encrypt: %s', (_, bind, type) => {
    expect(() =>
      batchMasking({ masker: masker(), encrypt: { fields: FIELDS, context: ACME, bind: bind as never } }),
    ).toThrow(type);
  });

  test.each(bad)('batchMasking table rules: %s', (_, bind, type) => {
    expect(() =>
      batchMasking({
        masker: masker(),
        tables: { 'public.orders': { decrypt: { fields: FIELDS, bind: bind as never } } },
      }),
    ).toThrow(type);
  });

  test.each(bad)('maskRecords: %s, before any record or KMS call', async (_, bind, type) => {
    const event = sqsEvent([await sealed(masker(), order('o-0', 0))]);
    kms().reset();
    await expect(
      maskRecords(event, {
        masker: masker(),
        decrypt: { fields: FIELDS, context: ACME, bind: bind as never },
      }),
    ).rejects.toThrow(type);
    expect(kmsCalls()).toBe(0);
  });

  test.each(bad)('maskFirehoseRecords encrypt: %s, refused as configuration', async (_, bind, type) => {
    await expect(
      maskFirehoseRecords(firehoseEvent([order('o-0', 0)]).records, {
        masker: masker(),
        encrypt: { fields: FIELDS, context: ACME, bind: bind as never },
        logger: quiet,
      }),
    ).rejects.toThrow(type);
  });

  test('maskFirehoseRecords encrypt: an unknown key (contxt) is refused', async () => {
    await expect(
      maskFirehoseRecords(firehoseEvent([order('o-0', 0)]).records, {
        masker: masker(),
        encrypt: { fields: FIELDS, contxt: ACME } as never,
        logger: quiet,
      }),
    ).rejects.toThrow(DataMaskingUnsupportedTypeError);
  });

  test.each(bad)('maskFirehoseRecords encrypt: %s, no record leaves with its data', async (_, bind) => {
    const out = await maskFirehoseRecords(firehoseEvent([order('o-0', 0)]).records, {
      masker: masker(),
      encrypt: { fields: FIELDS, context: ACME, bind: bind as never },
      logger: quiet,
    }).catch(() => undefined);
    if (out !== undefined) expect(out.records.map((r) => r.result)).toEqual(['Dropped']);
  });
});
