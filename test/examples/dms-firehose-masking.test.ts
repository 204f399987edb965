/**
 * examples/dms-firehose-masking: the DMS rows leave the Firehose transformation masked per table, and the
 * SQS consumer decrypts each order under its own tenant, reporting the one another tenant replayed.
 */
import { createKmsMock, type KmsMock } from '../../src/testing/index.js';

let kms: KmsMock;
let example: typeof import('../../examples/dms-firehose-masking/handler.js');
beforeAll(async () => {
  kms = createKmsMock();
  process.env.KMS_KEY_ARN = kms.keys[0];
  example = await import('../../examples/dms-firehose-masking/handler.js');
});
afterAll(() => kms.restore());

const context = {} as never;
const rows = (result: { records: { data?: string }[] }) =>
  result.records.map((r) => JSON.parse(Buffer.from(String(r.data), 'base64').toString('utf8')));

test('Firehose: emails hashed, SSNs substituted, notes removed, cards kept to their last 4', async () => {
  const event = example.dmsFirehoseEvent();
  const result = (await example.firehoseHandler(event, context)) as {
    records: { recordId: string; result: string; data?: string }[];
  };
  expect(result.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
  expect(result.records.every((r) => r.result === 'Ok')).toBe(true);
  const [jane, john, order10, order11] = rows(result);
  expect(jane.data).toEqual({ id: 1, email: expect.stringMatching(/^[0-9a-f]{64}$/), ssn: '***-**-6789' });
  expect(john.data.ssn).toBe('***-**-4321');
  expect(jane.data.email).not.toBe(john.data.email);
  expect(order10.data.card).toBe('**** **** **** 1111');
  expect(order11.data.card).toBe('****-****-****-0004');
  expect(order11.metadata.operation).toBe('delete');
  const all = JSON.stringify(rows(result));
  for (const secret of ['jane@example.com', '123-45', '4111 1111 1111', 'prefers calls'])
    expect(all).not.toContain(secret);
});

test('SQS: each order decrypted under its own tenant; a replayed one reported, never charged', async () => {
  const event = await example.tenantOrdersEvent([
    { tenant: 'acme', card: '4111 1111 1111 1111' },
    { tenant: 'globex', claims: 'acme', card: '5500 0000 0000 0004' },
    { tenant: 'globex', card: '3400 0000 0000 009' },
  ]);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const response = await example.ordersConsumer(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1].messageId }]);
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      'charging order o-0 with a card ending 1111',
      'charging order o-2 with a card ending 0009',
    ]);
  } finally {
    log.mockRestore();
    warn.mockRestore();
  }
});
