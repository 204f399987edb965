/**
 * Each option alone (decrypt, erase, encrypt) and all together, over every event shape, through real Middy
 * stacks; and fields missing from some events or responses.
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { DataMaskingContextMismatchError } from '../../src/errors.js';
import { dataMasking } from '../../src/middleware.js';
import {
  CARD,
  EMAIL,
  HTTP_KINDS,
  type HttpResult,
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
import { expectAbsent, failureLog, useKms } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };
const B = { tenant_id: TENANT_B };

let cardOfA: string;
beforeAll(async () => {
  cardOfA = await fixture.ciphertext(CARD, A);
});

/** The order handler: echoes what it received, plus an SSN from "the database". */
const orderHandler = () =>
  jest.fn(async (event: Loose) => {
    const body = event.body as Loose;
    return {
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        orderId: body.orderId,
        card: body.card,
        email: body.email,
        ssn: SSN,
        note: 'thanks',
      }),
    };
  });

const orderBody = (card: string) => JSON.stringify({ orderId: 'ord-1', card, email: EMAIL });

describe.each(HTTP_KINDS)('%s event', (kind) => {
  test('decrypt only: the handler gets the plaintext; the response leaves as the handler returned it', async () => {
    const lambda = orderHandler();
    const { logFailure, messages } = failureLog();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: tenantContext },
          logFailure,
        }),
      )
      .use(httpJsonBodyParser())
      .use(httpErrorHandler());
    const event = httpEvent(kind, { tenant: TENANT_A, body: orderBody(cardOfA) });

    const response = await invoke(handler, event);

    expect(lambda).toHaveBeenCalledTimes(1);
    const seen = lambda.mock.calls[0][0].body as Loose;
    expect(seen).toEqual({ orderId: 'ord-1', card: CARD, email: EMAIL });
    // Nothing configured for responses: it is the handler's, untouched.
    expect(response).toEqual(await lambda.mock.results[0].value);
    expect(fixture.kms.count('Decrypt')).toBeGreaterThan(0);
    expect(fixture.kms.count('GenerateDataKey')).toBe(0);
    expect(messages).toEqual([]);
  });

  test('erase only: the event is not decrypted, the response fields are masked', async () => {
    const lambda = orderHandler();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          erase: { fields: ['$.body.email', '$.body.card', '$.body.ssn'] },
        }),
      )
      .use(httpJsonBodyParser());
    const event = httpEvent(kind, { tenant: TENANT_A, body: orderBody(CARD) });

    const response = await invoke(handler, event);

    expect(lambda.mock.calls[0][0].body).toEqual({ orderId: 'ord-1', card: CARD, email: EMAIL });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(parsedBody(response)).toEqual({
      orderId: 'ord-1',
      card: '*****',
      email: '*****',
      ssn: '*****',
      note: 'thanks',
    });
    expectAbsent([CARD, EMAIL, SSN], response);
    expect(fixture.kms.count('Decrypt') + fixture.kms.count('GenerateDataKey')).toBe(0);
  });

  test('encrypt only: the response field becomes a ciphertext bound to the caller tenant', async () => {
    const lambda = orderHandler();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          encrypt: { fields: ['$.body.card'], context: tenantContext },
        }),
      )
      .use(httpJsonBodyParser());
    const event = httpEvent(kind, { tenant: TENANT_A, body: orderBody(CARD) });

    const response = await invoke(handler, event);

    const body = parsedBody(response);
    expect(body).toEqual({
      orderId: 'ord-1',
      card: expect.any(String),
      email: EMAIL,
      ssn: SSN,
      note: 'thanks',
    });
    expect(body.card).not.toBe(CARD);
    expectAbsent(CARD, response);
    await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
    await expect(fixture.plaintext(body.card, B)).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
    expect(fixture.kms.count('GenerateDataKey')).toBeGreaterThan(0);
  });

  test('all combined: decrypt the request, erase then encrypt the response', async () => {
    const lambda = orderHandler();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: tenantContext },
          erase: {
            fields: ['$.body.email'],
            maskingRules: { '$.body.ssn': { regexPattern: /\d{3}-\d{2}-(\d{4})/, maskFormat: '***-**-$1' } },
          },
          encrypt: { fields: ['$.body.card'], context: tenantContext },
        }),
      )
      .use(httpJsonBodyParser())
      .use(httpErrorHandler());
    const event = httpEvent(kind, { tenant: TENANT_A, body: orderBody(cardOfA) });

    const response = await invoke(handler, event);

    expect(lambda.mock.calls[0][0].body).toEqual({ orderId: 'ord-1', card: CARD, email: EMAIL });
    expect(response.statusCode).toBe(201);
    const body = parsedBody(response);
    expect(body).toEqual({
      orderId: 'ord-1',
      card: expect.any(String),
      email: '*****',
      ssn: '***-**-6789',
      note: 'thanks',
    });
    expectAbsent([CARD, EMAIL, SSN], response);
    await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
  });

  test('missing fields are skipped, the fields present are still masked', async () => {
    const lambda = jest.fn(async (event: Loose) => ({
      statusCode: 200,
      body: JSON.stringify({ card: (event.body as Loose).card, email: EMAIL, address: { city: 'Anytown' } }),
    }));
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card', '$.body.iban', '$.body.payer.card'], context: tenantContext },
          erase: { fields: ['$.body.email', '$.body.phone', '$.body.address.street', '$.body.ssn'] },
          encrypt: { fields: ['$.body.card', '$.body.cvv', '$.body.payer.card'], context: tenantContext },
        }),
      )
      .use(httpJsonBodyParser());
    const event = httpEvent(kind, { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) });

    const response = await invoke(handler, event);

    expect(lambda.mock.calls[0][0].body).toEqual({ card: CARD });
    const body = parsedBody(response);
    expect(body).toEqual({ card: expect.any(String), email: '*****', address: { city: 'Anytown' } });
    await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
  });

  test('an event without a body and a response without the fields pass through', async () => {
    const lambda = jest.fn(async () => ({ statusCode: 204, headers: { 'x-trace': 't-1' } }));
    const { logFailure, messages } = failureLog();
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.body.card'], context: tenantContext },
        erase: { fields: ['$.body.email', '$..ssn'] },
        encrypt: { fields: ['$.body.card'], context: tenantContext },
        logFailure,
      }),
    );
    const event = httpEvent(kind, { tenant: TENANT_A, method: 'GET' });
    delete event.body;

    const response = await invoke(handler, event);

    expect(lambda).toHaveBeenCalledTimes(1);
    expect(response).toEqual({ statusCode: 204, headers: { 'x-trace': 't-1' } });
    expect(messages).toEqual([]);
    expect(fixture.kms.count('Decrypt') + fixture.kms.count('GenerateDataKey')).toBe(0);
  });
});

describe('plain (non-HTTP) event', () => {
  const recordHandler = () =>
    jest.fn(async (event: Loose) => {
      const payload = event.payload as Loose;
      return { orderId: payload.orderId, card: payload.card, customer: { email: payload.email, ssn: SSN } };
    });

  test('decrypt only', async () => {
    const lambda = recordHandler();
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.payload.card'], context: tenantContext },
      }),
    );
    const response = await invoke<Loose>(
      handler,
      plainEvent(TENANT_A, { orderId: 'ord-2', card: cardOfA, email: EMAIL }),
    );
    expect(lambda.mock.calls[0][0]).toEqual({
      tenantId: TENANT_A,
      payload: { orderId: 'ord-2', card: CARD, email: EMAIL },
    });
    expect(response).toEqual({ orderId: 'ord-2', card: CARD, customer: { email: EMAIL, ssn: SSN } });
  });

  test('erase only', async () => {
    const handler = middy(recordHandler()).use(
      dataMasking({ masker: fixture.masker(), erase: { fields: ['$.card', '$.customer.*'] } }),
    );
    const response = await invoke<Loose>(
      handler,
      plainEvent(TENANT_A, { orderId: 'ord-2', card: CARD, email: EMAIL }),
    );
    expect(response).toEqual({ orderId: 'ord-2', card: '*****', customer: { email: '*****', ssn: '*****' } });
  });

  test('encrypt only', async () => {
    const handler = middy(recordHandler()).use(
      dataMasking({ masker: fixture.masker(), encrypt: { fields: ['$.card'], context: tenantContext } }),
    );
    const response = await invoke<Loose>(
      handler,
      plainEvent(TENANT_B, { orderId: 'ord-2', card: CARD, email: EMAIL }),
    );
    expectAbsent(CARD, response);
    await expect(fixture.plaintext(response.card, B)).resolves.toBe(CARD);
    await expect(fixture.plaintext(response.card, A)).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
  });

  test('all combined, with a field missing from the payload', async () => {
    const lambda = recordHandler();
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.payload.card', '$.payload.iban'], context: tenantContext },
        erase: {
          fields: ['$.customer.email', '$.customer.phone'],
          maskingRules: { '$..ssn': { remove: true } },
        },
        encrypt: { fields: ['$.card', '$.iban'], context: tenantContext },
      }),
    );
    const response = await invoke<Loose>(
      handler,
      plainEvent(TENANT_A, { orderId: 'ord-2', card: cardOfA, email: EMAIL }),
    );
    expect((lambda.mock.calls[0][0].payload as Loose).card).toBe(CARD);
    expect(response).toEqual({ orderId: 'ord-2', card: expect.any(String), customer: { email: '*****' } });
    expectAbsent([CARD, EMAIL, SSN], response);
    await expect(fixture.plaintext(response.card, A)).resolves.toBe(CARD);
  });
});

test('the caller masker is not changed: it still throws on missing fields outside the middleware', () => {
  const masker = fixture.masker();
  dataMasking({ masker, erase: { fields: ['$.nothing'] } });
  expect(() => masker.erase({ a: 1 }, { fields: ['$.nothing'] })).toThrow("Field not found: '$.nothing'");
});

test('the response of a handler typed as an HTTP result keeps its other members', async () => {
  const handler = middy(
    async (): Promise<HttpResult> => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'set-cookie': 'a=1' },
      multiValueHeaders: { 'x-many': ['1', '2'] },
      cookies: ['session=abc'],
      isBase64Encoded: false,
      body: JSON.stringify({ email: EMAIL, keep: [1, 2, { deep: true }] }),
    }),
  ).use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.email'] } }));
  const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
  expect(response).toEqual({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'set-cookie': 'a=1' },
    multiValueHeaders: { 'x-many': ['1', '2'] },
    cookies: ['session=abc'],
    isBase64Encoded: false,
    body: JSON.stringify({ email: '*****', keep: [1, 2, { deep: true }] }),
  });
});
