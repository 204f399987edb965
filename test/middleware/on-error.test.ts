/**
 * onError: when the handler throws and an error handler sets the response (@middy/http-error-handler, or a
 * custom onError middleware), the configured fields are erased and encrypted in that response too.
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import { DataMaskingContextMismatchError } from '../../src/errors.js';
import { dataMasking } from '../../src/middleware.js';
import {
  CARD,
  EMAIL,
  HTTP_KINDS,
  type HttpResult,
  httpEvent,
  invoke,
  invokeRejected,
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

/** An HTTP error as http-errors/`createError` makes them: a status and whether its message may be shown. */
function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode, expose: statusCode < 500 });
}

const failing = (error: unknown = new Error('database down')) =>
  jest.fn(async (_event: Loose): Promise<HttpResult> => {
    throw error;
  });

/** A custom error handler that reports what failed, secrets included (the mistake the middleware guards). */
const reportingErrorHandler = {
  onError: (request: { response: unknown; error: unknown }) => {
    request.response = {
      statusCode: 502,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: 'upstream failed',
        debug: { customer: { email: EMAIL, ssn: SSN }, card: CARD },
      }),
    };
  },
};

describe.each(HTTP_KINDS)('%s', (kind) => {
  test('a custom onError middleware sets a response with secrets: they are erased', async () => {
    const lambda = failing();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          erase: { fields: ['$.body.debug.customer.email', '$..ssn', '$.body.debug.card'] },
        }),
      )
      .use(httpJsonBodyParser())
      .use(reportingErrorHandler);

    const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A, body: '{"id":1}' }));

    expect(lambda).toHaveBeenCalledTimes(1);
    expect(response.statusCode).toBe(502);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(parsedBody(response)).toEqual({
      message: 'upstream failed',
      debug: { customer: { email: '*****', ssn: '*****' }, card: '*****' },
    });
    expectAbsent([EMAIL, SSN, CARD], response);
  });

  test('http-error-handler exposes a JSON message: its fields are erased, it stays a JSON string', async () => {
    const lambda = failing(httpError(409, JSON.stringify({ conflict: 'duplicate order', email: EMAIL })));
    const handler = middy(lambda)
      .use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.email'] } }))
      .use(httpJsonBodyParser())
      .use(httpErrorHandler({ logger: false }));

    const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A, body: '{}' }));

    expect(response.statusCode).toBe(409);
    expect(response.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(parsedBody(response)).toEqual({ conflict: 'duplicate order', email: '*****' });
  });
});

test('a custom onError that returns the response (an early response from onError) is masked too', async () => {
  const handler = middy(failing())
    .use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.debug.card', '$..email'] } }))
    .use({
      onError: () => ({
        statusCode: 500,
        body: JSON.stringify({ debug: { card: CARD, customer: { email: EMAIL } } }),
      }),
    });
  const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
  expect(response.statusCode).toBe(500);
  expect(parsedBody(response)).toEqual({ debug: { card: '*****', customer: { email: '*****' } } });
});

test('http-error-handler and http-response-serializer on the error path: masked after serialization', async () => {
  const handler = middy(failing(httpError(422, JSON.stringify({ invalid: 'card', card: CARD }))))
    .use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.card'] } }))
    .use(
      httpResponseSerializer({
        serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
        defaultContentType: 'application/json',
      }),
    )
    .use(httpErrorHandler({ logger: false }));
  const response = await invoke(handler, httpEvent('restV1Cognito', { tenant: TENANT_A }));
  expect(response.statusCode).toBe(422);
  expect(parsedBody(response)).toEqual({ invalid: 'card', card: '*****' });
});

test('encrypt on the error path: the field of the error response decrypts back under the caller tenant', async () => {
  const handler = middy(failing())
    .use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.body.debug.customer.email', '$..ssn'] },
        encrypt: { fields: ['$.body.debug.card'], context: tenantContext },
      }),
    )
    .use(reportingErrorHandler);
  const response = await invoke(handler, httpEvent('httpV2LambdaAuthorizer', { tenant: TENANT_B }));
  const body = parsedBody(response) as { debug: { card: string; customer: Loose } };
  expect(body.debug.customer).toEqual({ email: '*****', ssn: '*****' });
  expectAbsent([CARD, EMAIL, SSN], response);
  await expect(fixture.plaintext(body.debug.card, B)).resolves.toBe(CARD);
  await expect(fixture.plaintext(body.debug.card, A)).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
});

test('a plain event: a response set by a custom onError is masked', async () => {
  const handler = middy(failing())
    .use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.record.email'] },
        encrypt: { fields: ['$.record.card'], context: tenantContext },
      }),
    )
    .use({
      onError: (request) => {
        request.response = { status: 'FAILED', record: { id: 7, email: EMAIL, card: CARD } };
      },
    });
  const response = await invoke<{ status: string; record: Loose }>(handler, plainEvent(TENANT_A, {}));
  expect(response).toEqual({ status: 'FAILED', record: { id: 7, email: '*****', card: expect.any(String) } });
  await expect(fixture.plaintext(response.record.card, A)).resolves.toBe(CARD);
});

test('no error handler: the handler error propagates unchanged, nothing logged by the middleware', async () => {
  const error = new Error('database down');
  const { logFailure, messages } = failureLog();
  const handler = middy(failing(error)).use(
    dataMasking({
      masker: fixture.masker(),
      erase: { fields: ['$.body.email'] },
      encrypt: { fields: ['$.body.card'], context: tenantContext },
      logFailure,
    }),
  );
  await expect(invokeRejected(handler, httpEvent('alb', { tenant: TENANT_A }))).resolves.toBe(error);
  await expect(invokeRejected(handler, plainEvent(TENANT_A, {}))).resolves.toBe(error);
  expect(messages).toEqual([]);
  expect(fixture.kms.count('GenerateDataKey')).toBe(0);
});

test('a failed decrypt answered by http-error-handler keeps its 403 with response masking configured', async () => {
  const cardOfA = await fixture.ciphertext(CARD, A);
  const lambda = jest.fn();
  const handler = middy(lambda)
    .use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.body.card'], context: tenantContext },
        erase: { fields: ['$.body.email', '$..card'] },
        encrypt: { fields: ['$.body.card'], context: tenantContext },
        logFailure: () => undefined,
      }),
    )
    .use(httpJsonBodyParser())
    .use(httpErrorHandler({ logger: false }));
  const run = await withCapturedOutput(() =>
    invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_B, body: JSON.stringify({ card: cardOfA }) })),
  );
  expect(lambda).not.toHaveBeenCalled();
  expect(run.result).toEqual({
    statusCode: 403,
    headers: { 'Content-Type': 'text/plain' },
    body: "Encryption context mismatch for key 'tenant_id'",
  });
  expectAbsent(CARD, run.result, run.output);
});

test('http-error-handler with a non-exposed error: its default 500, nothing of the error in it', async () => {
  const handler = middy(failing(new Error(`lookup failed for ${EMAIL}`)))
    .use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.email'] } }))
    .use(httpErrorHandler({ logger: false }));
  const response = await invoke(handler, httpEvent('functionUrl', { tenant: TENANT_A }));
  expect(response).toEqual({ statusCode: 500, headers: {} });
});
