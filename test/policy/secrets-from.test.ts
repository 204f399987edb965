/**
 * Issue 12: `secretsFrom(request)` — secrets known only at run time (what Middy's `ssm` middleware puts
 * in the context) masked in the response, in thrown errors, in log lines (through the shared policy) and
 * in batch records, and replaced by the next request's.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddlewareObj } from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { batchMasking } from '../../src/batch.js';
import { DataMasking } from '../../src/data-masking.js';
import { MaskingLogFormatter } from '../../src/logger.js';
import { dataMasking } from '../../src/middleware.js';
import { definePolicy } from '../../src/policy/masking-policy.js';
import { sqsEvent } from '../batch/events.js';
import { useLoggerEnv, useOutput } from '../logger/support.js';
import { lambdaContext } from '../middleware/events.js';

useLoggerEnv();
const out = useOutput();

type WithSecret = { context: { dbPassword: string } };
const policy = definePolicy({
  keys: ['password'],
  secretsFrom: (request: WithSecret) => [request.context.dbPassword],
});

/** What Middy's ssm middleware does with `setToContext: true`, in a few lines. */
const loadParameters = <TEvent>(value: string): MiddlewareObj<TEvent> => ({
  before: (request) => {
    (request.context as unknown as Record<string, unknown>).dbPassword = value;
  },
});

test('the response, a log line and a thrown error of the request mask its secret; the next request has its own', async () => {
  const logger = new Logger({ serviceName: 'orders', logFormatter: new MaskingLogFormatter(policy) });
  const make = (secret: string, fail = false) =>
    middy(async () => {
      logger.info(`connecting with ${secret}`);
      if (fail) throw new Error(`login failed for ${secret}`);
      return { dsn: `postgres://app:${secret}@db/orders` };
    })
      .use(loadParameters(secret))
      .use(dataMasking({ erase: policy }));

  expect(await make('first-secret-1')({}, lambdaContext())).toEqual({
    dsn: 'postgres://app:*****@db/orders',
  });
  expect(out.entry('connecting with *****')).toBeDefined();

  // The next request: its own secret is masked (and the old one is no longer a secret).
  out.clear();
  const thrown = await make('second-secret-2', true)({}, lambdaContext()).catch((e: Error) => e);
  expect(String((thrown as Error).message)).toBe('login failed for *****');
  expect(String((thrown as Error).stack)).not.toContain('second-secret-2');
  expect(out.entry('connecting with *****')).toBeDefined();
  expect(out.text()).not.toContain('second-secret-2');
});

test('batch records of the request', async () => {
  let bodies: unknown[] = [];
  const handler = middy<SQSEvent>()
    .use(loadParameters<SQSEvent>('queue-secret-9'))
    .use(batchMasking({ masker: new DataMasking(), erase: policy }))
    .handler(async (event) => {
      bodies = event.Records.map((r) => JSON.parse(r.body));
      return { batchItemFailures: [] };
    });
  await handler(sqsEvent([{ note: 'token queue-secret-9 here', password: 'x' }]), lambdaContext());
  expect(bodies).toEqual([{ note: 'token ***** here', password: '*****' }]);
});

test('secretsFrom that fails, or gives something else than strings of 4+ characters, fails the request closed', async () => {
  const bad = (from: () => unknown) =>
    middy(async () => ({ ok: true })).use(dataMasking({ erase: { secretsFrom: from as never } }));
  for (const from of [
    () => 'not-an-array',
    () => ['abc'],
    () => [42],
    () => Promise.reject(new Error('ssm down')),
  ]) {
    await expect(bad(from)({}, lambdaContext())).rejects.toMatchObject({ statusCode: 500 });
  }
  expect(() => definePolicy({ secretsFrom: 'x' as never })).toThrow(/'secretsFrom' must be a function/);
});

test('static secrets reach log messages, stacks and causes through the formatter', () => {
  const secret = 'static-secret-77';
  const logger = new Logger({
    serviceName: 'orders',
    logFormatter: new MaskingLogFormatter(definePolicy({ secrets: [secret] })),
  });
  out.clear();
  logger.error(
    `failed with ${secret}`,
    new Error(`db said ${secret}`, { cause: new Error(`inner ${secret}`) }),
  );
  expect(out.text()).not.toContain(secret);
  expect(out.text()).toContain('failed with *****');
});
