/**
 * Matrix 4: the event `logEvent` writes, through `injectLambdaContext(logger, { logEvent: true })` in a
 * real Middy stack, for API Gateway events whose headers and body (a JSON string as Lambda delivers it,
 * a parsed object, base64) hold secrets: masked by `keys`, by `fields`, or by detectors.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import {
  httpV2JwtEvent,
  invoke,
  type Loose,
  lambdaContext,
  restV1CognitoEvent,
} from '../middleware/events.js';
import {
  ALL_DETECTORS,
  expectNoSecrets,
  MASK,
  maskingLogger,
  S,
  useLoggerEnv,
  useOutput,
} from './support.js';

useLoggerEnv();
const out = useOutput();

const LOGGED_EVENT = 'Lambda invocation event';

const body = () => ({
  orderId: 'ORD-2026-000123',
  amount: 42.5,
  card: S.card,
  customer: { name: 'Jane', email: S.email, password: S.password },
});

const secretHeaders = () => ({ Authorization: `Bearer ${S.jwt}`, 'x-api-key': S.apiKey });

/** A Middy stack logging the event; returns the events the handler saw and the logged event. */
async function run(logger: Logger, event: Loose) {
  const seen: unknown[] = [];
  const handler = middy(async (e: unknown) => {
    seen.push(structuredClone(e));
    logger.info('handled');
    return { statusCode: 200, body: '{"ok":true}' };
  }).use(injectLambdaContext(logger, { logEvent: true }));
  const original = structuredClone(event);
  const result = await invoke(handler, event, lambdaContext());
  expect(result.statusCode).toBe(200);
  // The handler got the event as it arrived: masking the log line did not touch it.
  expect(seen).toEqual([original]);
  expect(event).toEqual(original);
  const logged = out.entry(LOGGED_EVENT);
  expect(out.entry('handled')).toBeDefined();
  return logged.event as Loose;
}

describe('keys', () => {
  test("keys: ['authorization', 'x-api-key', 'password'] mask headers, multi-value headers and a parsed body", async () => {
    const logger = maskingLogger({ keys: ['authorization', 'x-api-key', 'password'] });
    const event = restV1CognitoEvent({
      headers: secretHeaders(),
      body: { orderId: 'ORD-1', customer: { name: 'Jane', password: S.password } },
    });
    const logged = await run(logger, event);
    expect(logged.headers).toMatchObject({
      Authorization: MASK,
      'x-api-key': MASK,
      'user-agent': 'curl/8.5.0',
    });
    expect(logged.multiValueHeaders).toMatchObject({ Authorization: MASK, 'x-api-key': MASK });
    expect(logged.body).toEqual({ orderId: 'ORD-1', customer: { name: 'Jane', password: MASK } });
    expectNoSecrets(out.text(), [S.jwt, S.apiKey, S.password]);
  });

  test('keys match header names in any case (HTTP API v2 lower-cases them)', async () => {
    const logger = maskingLogger({ keys: ['Authorization'] });
    const event = httpV2JwtEvent({ headers: { authorization: `Bearer ${S.jwt}` }, body: '{}' });
    const logged = await run(logger, event);
    expect(logged.headers).toMatchObject({ authorization: MASK });
    expectNoSecrets(out.text(), [S.jwt]);
  });
});

describe('fields', () => {
  test.each([
    ['a JSON string body', JSON.stringify(body())],
    ['a parsed object body', body()],
  ])("fields: ['$.event.body'] erases %s whole", async (_label, eventBody) => {
    const logger = maskingLogger({ fields: ['$.event.body'] });
    const logged = await run(logger, restV1CognitoEvent({ body: eventBody }));
    expect(logged.body).toBe(MASK);
    // Only the selected field: the rest of the event is logged as it arrived.
    expect(logged.headers).toMatchObject({ accept: 'application/json', 'user-agent': 'curl/8.5.0' });
    expect(logged).toMatchObject({ path: '/orders', httpMethod: 'POST', isBase64Encoded: false });
    expectNoSecrets(out.text(), [S.card, S.email, S.password]);
  });

  test.each([
    ['a JSON string body', JSON.stringify(body())],
    ['a parsed object body', body()],
  ])('fields reach into %s: only the selected members are erased', async (_label, eventBody) => {
    const logger = maskingLogger({
      fields: ['$.event.body.card', '$.event.body.customer.email', '$.event.body.customer.password'],
    });
    const logged = await run(logger, httpV2JwtEvent({ body: eventBody }));
    const loggedBody = typeof logged.body === 'string' ? JSON.parse(logged.body) : logged.body;
    expect(typeof logged.body).toBe(typeof eventBody);
    expect(loggedBody).toEqual({
      orderId: 'ORD-2026-000123',
      amount: 42.5,
      card: MASK,
      customer: { name: 'Jane', email: MASK, password: MASK },
    });
    expectNoSecrets(out.text(), [S.card, S.email, S.password]);
  });

  test('a base64 body (isBase64Encoded: true) is decoded, masked and encoded again', async () => {
    const logger = maskingLogger({ fields: ['$.event.body.card', '$.event.body.customer.password'] });
    const encoded = Buffer.from(JSON.stringify(body()), 'utf8').toString('base64');
    const logged = await run(logger, restV1CognitoEvent({ body: encoded, isBase64Encoded: true }));
    const decoded = JSON.parse(Buffer.from(logged.body as string, 'base64').toString('utf8'));
    expect(decoded).toMatchObject({ card: MASK, customer: { password: MASK, name: 'Jane' } });
    expectNoSecrets(out.text(), [S.card, S.password]);
  });

  test('the Powertools dot shorthand addresses the same fields', async () => {
    const logger = maskingLogger({ fields: ['event.body.card', 'event.headers.Authorization'] });
    const event = restV1CognitoEvent({
      headers: { Authorization: `Bearer ${S.jwt}` },
      body: { card: S.card },
    });
    const logged = await run(logger, event);
    expect(logged.body).toEqual({ card: MASK });
    expect(logged.headers).toMatchObject({ Authorization: MASK });
    expectNoSecrets(out.text(), [S.card]);
  });

  test('a field absent from an event is skipped, the event still logged', async () => {
    const logger = maskingLogger({ fields: ['$.event.body.card', '$.event.queryStringParameters.token'] });
    const logged = await run(logger, restV1CognitoEvent({ body: { card: S.card } }));
    expect(logged.body).toEqual({ card: MASK });
    expect(logged.queryStringParameters).toBeNull();
  });
});

describe('detectors', () => {
  test.each([
    [
      'REST v1, JSON string body',
      () => restV1CognitoEvent({ headers: secretHeaders(), body: JSON.stringify(body()) }),
    ],
    ['REST v1, parsed body', () => restV1CognitoEvent({ headers: secretHeaders(), body: body() })],
    [
      'HTTP v2, JSON string body',
      () => httpV2JwtEvent({ headers: secretHeaders(), body: JSON.stringify(body()) }),
    ],
  ])('%s: detectors mask inside the headers and the body', async (_label, make) => {
    const logger = maskingLogger({ detectors: ALL_DETECTORS });
    const logged = await run(logger, make());
    expect((logged.headers as Loose).Authorization).toBe(`Bearer ${MASK}`);
    const loggedBody = typeof logged.body === 'string' ? JSON.parse(logged.body) : logged.body;
    expect(loggedBody).toMatchObject({ card: MASK, customer: { email: MASK }, orderId: 'ORD-2026-000123' });
    expectNoSecrets(out.text(), [S.jwt, S.card, S.email]);
  });

  test('keys, fields and detectors together leave no secret of the event', async () => {
    const logger = maskingLogger({
      keys: ['x-api-key', 'password'],
      fields: ['$.event.body.card'],
      detectors: ALL_DETECTORS,
    });
    await run(logger, restV1CognitoEvent({ headers: secretHeaders(), body: JSON.stringify(body()) }));
    expectNoSecrets(out.text(), [S.jwt, S.apiKey, S.card, S.email, S.password]);
  });
});

test('without logEvent the event is not logged at all', async () => {
  const logger = maskingLogger({});
  const handler = middy(async () => ({ statusCode: 204 })).use(injectLambdaContext(logger));
  await invoke(handler, restV1CognitoEvent({ body: JSON.stringify(body()) }));
  expect(out.withMessage(LOGGED_EVENT)).toHaveLength(0);
});
