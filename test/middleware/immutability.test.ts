/**
 * The middleware never writes to what it is given (the event passed in, the handler's response), and a
 * property: for random JSON bodies with a secret at a random selected key, the secret never appears in
 * the response of an erase-configured middleware, whatever the shape of the body.
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import fc from 'fast-check';
import { dataMasking } from '../../src/middleware.js';
import { jsonDocument } from '../support/arbitraries.js';
import { deepFreeze } from '../support/deep-freeze.js';
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
  tenantContext,
} from './events.js';
import { base64Json, fromBase64Json, useKms } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };

let cardOfA: string;
beforeAll(async () => {
  cardOfA = await fixture.ciphertext(CARD, A);
});

const allOptions = () => ({
  masker: fixture.masker(),
  decrypt: { fields: ['$.body.card', '$.payload.card'], context: tenantContext },
  erase: { fields: ['$.body.email', '$.email', '$..ssn'] },
  encrypt: { fields: ['$.body.card', '$.card'], context: tenantContext },
});

describe('nothing given to the middleware is written to', () => {
  const bodies: [string, () => { body: unknown; isBase64Encoded?: boolean }][] = [
    [
      'a string body',
      () => ({ body: JSON.stringify({ card: cardOfA, email: EMAIL, nested: { ssn: SSN } }) }),
    ],
    ['an object body', () => ({ body: { card: cardOfA, email: EMAIL, nested: { ssn: SSN } } })],
    [
      'a base64 body',
      () => ({
        body: base64Json({ card: cardOfA, email: EMAIL, nested: { ssn: SSN } }),
        isBase64Encoded: true,
      }),
    ],
  ];

  describe.each(HTTP_KINDS)('%s', (kind) => {
    test.each(bodies)('%s: the (frozen) event and the handler response are unchanged', async (_, make) => {
      const event = httpEvent(kind, { tenant: TENANT_A, ...make() });
      const snapshot = structuredClone(event);
      deepFreeze(event);
      const handlerResponse = deepFreeze({
        statusCode: 200,
        body: JSON.stringify({ card: CARD, email: EMAIL, list: [{ ssn: SSN }] }),
      });
      const lambda = jest.fn(async (_event: Loose) => handlerResponse);
      const handler = middy(lambda).use(dataMasking(allOptions()));

      const response = await invoke(handler, event);

      expect(event).toEqual(snapshot);
      expect(handlerResponse).toEqual({
        statusCode: 200,
        body: JSON.stringify({ card: CARD, email: EMAIL, list: [{ ssn: SSN }] }),
      });
      expect(lambda.mock.calls[0][0]).not.toBe(event);
      expect(response).not.toBe(handlerResponse);
      const body = parsedBody(response);
      expect(body.email).toBe('*****');
      await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
    });
  });

  test('a plain event and an object response', async () => {
    const event = deepFreeze(plainEvent(TENANT_A, { card: cardOfA, items: [{ ssn: SSN }] }));
    const snapshot = structuredClone(event);
    const handlerResponse = deepFreeze({ card: CARD, email: EMAIL, items: [{ ssn: SSN }] });
    const handler = middy(async () => handlerResponse).use(dataMasking(allOptions()));
    const response = await invoke<Loose>(handler, event);
    expect(event).toEqual(snapshot);
    expect(handlerResponse).toEqual({ card: CARD, email: EMAIL, items: [{ ssn: SSN }] });
    expect(response).toEqual({ card: expect.any(String), email: '*****', items: [{ ssn: '*****' }] });
  });

  test('the recommended stack (with a body parser, which writes to the event it is given): the caller event is unchanged', async () => {
    const event = httpEvent('restV1Cognito', {
      tenant: TENANT_A,
      body: JSON.stringify({ card: cardOfA, email: EMAIL }),
    });
    const snapshot = structuredClone(event);
    const handler = middy(async (e: Loose) => ({ statusCode: 200, body: e.body }))
      .use(dataMasking(allOptions()))
      .use(httpJsonBodyParser())
      .use(
        httpResponseSerializer({
          serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
          defaultContentType: 'application/json',
        }),
      )
      .use(httpErrorHandler({ logger: false }));
    const response = await invoke(handler, event);
    // http-json-body-parser assigns event.body; it does so on the decrypted copy, not on the caller's event.
    expect(event).toEqual(snapshot);
    expect(parsedBody(response).email).toBe('*****');
  });
});

describe('property: a secret at a random selected key never leaves', () => {
  type Segment = string | number;
  const SECRET_KEYS = ['secret', 'ssn', 'token', 'password'];
  const pathSegment = fc.oneof(
    fc.constantFrom<Segment>('a', 'b', 'card', 'x y', "it's", '0'),
    fc.constant<Segment>(0),
  );
  const secretText = fc.stringMatching(/^[A-Za-z0-9]{6,16}$/).map((s) => `SECRET${s}`);
  const secretValue = fc.oneof(
    secretText,
    secretText.map((s) => ({ value: s })),
    secretText.map((s) => [s, 'x']),
  );
  const scenario = fc.record({
    doc: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'name', 'x y'), jsonDocument, { maxKeys: 4 }),
    path: fc.array(pathSegment, { maxLength: 4 }),
    key: fc.constantFrom(...SECRET_KEYS),
    secret: secretValue,
    descendant: fc.boolean(),
  });

  /** Writes `value` at `path`, creating or replacing containers on the way, copying what it changes. */
  function place(node: unknown, path: readonly Segment[], value: unknown): unknown {
    if (path.length === 0) return value;
    const [head, ...rest] = path;
    if (typeof head === 'number') {
      const array = Array.isArray(node) ? [...node] : [];
      array[head] = place(array[head], rest, value);
      return array;
    }
    const object: Loose =
      node !== null && typeof node === 'object' && !Array.isArray(node) ? { ...node } : {};
    object[head] = place(object[head], rest, value);
    return object;
  }

  const quote = (k: string) => `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const expressionOf = (root: string, path: readonly Segment[], key: string, descendant: boolean) =>
    descendant
      ? `${root}..${key}`
      : `${root}${path.map((s) => (typeof s === 'number' ? `[${s}]` : `[${quote(s)}]`)).join('')}[${quote(key)}]`;
  const maskOf = (secret: unknown) => (Array.isArray(secret) ? secret.map(() => '*****') : '*****');

  type Shape = 'object body' | 'string body' | 'base64 body' | 'plain response';
  const SHAPES: Shape[] = ['object body', 'string body', 'base64 body', 'plain response'];

  test.each(SHAPES)('%s', async (shape) => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ doc, path, key, secret, descendant }) => {
        const fullPath = [...path, key];
        const data = place(doc, fullPath, secret);
        const response =
          shape === 'plain response'
            ? data
            : shape === 'string body'
              ? { statusCode: 200, body: JSON.stringify(data) }
              : shape === 'base64 body'
                ? { statusCode: 200, isBase64Encoded: true, body: base64Json(data) }
                : { statusCode: 200, body: data };
        const event = shape === 'plain response' ? plainEvent(TENANT_A, {}) : httpEvent('httpV2Jwt', {});
        const field = expressionOf(shape === 'plain response' ? '$' : '$.body', path, key, descendant);
        const handler = middy(async () => response).use(
          dataMasking({ masker: fixture.masker(), erase: { fields: [field] }, logFailure: () => undefined }),
        );

        const out = await invoke<Loose>(handler, event);

        expect(JSON.stringify(out)).not.toContain('SECRET');
        const body =
          shape === 'plain response'
            ? out
            : shape === 'string body'
              ? JSON.parse(out.body as string)
              : shape === 'base64 body'
                ? fromBase64Json(out.body)
                : out.body;
        if (shape === 'string body' || shape === 'base64 body') expect(typeof out.body).toBe('string');
        if (shape === 'base64 body') expect(out.isBase64Encoded).toBe(true);
        if (!descendant) {
          // Everything else is unchanged: the document with only the selected value masked.
          expect(body).toEqual(JSON.parse(JSON.stringify(place(data, fullPath, maskOf(secret)))));
        }
      }),
      { numRuns: 150 },
    );
  });
});
