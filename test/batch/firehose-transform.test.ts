/**
 * Issue 11 (started): Firehose transformation records are erased, then encrypted, each on its own; a
 * record that cannot be masked never leaves with its data (`Dropped` by default, `ProcessingFailed` when
 * asked), and the failures are counted and logged without data.
 */
import fc from 'fast-check';
import { maskFirehoseRecords } from '../../src/batch/firehose-transform.js';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { provider, useKms } from '../crypto/support.js';
import { firehoseEvent } from './events.js';

const { kms } = useKms(1);
const decode = (data: string | undefined) => JSON.parse(Buffer.from(String(data), 'base64').toString('utf8'));

/** A DMS change record, as DMS writes it to a Kinesis stream read by Firehose. */
const dmsRow = (i: number) => ({
  data: {
    id: i,
    email: `user${i}@example.com`,
    ssn: '123-45-6789',
    card: '4111111111111111',
    notes: 'hello',
  },
  metadata: {
    timestamp: '2026-12-01T10:00:00.000000Z',
    'record-type': 'data',
    operation: 'insert',
    'partition-key-type': 'schema-table',
    'schema-name': 'public',
    'table-name': 'customers',
    'transaction-id': 8589934595 + i,
  },
});

test('erase then encrypt each record; recordId and order kept; an untouched record keeps its bytes', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = firehoseEvent([dmsRow(0), { untouched: true }, dmsRow(2)]);
  const out = await maskFirehoseRecords(event.records, {
    masker,
    erase: {
      maskingRules: {
        '$.data.email': { hmac: { key: 'k'.repeat(32) } },
        '$.data.ssn': { regexPattern: /\d{3}-\d{2}/, maskFormat: '***-**' },
        '$.data.notes': { remove: true },
      },
    },
    encrypt: { fields: ['$.data.card'], context: { table: 'public.customers' } },
  });
  expect(out.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
  expect(out.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
  expect(out.records[1].data).toBe(event.records[1].data);
  for (const i of [0, 2]) {
    const row = decode(out.records[i].data);
    expect(row.metadata).toEqual(dmsRow(i).metadata);
    expect(row.data.email).toMatch(/^[0-9a-f]{64}$/);
    expect(row.data.ssn).toBe('***-**-6789');
    expect('notes' in row.data).toBe(false);
    expect(row.data.card).not.toContain('4111');
    await expect(
      masker.decrypt(row, { fields: ['$.data.card'], context: { table: 'public.customers' } }),
    ).resolves.toMatchObject({ data: { card: '4111111111111111' } });
  }
});

test('a record that cannot be masked is Dropped without its data, counted and logged without data', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = firehoseEvent([dmsRow(0), 'bm90IGpzb24gamFuZUBleGFtcGxlLmNvbQ==', dmsRow(2)]); // "not json jane@example.com"
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m) };
  const out = await maskFirehoseRecords(event.records, {
    masker,
    erase: { fields: ['$.data.email'] },
    logger,
  });
  expect(out.records.map((r) => r.result)).toEqual(['Ok', 'Dropped', 'Ok']);
  expect(out.records[1]).toEqual({ recordId: event.records[1].recordId, result: 'Dropped' });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('1 of 3');
  expect(warnings[0]).toContain('DataMaskingUnsupportedTypeError');
  expect(warnings[0]).not.toContain('jane');

  const failed = await maskFirehoseRecords(event.records, {
    masker,
    erase: { fields: ['$.data.email'] },
    failedRecords: 'ProcessingFailed',
    logger,
  });
  expect(failed.records[1]).toEqual({ recordId: event.records[1].recordId, result: 'ProcessingFailed' });
});

test('a context that cannot be built, or records a handler already failed, leave without data', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const event = firehoseEvent([dmsRow(0)]);
  const out = await maskFirehoseRecords(event.records, {
    masker,
    encrypt: {
      fields: ['$.data.card'],
      context: () => {
        throw new Error('no tenant');
      },
    },
    logger: { warn: () => undefined },
  });
  expect(out.records).toEqual([{ recordId: event.records[0].recordId, result: 'Dropped' }]);
  const handled = await maskFirehoseRecords(
    [
      { recordId: 'a', result: 'Dropped', data: event.records[0].data },
      { recordId: 'b', result: 'ProcessingFailed', data: event.records[0].data },
    ],
    { masker, erase: { fields: ['$.data.email'] } },
  );
  expect(handled.records).toEqual([
    { recordId: 'a', result: 'Dropped' },
    { recordId: 'b', result: 'ProcessingFailed' },
  ]);
});

test('bad options and records are refused', async () => {
  const masker = new DataMasking();
  await expect(maskFirehoseRecords([], { masker, failedRecords: 'Ok' as never })).rejects.toThrow(
    DataMaskingUnsupportedTypeError,
  );
  await expect(maskFirehoseRecords([], { masker, erasse: {} } as never)).rejects.toThrow(
    DataMaskingUnsupportedTypeError,
  );
  await expect(maskFirehoseRecords([{ data: 'e30=' } as never], { masker })).rejects.toThrow(
    DataMaskingUnsupportedTypeError,
  );
});

test('property: every record leaves masked or without data; no original email or card survives', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const item = fc.oneof(
    fc.nat(1000).map(dmsRow),
    fc.string({ maxLength: 20 }).map((s) => Buffer.from(`text ${s} user9@example.com`).toString('base64')),
    fc.constant({ other: 'row' }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(item, { maxLength: 8 }), async (items) => {
      const event = firehoseEvent(items);
      const out = await maskFirehoseRecords(event.records, {
        masker,
        erase: { fields: ['$.data.email'] },
        encrypt: { fields: ['$.data.card'], context: { t: '1' } },
        logger: { warn: () => undefined },
      });
      expect(out.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
      for (const r of out.records) {
        if (r.result !== 'Ok') {
          expect(r.data).toBeUndefined();
          continue;
        }
        const text = Buffer.from(String(r.data), 'base64').toString('utf8');
        expect(text).not.toMatch(/user\d+@example\.com/);
        expect(text).not.toContain('4111111111111111');
      }
    }),
    { numRuns: 40 },
  );
});

describe('tables: DMS-style rules per schema.table', () => {
  const change = (schema: string, table: string, data: Record<string, unknown>) => ({
    data,
    metadata: { 'record-type': 'data', operation: 'update', 'schema-name': schema, 'table-name': table },
  });

  test('two tables with different rules, a % wildcard, and unmatched tables following the top level', async () => {
    const masker = new DataMasking({ provider: provider(kms().keys) });
    const event = firehoseEvent([
      change('public', 'customers', { id: 1, email: 'jane@example.com', ssn: '123-45-6789', notes: 'vip' }),
      change('public', 'orders_2026', { id: 2, card: '4111111111111111', email: 'kept@example.com' }),
      change('audit', 'log', { id: 3, email: 'audit@example.com' }),
      { not: 'a dms record', email: 'other@example.com' },
    ]);
    const out = await maskFirehoseRecords(event.records, {
      masker,
      tables: {
        'public.customers': {
          erase: {
            maskingRules: {
              email: { hmac: { key: 'k'.repeat(32) } },
              ssn: { regexPattern: /\d{3}-\d{2}/, maskFormat: '***-**' },
              notes: { remove: true },
            },
          },
        },
        'public.order%': { encrypt: { fields: ['card'], context: { table: 'orders' } } },
      },
      // The top level: relative to the whole record.
      erase: { fields: ['$..email'] },
    });
    const rows = out.records.map((r) => decode(r.data));
    expect(rows[0].data).toEqual({
      id: 1,
      email: expect.stringMatching(/^[0-9a-f]{64}$/),
      ssn: '***-**-6789',
    });
    expect(rows[0].metadata).toEqual(change('public', 'customers', {}).metadata);
    expect(rows[1].data.email).toBe('kept@example.com'); // its table's rules say nothing of email
    expect(rows[1].data.card).not.toContain('4111');
    await expect(
      masker.decrypt(rows[1].data, { fields: ['card'], context: { table: 'orders' } }),
    ).resolves.toEqual({
      id: 2,
      card: '4111111111111111',
      email: 'kept@example.com',
    });
    expect(rows[2].data.email).toBe('*****');
    expect(rows[3].email).toBe('*****');
  });

  test('keys are literal apart from %, and unknown rule options are refused', async () => {
    const masker = new DataMasking();
    const event = firehoseEvent([change('public', 'customersX', { email: 'a@example.com' })]);
    const out = await maskFirehoseRecords(event.records, {
      masker,
      tables: { 'public.customers.': { erase: { fields: ['email'] } } },
    });
    expect(out.records[0].data).toBe(event.records[0].data);
    await expect(
      maskFirehoseRecords(event.records, { masker, tables: { 'public.%': { erace: {} } as never } }),
    ).rejects.toThrow(DataMaskingUnsupportedTypeError);
  });
});

test('a record with a byte-order mark is JSON like any other (masked, not dropped), as in maskRecords', async () => {
  const masker = new DataMasking();
  const data = Buffer.from(`\uFEFF${JSON.stringify({ email: 'jane@example.com' })}`).toString('base64');
  const out = await maskFirehoseRecords([{ recordId: 'r', data }], { masker, erase: { fields: ['email'] } });
  expect(out.records[0].result).toBe('Ok');
  expect(decode(out.records[0].data)).toEqual({ email: '*****' });
});

test('erase alone masks the data as text: spacing kept; data JSON.parse refuses is Dropped', async () => {
  const masker = new DataMasking();
  const pretty = '{\n  "email": "jane@example.com",\n  "n": 1.0\n}';
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const records = [
    { recordId: 'r1', approximateArrivalTimestamp: 1, data: b64(pretty) },
    { recordId: 'r2', approximateArrivalTimestamp: 1, data: b64('{"email":"jane@example.com",}') },
  ];
  const logger = { warn: jest.fn() };
  const out = await maskFirehoseRecords(records, { masker, erase: { fields: ['email'] }, logger });
  expect(Buffer.from(String(out.records[0].data), 'base64').toString('utf8')).toBe(
    '{\n  "email": "*****",\n  "n": 1.0\n}',
  );
  expect(out.records[1]).toEqual({ recordId: 'r2', result: 'Dropped' });
  expect(logger.warn).toHaveBeenCalledTimes(1);
});
