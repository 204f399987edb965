/**
 * Matrix 5: what must NOT be masked. The Powertools keys (`level`, `service`, `timestamp`, the function
 * context from a fake Lambda context via `injectLambdaContext`, `cold_start`, `xray_trace_id` from a
 * realistic `_X_AMZN_TRACE_ID`) and ordinary business data (ids, amounts, UUIDs, ISO timestamps, order
 * numbers) print exactly as a plain Powertools Logger prints them, with all seven detectors on.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { MaskingLogFormatter } from '../../src/logger.js';
import { invoke, lambdaContext, restV1CognitoEvent } from '../middleware/events.js';
import {
  ALL_DETECTORS,
  expectNoSecrets,
  ISO_TIMESTAMP,
  MASK,
  S,
  TRACE_HEADER,
  TRACE_ID,
  useLoggerEnv,
  useOutput,
} from './support.js';

useLoggerEnv();
const out = useOutput();

const context = lambdaContext();

/** Business data that looks numeric or structured, none of it sensitive. */
const business = () => ({
  orderId: 'ORD-2026-000123',
  orderNumber: 100045872,
  invoice: 'INV/2026/04/0042',
  amount: 1234.56,
  amountCents: 123456,
  currency: 'EUR',
  quantity: 3,
  customerId: '9f4c2b1e-0d7a-4a8e-9a51-2b8c1f0e7d33',
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  createdAt: '2026-01-01T12:34:56.789Z',
  shippedAt: new Date('2026-01-02T08:00:00.000Z'),
  epochMillis: 1767225600000,
  epochSeconds: 1767225600,
  sku: 'SKU-4111-22',
  ean: '4006381333931',
  zip: '94107',
  phone: '+1 555 0100',
  ip: '203.0.113.10',
  accountId: '111122223333',
  arn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders',
  version: '2.36.0',
  traceHeader: TRACE_HEADER,
  tags: ['priority', 'gift-wrap'],
  lines: [
    { sku: 'SKU-1', price: 19.99, qty: 2 },
    { sku: 'SKU-2', price: 0.5, qty: 10 },
  ],
  flags: { express: true, insured: false, note: null },
  big: 9007199254740993n,
});

const withoutTimestamp = (entry: Record<string, unknown>) => {
  const { timestamp, ...rest } = entry;
  expect(timestamp).toMatch(ISO_TIMESTAMP);
  return rest;
};

describe('with a fake Lambda context, a trace id and all seven detectors', () => {
  beforeEach(() => {
    process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
    // Read when a Logger is built: cold_start is true on the first invocation only.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  });

  test('the Powertools keys are exact, and cold_start flips after the first invocation', async () => {
    const logger = new Logger({
      serviceName: 'payments',
      logFormatter: new MaskingLogFormatter({ keys: ['password'], detectors: ALL_DETECTORS }),
    });
    const handler = middy(async () => {
      logger.info(`charged ${S.email}`, { password: S.password });
      return { statusCode: 200 };
    }).use(injectLambdaContext(logger, { logEvent: true }));
    const started = Date.now();
    await invoke(handler, restV1CognitoEvent({ body: JSON.stringify({ card: S.card }) }), context);
    await invoke(handler, restV1CognitoEvent({ body: '{}' }), context);
    const ended = Date.now();

    const entries = out.entries();
    expect(entries.map((e) => e.message)).toEqual([
      'Lambda invocation event',
      `charged ${MASK}`,
      'Lambda invocation event',
      `charged ${MASK}`,
    ]);
    for (const [i, entry] of entries.entries()) {
      expect(entry).toMatchObject({
        level: 'INFO',
        service: 'payments',
        cold_start: i < 2,
        function_name: context.functionName,
        function_request_id: context.awsRequestId,
        function_arn: context.invokedFunctionArn,
        function_memory_size: context.memoryLimitInMB,
        sampling_rate: 0,
        xray_trace_id: TRACE_ID,
      });
      expect(entry.timestamp).toMatch(ISO_TIMESTAMP);
      const at = Date.parse(entry.timestamp as string);
      expect(at).toBeGreaterThanOrEqual(started - 1);
      expect(at).toBeLessThanOrEqual(ended + 1);
    }
    expectNoSecrets(out.text(), [S.email, S.password, S.card]);
  });

  test('errors keep the context keys and the ERROR level', async () => {
    const logger = new Logger({
      serviceName: 'payments',
      logFormatter: new MaskingLogFormatter({ detectors: ALL_DETECTORS }),
    });
    const handler = middy(async () => {
      logger.error('charge failed', new Error(`declined ${S.card}`));
      logger.critical('giving up');
      return { statusCode: 502 };
    }).use(injectLambdaContext(logger));
    await invoke(handler, {}, context);
    const [error, critical] = out.entries();
    for (const [entry, level] of [
      [error, 'ERROR'],
      [critical, 'CRITICAL'],
    ] as const) {
      expect(entry).toMatchObject({
        level,
        service: 'payments',
        function_name: 'orders-api',
        function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        function_arn: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-api',
        function_memory_size: '256',
        xray_trace_id: TRACE_ID,
      });
    }
    expectNoSecrets(out.text(), [S.card]);
  });

  test('business data prints exactly as a plain Powertools Logger prints it', async () => {
    const plain = new Logger({ serviceName: 'payments' });
    const masked = new Logger({
      serviceName: 'payments',
      logFormatter: new MaskingLogFormatter({
        keys: ['password', 'authorization', /secret/i],
        fields: ['$.payment.card', '$.event.body.card'],
        detectors: ALL_DETECTORS,
      }),
    });
    const handler = middy(async () => {
      for (const logger of [plain, masked]) {
        logger.appendKeys({ tenant: 'acme', orderId: 'ORD-2026-000123' });
        logger.info('order placed', business());
        logger.warn({
          message: 'slow downstream',
          latencyMs: 1834,
          upstream: 'https://api.example.com/v1/orders',
        });
        logger.debug('not printed at INFO');
        logger.error('retrying', { attempt: 2, at: '2026-01-01T00:00:00Z', orders: [business()] });
      }
      return { statusCode: 200 };
    }).use(injectLambdaContext([plain, masked]));
    await invoke(handler, {}, context);
    const entries = out.entries();
    expect(entries).toHaveLength(6);
    const plainEntries = entries.slice(0, 3).map(withoutTimestamp);
    const maskedEntries = entries.slice(3).map(withoutTimestamp);
    expect(maskedEntries).toEqual(plainEntries);
    expect(maskedEntries[0]).toMatchObject({
      cold_start: true,
      function_name: 'orders-api',
      xray_trace_id: TRACE_ID,
      orderNumber: 100045872,
      shippedAt: '2026-01-02T08:00:00.000Z',
      big: '9007199254740993',
    });
    expect(out.text()).not.toContain(MASK);
  });
});

test('without a Lambda context or a trace id the entry has no such keys (and none is invented)', () => {
  const logger = new Logger({
    serviceName: 'payments',
    logFormatter: new MaskingLogFormatter({ detectors: ALL_DETECTORS }),
  });
  logger.info('outside Lambda', { orderId: 'ORD-1' });
  const entry = out.entries()[0];
  expect(Object.keys(entry).sort()).toEqual([
    'level',
    'message',
    'orderId',
    'sampling_rate',
    'service',
    'timestamp',
  ]);
  expect(entry).toMatchObject({ level: 'INFO', service: 'payments', orderId: 'ORD-1', sampling_rate: 0 });
});
