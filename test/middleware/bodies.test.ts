/**
 * Bodies both ways: a raw JSON string (the middleware first, a body parser after it) and an object parsed
 * upstream; responses whose body is a string (from the handler or @middy/http-response-serializer) or an
 * object. Strings stay strings, with their other content unchanged. Base64 bodies: JSON is decoded and
 * encoded again, anything else (an image) is left exactly as it was.
 */
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
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
  SSN,
  TENANT_A,
  tenantContext,
} from './events.js';
import { base64Json, expectAbsent, failureLog, fromBase64Json, useKms } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };
/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let cardOfA: string;
beforeAll(async () => {
  cardOfA = await fixture.ciphertext(CARD, A);
});

const jsonSerializer = httpResponseSerializer({
  serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
  defaultContentType: 'application/json',
});

describe('event bodies', () => {
  test.each(HTTP_KINDS)(
    '%s: a raw string body is decrypted before http-json-body-parser parses it',
    async (kind) => {
      const lambda = jest.fn(async (event: Loose) => ({ statusCode: 200, body: typeof event.body }));
      const handler = middy(lambda)
        .use(
          dataMasking({
            masker: fixture.masker(),
            decrypt: { fields: ['$.body.card'], context: tenantContext },
          }),
        )
        .use(httpJsonBodyParser());
      const raw = JSON.stringify({
        order: { id: 7, lines: [{ sku: 'x', qty: 1 }] },
        card: cardOfA,
        note: 'é ✓',
      });
      await invoke(handler, httpEvent(kind, { tenant: TENANT_A, body: raw }));
      expect(lambda.mock.calls[0][0].body).toEqual({
        order: { id: 7, lines: [{ sku: 'x', qty: 1 }] },
        card: CARD,
        note: 'é ✓',
      });
    },
  );

  test('a raw string body without a parser: it stays a string, only the selected field changed', async () => {
    const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
    const handler = middy(lambda).use(
      dataMasking({ masker: fixture.masker(), decrypt: { fields: ['$.body.card'], context: tenantContext } }),
    );
    const raw = JSON.stringify({ z: 1, card: cardOfA, a: [true, null, 'x'], nested: { n: 1.5 } });
    await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A, body: raw }));
    const seen = lambda.mock.calls[0][0].body;
    expect(typeof seen).toBe('string');
    expect(seen).toBe(JSON.stringify({ z: 1, card: CARD, a: [true, null, 'x'], nested: { n: 1.5 } }));
  });

  test('an already parsed object body (a parser upstream): decrypted in place of the object', async () => {
    const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
    const handler = middy(lambda).use(
      dataMasking({ masker: fixture.masker(), decrypt: { fields: ['$.body.card'], context: tenantContext } }),
    );
    await invoke(
      handler,
      httpEvent('restV1Cognito', { tenant: TENANT_A, body: { card: cardOfA, items: [1, 2] } }),
    );
    expect(lambda.mock.calls[0][0].body).toEqual({ card: CARD, items: [1, 2] });
  });

  test('a ciphertext inside a JSON string inside the body string is reached, both strings stay strings', async () => {
    const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.body.detail.card'], context: tenantContext },
      }),
    );
    const raw = JSON.stringify({ source: 'app', detail: JSON.stringify({ card: cardOfA, id: 3 }) });
    await invoke(handler, httpEvent('alb', { tenant: TENANT_A, body: raw }));
    const seen = lambda.mock.calls[0][0].body as string;
    expect(typeof seen).toBe('string');
    const outer = JSON.parse(seen) as Loose;
    expect(typeof outer.detail).toBe('string');
    expect(JSON.parse(outer.detail as string)).toEqual({ card: CARD, id: 3 });
  });

  test('a form sent as text/plain, where decrypt must look: refused, the handler never runs (SPEC §4.7)', async () => {
    const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.body.card'], context: tenantContext },
        logFailure: () => undefined,
      }),
    );
    await expect(
      invoke(
        handler,
        httpEvent('functionUrl', {
          tenant: TENANT_A,
          body: 'card=4111&name=jane',
          headers: { 'content-type': 'text/plain' },
        }),
      ),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect(lambda).not.toHaveBeenCalled();
  });
});

describe('response bodies', () => {
  const erase = { fields: ['$.body.email', '$.body.customer.ssn'] };

  test.each(HTTP_KINDS)(
    '%s: a string body from the handler stays a string, the rest unchanged',
    async (kind) => {
      const payload = {
        id: 'c-1',
        email: EMAIL,
        customer: { name: 'Jane', ssn: SSN, tags: ['a', 'b'] },
        total: 12.5,
        unicode: 'naïve ☕',
      };
      const handler = middy(async () => ({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload, null, 2),
      })).use(dataMasking({ masker: fixture.masker(), erase }));
      const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A }));
      expect(parsedBody(response)).toEqual({
        ...payload,
        email: '*****',
        customer: { ...payload.customer, ssn: '*****' },
      });
      expect(response.headers).toEqual({ 'content-type': 'application/json' });
      expectAbsent([EMAIL, SSN], response);
    },
  );

  test('a string body without the selected fields is returned byte for byte', async () => {
    const body = '{\n  "id": "c-1",\n  "customer": { "name": "Jane" }\n}';
    const handler = middy(async () => ({ statusCode: 200, body })).use(
      dataMasking({ masker: fixture.masker(), erase }),
    );
    const response = await invoke(handler, httpEvent('restV1Cognito', { tenant: TENANT_A }));
    expect(response).toEqual({ statusCode: 200, body });
  });

  test('an object body (no serializer) stays an object', async () => {
    const handler = middy(async () => ({
      statusCode: 200,
      body: { email: EMAIL, customer: { ssn: SSN, name: 'Jane' } },
    })).use(dataMasking({ masker: fixture.masker(), erase }));
    const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
    expect(response).toEqual({
      statusCode: 200,
      body: { email: '*****', customer: { ssn: '*****', name: 'Jane' } },
    });
  });

  test.each(HTTP_KINDS)(
    '%s: an object body serialized by http-response-serializer is masked after it',
    async (kind) => {
      const handler = middy(async () => ({
        statusCode: 200,
        body: { email: EMAIL, customer: { ssn: SSN, name: 'Jane' }, list: [1, 2] },
      }))
        .use(dataMasking({ masker: fixture.masker(), erase }))
        .use(jsonSerializer);
      const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A }));
      expect(response.statusCode).toBe(200);
      expect(response.headers).toEqual({ 'Content-Type': 'application/json' });
      expect(response.body).toBe(
        JSON.stringify({ email: '*****', customer: { ssn: '*****', name: 'Jane' }, list: [1, 2] }),
      );
    },
  );

  test('a bare object returned by the handler and serialized: the serializer wraps it in a body', async () => {
    const handler = middy(async () => ({ email: EMAIL, id: 1 }))
      .use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.email'] } }))
      .use(jsonSerializer);
    const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
    expect(response).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: '*****', id: 1 }),
    });
  });

  test('a JSON array body, a descendant expression, and a JSON string inside the body string', async () => {
    const rows = [
      { email: EMAIL, profile: JSON.stringify({ ssn: SSN, plan: 'pro' }) },
      { email: 'john@example.com', profile: JSON.stringify({ ssn: '987-65-4321', plan: 'free' }) },
    ];
    const handler = middy(async () => ({ statusCode: 200, body: JSON.stringify(rows) })).use(
      dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body[*].email', '$..ssn'] } }),
    );
    const response = await invoke(handler, httpEvent('alb', { tenant: TENANT_A }));
    const body = JSON.parse(response.body as string) as Loose[];
    expect(body.map((r) => r.email)).toEqual(['*****', '*****']);
    expect(body.map((r) => typeof r.profile)).toEqual(['string', 'string']);
    expect(body.map((r) => JSON.parse(r.profile as string))).toEqual([
      { ssn: '*****', plan: 'pro' },
      { ssn: '*****', plan: 'free' },
    ]);
    expectAbsent([EMAIL, SSN, 'john@example.com', '987-65-4321'], response);
  });

  test('encrypting into a string body: the body stays a string, the ciphertext decrypts back', async () => {
    const handler = middy(async () => ({
      statusCode: 200,
      body: JSON.stringify({ card: CARD, id: 'x' }),
    })).use(
      dataMasking({ masker: fixture.masker(), encrypt: { fields: ['$.body.card'], context: tenantContext } }),
    );
    const response = await invoke(handler, httpEvent('functionUrl', { tenant: TENANT_A }));
    const body = parsedBody(response);
    expect(Object.keys(body)).toEqual(['card', 'id']);
    expect(body.id).toBe('x');
    await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
  });

  test('a form-encoded body that an expression must look into is withheld, never passed as "missing"', async () => {
    const handler = middy(async () => ({ statusCode: 200, body: `email=${EMAIL}` })).use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.body.email'] },
        logFailure: () => undefined,
      }),
    );
    const response = await invoke(handler, httpEvent('alb', { tenant: TENANT_A }));
    expect(response).toMatchObject({ statusCode: 500 });
    expectAbsent(EMAIL, response);
  });

  test('a text/plain body holds no field: left as it is', async () => {
    const text = 'thank you for your order';
    const handler = middy(async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: text,
    })).use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.email'] } }));
    const response = await invoke(handler, httpEvent('alb', { tenant: TENANT_A }));
    expect(response).toMatchObject({ statusCode: 200, body: text });
  });
});

describe('isBase64Encoded bodies', () => {
  test('an event body of base64 JSON is decoded, decrypted and encoded again; the parser decodes it', async () => {
    const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: tenantContext },
        }),
      )
      .use(httpJsonBodyParser());
    const event = httpEvent('httpV2Jwt', {
      tenant: TENANT_A,
      body: base64Json({ card: cardOfA, qty: 2 }),
      isBase64Encoded: true,
    });
    await invoke(handler, event);
    expect(lambda.mock.calls[0][0].body).toEqual({ card: CARD, qty: 2 });
  });

  test('without a parser the handler gets base64 JSON with the field decrypted', async () => {
    const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
    const handler = middy(lambda).use(
      dataMasking({ masker: fixture.masker(), decrypt: { fields: ['$.body.card'], context: tenantContext } }),
    );
    await invoke(
      handler,
      httpEvent('functionUrl', {
        tenant: TENANT_A,
        body: base64Json({ card: cardOfA }),
        isBase64Encoded: true,
      }),
    );
    const seen = lambda.mock.calls[0][0];
    expect(seen.isBase64Encoded).toBe(true);
    expect(fromBase64Json(seen.body)).toEqual({ card: CARD });
  });

  test.each(HTTP_KINDS)(
    '%s: a base64 JSON response body is erased and encrypted, and stays base64',
    async (kind) => {
      const handler = middy(async () => ({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        isBase64Encoded: true,
        body: base64Json({ email: EMAIL, card: CARD, id: 9 }),
      })).use(
        dataMasking({
          masker: fixture.masker(),
          erase: { fields: ['$.body.email'] },
          encrypt: { fields: ['$.body.card'], context: tenantContext },
        }),
      );
      const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A }));
      expect(response.isBase64Encoded).toBe(true);
      const body = fromBase64Json(response.body) as Loose;
      expect(body).toEqual({ email: '*****', card: expect.any(String), id: 9 });
      await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
      expectAbsent([EMAIL, CARD], fromBase64Json(response.body));
    },
  );

  test('a base64 JSON response without the fields is returned byte for byte', async () => {
    const original = base64Json({ id: 9, note: 'nothing to mask' });
    const handler = middy(async () => ({ statusCode: 200, isBase64Encoded: true, body: original })).use(
      dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.email', '$..ssn'] } }),
    );
    const response = await invoke(handler, httpEvent('alb', { tenant: TENANT_A }));
    expect(response).toEqual({ statusCode: 200, isBase64Encoded: true, body: original });
  });

  test.each(HTTP_KINDS)('%s: a base64 PNG response is left exactly as it was', async (kind) => {
    const image: HttpResult = {
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      isBase64Encoded: true,
      body: PNG,
    };
    const { logFailure, messages } = failureLog();
    const handler = middy(async () => ({ ...image, headers: { ...image.headers } })).use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.body.email', '$..ssn'], detectors: ['email', 'creditCard', 'usSsn', 'jwt'] },
        encrypt: { fields: ['$.body.card'], context: tenantContext },
        logFailure,
      }),
    );
    const response = await invoke(handler, httpEvent(kind, { tenant: TENANT_A }));
    expect(response).toEqual(image);
    expect(
      Buffer.from(response.body as string, 'base64')
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    expect(messages).toEqual([]);
    expect(fixture.kms.count('GenerateDataKey')).toBe(0);
  });

  test('a base64 PNG request body reaches the handler unchanged', async () => {
    const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
    const handler = middy(lambda).use(
      dataMasking({ masker: fixture.masker(), decrypt: { fields: ['$.body.card'], context: tenantContext } }),
    );
    await invoke(
      handler,
      httpEvent('restV1Cognito', {
        tenant: TENANT_A,
        body: PNG,
        isBase64Encoded: true,
        headers: { 'content-type': 'image/png' },
      }),
    );
    expect(lambda.mock.calls[0][0]).toMatchObject({ body: PNG, isBase64Encoded: true });
  });

  test('a base64 JSON body with isBase64Encoded false is a plain string: not decoded', async () => {
    const encoded = base64Json({ email: EMAIL });
    const handler = middy(async () => ({ statusCode: 200, isBase64Encoded: false, body: encoded })).use(
      dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.email'] } }),
    );
    const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
    expect(response.body).toBe(encoded);
  });

  test('detectors alone over a plain JSON string body find what they detect', async () => {
    const handler = middy(async () => ({
      statusCode: 200,
      body: JSON.stringify({ contact: EMAIL, id: 1 }),
    })).use(dataMasking({ masker: fixture.masker(), erase: { detectors: ['email'] } }));
    const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
    expect(parsedBody(response)).toEqual({ contact: '*****', id: 1 });
  });

  test('detectors with a field expression over a base64 JSON body: the body is opened, detectors see its strings', async () => {
    const handler = middy(async () => ({
      statusCode: 200,
      isBase64Encoded: true,
      body: base64Json({ contact: EMAIL, id: 1 }),
    })).use(
      dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body.id'], detectors: ['email'] } }),
    );
    const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
    expect(fromBase64Json(response.body)).toEqual({ contact: '*****', id: '*****' });
  });

  // Regression: detectors alone used to leave a base64 JSON body unopened, so its text hid the email.
  test('detectors alone reach into a base64 JSON response body', async () => {
    const handler = middy(async () => ({
      statusCode: 200,
      isBase64Encoded: true,
      body: base64Json({ contact: EMAIL, id: 1 }),
    })).use(dataMasking({ masker: fixture.masker(), erase: { detectors: ['email'] } }));
    const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
    expect(response.isBase64Encoded).toBe(true);
    expect(fromBase64Json(response.body)).toEqual({ contact: '*****', id: 1 });
  });
});
