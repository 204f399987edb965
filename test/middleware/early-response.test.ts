/**
 * Early responses: Middy skips every `after` when a middleware returns early, so the middleware catches
 * them itself. Provided dataMasking() is the first `.use()`, a response returned early from a later
 * middleware's `before`, `after` or `onError` is erased and encrypted like any other, and only once.
 */
import middy, { type Request } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import {
  DataMaskingContextMismatchError,
  DataMaskingEncryptKeyError,
  DataMaskingProviderUnavailableError,
} from '../../src/errors.js';
import { dataMasking } from '../../src/middleware.js';
import {
  CARD,
  EMAIL,
  HTTP_KINDS,
  httpEvent,
  invoke,
  type Loose,
  parsedBody,
  plainEvent,
  SSN,
  TENANT_A,
  TENANT_B,
  tenantContext,
} from './events.js';
import { expectAbsent, failureLog, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };
const B = { tenant_id: TENANT_B };

const cachedResponse = () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'x-cache': 'hit' },
  body: JSON.stringify({ orderId: 'ord-9', email: EMAIL, ssn: SSN, card: CARD }),
});

/** A cache: answers from its `before`, so neither the handler nor any `after` runs. */
const cacheReturning = () => ({ before: () => cachedResponse() });
/** The same, Middy 6+ style: sets `request.earlyResponse` and returns nothing. */
const cacheAssigning = () => ({
  before: (request: Request) => {
    request.earlyResponse = cachedResponse();
  },
});

const eraseAll = { fields: ['$.body.email', '$.body.ssn', '$.body.card'] };

describe.each(HTTP_KINDS)('%s', (kind) => {
  test.each([
    ['returns a value', cacheReturning],
    ['sets request.earlyResponse', cacheAssigning],
  ])('(a) a middleware that %s from its before: masked, the handler not run', async (_, cache) => {
    const lambda = jest.fn();
    const handler = middy(lambda)
      .use(dataMasking({ masker: fixture.masker(), erase: eraseAll }))
      .use(httpJsonBodyParser())
      .use(cache());
    const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A, body: '{}' }));
    expect(lambda).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json', 'x-cache': 'hit' });
    expect(parsedBody(response)).toEqual({ orderId: 'ord-9', email: '*****', ssn: '*****', card: '*****' });
    expectAbsent([EMAIL, SSN, CARD], response);
  });

  test('(b) a middleware that returns early from its after: masked', async () => {
    const lambda = jest.fn(async () => ({ statusCode: 200, body: JSON.stringify({ ok: true }) }));
    const enriching = {
      after: (request: Request) => {
        const response = request.response as { body: string };
        // Returning a value from `after` ends the after chain: dataMasking's own after is skipped.
        return {
          ...response,
          body: JSON.stringify({ ...JSON.parse(response.body), email: EMAIL, ssn: SSN }),
        };
      },
    };
    const handler = middy(lambda)
      .use(dataMasking({ masker: fixture.masker(), erase: eraseAll }))
      .use(enriching);
    const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A }));
    expect(lambda).toHaveBeenCalledTimes(1);
    expect(parsedBody(response)).toEqual({ ok: true, email: '*****', ssn: '*****' });
  });

  test('(c) encrypt + an early response: the field decrypts back under the caller tenant, once', async () => {
    const lambda = jest.fn();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          erase: { fields: ['$.body.email', '$.body.ssn'] },
          encrypt: { fields: ['$.body.card'], context: tenantContext },
        }),
      )
      .use(cacheReturning());
    const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_B }));
    expect(lambda).not.toHaveBeenCalled();
    const body = parsedBody(response);
    expect(body).toEqual({ orderId: 'ord-9', email: '*****', ssn: '*****', card: expect.any(String) });
    // Encrypted once: one decryption gives the card back (not another ciphertext).
    await expect(fixture.plaintext(body.card, B)).resolves.toBe(CARD);
    await expect(fixture.plaintext(body.card, A)).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
    expectAbsent([CARD, EMAIL, SSN], response);
  });
});

test('(b) with encrypt: a response returned early from an after is encrypted exactly once', async () => {
  const handler = middy(async () => ({ statusCode: 200, body: JSON.stringify({ card: CARD }) }))
    .use(
      dataMasking({ masker: fixture.masker(), encrypt: { fields: ['$.body.card'], context: tenantContext } }),
    )
    .use({ after: (request: Request) => ({ ...(request.response as Loose), headers: { 'x-after': '1' } }) });
  const response = await invoke(handler, httpEvent('alb', { tenant: TENANT_A }));
  expect(response.headers).toEqual({ 'x-after': '1' });
  const body = parsedBody(response);
  await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
});

test('(c) an early response built from the decrypted event (an idempotency cache) is encrypted again', async () => {
  const cardOfA = await fixture.ciphertext(CARD, A);
  const lambda = jest.fn();
  const idempotency = {
    before: (request: Request) => {
      const body = (request.event as Loose).body as Loose;
      return { statusCode: 200, body: JSON.stringify({ replayed: true, card: body.card }) };
    },
  };
  const handler = middy(lambda)
    .use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.body.card'], context: tenantContext },
        encrypt: { fields: ['$.body.card'], context: tenantContext },
      }),
    )
    .use(httpJsonBodyParser())
    .use(idempotency);
  const response = await invoke(
    handler,
    httpEvent('restV1Cognito', { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) }),
  );
  expect(lambda).not.toHaveBeenCalled();
  const body = parsedBody(response);
  expect(body.replayed).toBe(true);
  expect(body.card).not.toBe(cardOfA);
  expectAbsent(CARD, response);
  await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
});

test('a plain event: an early response from a before is masked', async () => {
  const lambda = jest.fn();
  const handler = middy(lambda)
    .use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.customer.email'] },
        encrypt: { fields: ['$.card'], context: tenantContext },
      }),
    )
    .use({ before: () => ({ cached: true, card: CARD, customer: { email: EMAIL } }) });
  const response = await invoke<Loose>(handler, plainEvent(TENANT_A, {}));
  expect(lambda).not.toHaveBeenCalled();
  expect(response).toEqual({ cached: true, card: expect.any(String), customer: { email: '*****' } });
  await expect(fixture.plaintext(response.card, A)).resolves.toBe(CARD);
});

test('an early response of undefined or null passes as it is', async () => {
  const lambda = jest.fn();
  const { logFailure, messages } = failureLog();
  for (const value of [undefined, null]) {
    const handler = middy(lambda)
      .use(dataMasking({ masker: fixture.masker(), erase: eraseAll, logFailure }))
      .use({
        before: (request: Request) => {
          request.earlyResponse = value;
        },
      });
    await expect(invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }))).resolves.toBe(value);
  }
  expect(lambda).not.toHaveBeenCalled();
  expect(messages).toEqual([]);
});

describe('KMS failing on an early response', () => {
  const build = (logFailure: (m: string) => void) =>
    middy(jest.fn())
      .use(
        dataMasking({
          masker: fixture.masker(),
          erase: { fields: ['$.body.email', '$.customer.email'] },
          encrypt: { fields: ['$.body.card', '$.card'], context: tenantContext },
          logFailure,
        }),
      )
      .use({
        before: (request: Request) =>
          'httpMethod' in (request.event as Loose) || 'routeKey' in (request.event as Loose)
            ? cachedResponse()
            : { card: CARD, customer: { email: EMAIL } },
      })
      .use(httpErrorHandler({ logger: false }));

  test.each(HTTP_KINDS)('%s: 503 with Retry-After (KMS throttled), nothing leaks', async (kind) => {
    const { logFailure, messages } = failureLog();
    fixture.kms.throttle('GenerateDataKey', 100);
    const run = await withCapturedOutput(() =>
      invoke(build(logFailure), httpEvent(kind, { tenant: TENANT_A })),
    );
    expect(run.result).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/json', 'Retry-After': '1' },
      body: '{"message":"Service Unavailable"}',
    });
    expect(messages).toHaveLength(1);
    expectAbsent([CARD, EMAIL, SSN], run.result, run.output, messages);
  });

  test.each([
    ['throttled', () => fixture.kms.throttle('GenerateDataKey', 100), DataMaskingProviderUnavailableError],
    ['key disabled', () => fixture.kms.disableKey(fixture.kms.keys[0]), DataMaskingEncryptKeyError],
  ])('a plain event, KMS %s: the typed error is thrown, nothing leaks', async (_, fault, ErrorClass) => {
    const { logFailure, messages } = failureLog();
    fault();
    const run = await withCapturedOutput(() => invoke(build(logFailure), plainEvent(TENANT_A, {})));
    expect(run.error).toBeInstanceOf(ErrorClass);
    expect(run.error).toMatchObject(
      ErrorClass === DataMaskingProviderUnavailableError
        ? { statusCode: 503, expose: true }
        : { statusCode: 500, expose: false },
    );
    expectAbsent([CARD, EMAIL], run.error, run.output, messages);
  });
});
