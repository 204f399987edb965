/**
 * Matrix 7: the `@middy/input-output-logger` path. `createMaskingLogger()` as its `logger`: the event
 * and response lines printed are masked (default print and a custom `print`), the handler and the caller
 * still see the real values, and the message is never mutated.
 */
import { inspect } from 'node:util';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import inputOutputLogger from '@middy/input-output-logger';
import { createMaskingLogger } from '../../src/logger.js';
import {
  type HttpResult,
  httpV2JwtEvent,
  invoke,
  type Loose,
  restV1CognitoEvent,
} from '../middleware/events.js';
import { deepFreeze } from '../support/deep-freeze.js';
import { ALL_DETECTORS, expectNoSecrets, MASK, S, useOutput } from './support.js';

const out = useOutput();

const requestBody = () => ({
  orderId: 'ORD-2026-000123',
  card: S.card,
  customer: { email: S.email, password: S.password },
});

const responseOf = (): HttpResult => ({
  statusCode: 201,
  headers: { 'content-type': 'application/json', 'set-cookie': `session=${S.jwt}; HttpOnly` },
  body: JSON.stringify({ orderId: 'ORD-2026-000123', receiptEmail: S.email2, last4: '1111' }),
});

const options = {
  keys: ['authorization', 'set-cookie', 'password'],
  fields: ['$.event.body.card'],
  detectors: ALL_DETECTORS,
};

/** Everything observable about a value, for "not mutated" checks (prototypes, hidden fields, cycles). */
const fingerprint = (value: unknown) => inspect(value, { depth: Infinity, showHidden: true, getters: true });

describe('in a Middy stack', () => {
  test('default print: the event and response lines are masked, the handler and caller see real values', async () => {
    const seen: unknown[] = [];
    const handler = middy(async (event: Loose) => {
      seen.push(JSON.parse(event.body as string));
      return responseOf();
    }).use(inputOutputLogger({ logger: createMaskingLogger(options) }));
    const event = restV1CognitoEvent({
      headers: { Authorization: `Bearer ${S.jwt}` },
      body: JSON.stringify(requestBody()),
    });
    const result = await invoke(handler, event);

    expect(seen).toEqual([requestBody()]);
    expect(result).toEqual(responseOf());

    const [eventLine, responseLine] = out.entries() as [{ event: Loose }, { response: Loose }];
    expect(out.entries()).toHaveLength(2);
    expect(eventLine.event.headers).toMatchObject({ Authorization: MASK, accept: 'application/json' });
    expect(eventLine.event.multiValueHeaders).toMatchObject({ Authorization: MASK });
    expect(JSON.parse(eventLine.event.body as string)).toEqual({
      orderId: 'ORD-2026-000123',
      card: MASK,
      customer: { email: MASK, password: MASK },
    });
    expect(responseLine.response).toMatchObject({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'set-cookie': MASK },
    });
    expect(JSON.parse(responseLine.response.body as string)).toEqual({
      orderId: 'ORD-2026-000123',
      receiptEmail: MASK,
      last4: '1111',
    });
    expectNoSecrets(out.text(), [S.jwt, S.card, S.email, S.password, S.email2]);
  });

  test('a custom print receives the masked message objects, one per line', async () => {
    const printed: unknown[] = [];
    const handler = middy(async () => responseOf()).use(
      inputOutputLogger({
        logger: createMaskingLogger({ ...options, print: (message) => printed.push(message) }),
      }),
    );
    await invoke(
      handler,
      httpV2JwtEvent({ headers: { authorization: `Bearer ${S.jwt}` }, body: requestBody() }),
    );
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatchObject({
      event: {
        headers: { authorization: MASK },
        body: { card: MASK, customer: { email: MASK, password: MASK } },
      },
    });
    expect(printed[1]).toMatchObject({ response: { headers: { 'set-cookie': MASK } } });
    expect(out.lines()).toHaveLength(0);
    expectNoSecrets(JSON.stringify(printed), [S.jwt, S.card, S.email, S.password, S.email2]);
  });

  test('lambdaContext: true keeps the context keys in the masked line', async () => {
    const printed: Loose[] = [];
    const handler = middy(async () => ({ statusCode: 204 })).use(
      inputOutputLogger({
        lambdaContext: true,
        logger: createMaskingLogger({ ...options, print: (message) => printed.push(message as Loose) }),
      }),
    );
    await invoke(handler, restV1CognitoEvent({ body: JSON.stringify(requestBody()) }));
    expect(printed[0].context).toMatchObject({ functionName: 'orders-api' });
    expectNoSecrets(JSON.stringify(printed), [S.card, S.email, S.password]);
  });

  test('an error response (http-error-handler) is logged masked from onError', async () => {
    const printed: Loose[] = [];
    const handler = middy(async () => {
      throw Object.assign(new Error(`no account for ${S.email}`), { statusCode: 404, expose: true });
    })
      .use(
        inputOutputLogger({
          logger: createMaskingLogger({ ...options, print: (m) => printed.push(m as Loose) }),
        }),
      )
      .use(httpErrorHandler({ logger: false }));
    const result = await invoke(handler, restV1CognitoEvent({ body: '{}' }));
    expect(result).toMatchObject({ statusCode: 404, body: `no account for ${S.email}` });
    expect(printed.map((m) => Object.keys(m)[0])).toEqual(['event', 'response']);
    expect(printed[1]).toMatchObject({ response: { statusCode: 404, body: `no account for ${MASK}` } });
    expectNoSecrets(JSON.stringify(printed), [S.email]);
  });

  test('deep-frozen events and responses pass through untouched', async () => {
    const event = deepFreeze(
      restV1CognitoEvent({ headers: { Authorization: `Bearer ${S.jwt}` }, body: requestBody() }),
    );
    const response = deepFreeze(responseOf());
    const before = fingerprint([event, response]);
    const handler = middy(async () => response).use(
      inputOutputLogger({ logger: createMaskingLogger(options) }),
    );
    const result = await invoke(handler, event);
    expect(result).toBe(response);
    expect(fingerprint([event, response])).toBe(before);
    expect(out.entries()).toHaveLength(2);
    expectNoSecrets(out.text(), [S.jwt, S.card, S.email, S.password, S.email2]);
  });
});

describe('createMaskingLogger on its own', () => {
  test('never mutates the message: class instances, Maps, Sets, Errors, Dates, arrays and cycles', () => {
    class Customer {
      public readonly email = S.email;
      public readonly password = S.password;
    }
    const shared = { apiKey: S.apiKey };
    const message: Loose = {
      event: { body: JSON.stringify(requestBody()), headers: { Authorization: `Bearer ${S.jwt}` } },
      customer: new Customer(),
      byId: new Map<string, unknown>([['c-1', { password: S.password }]]),
      emails: new Set([S.email2]),
      error: new Error(`failed for ${S.email}`, { cause: shared }),
      at: new Date('2026-01-01T00:00:00.000Z'),
      list: [shared, shared],
    };
    message.self = message;
    const before = fingerprint(message);
    const printed: unknown[] = [];
    createMaskingLogger({ ...options, keys: [...options.keys, 'apiKey'], print: (m) => printed.push(m) })(
      message,
    );
    expect(fingerprint(message)).toBe(before);
    expect(printed[0]).toMatchObject({
      customer: { email: MASK, password: MASK },
      byId: { 'c-1': { password: MASK } },
      emails: [MASK],
      error: { message: `failed for ${MASK}`, cause: { apiKey: MASK } },
      at: '2026-01-01T00:00:00.000Z',
      list: [{ apiKey: MASK }, { apiKey: MASK }],
      self: '[Circular]',
    });
    expectNoSecrets(JSON.stringify(printed), [S.card, S.email, S.password, S.jwt, S.email2, S.apiKey]);
  });

  test('deep-frozen messages are masked without an attempt to write them', () => {
    const message = deepFreeze({ event: { body: requestBody(), list: [{ password: S.password }] } });
    const printed: unknown[] = [];
    expect(() => createMaskingLogger({ ...options, print: (m) => printed.push(m) })(message)).not.toThrow();
    expect(printed[0]).toEqual({
      event: {
        body: { orderId: 'ORD-2026-000123', card: MASK, customer: { email: MASK, password: MASK } },
        list: [{ password: MASK }],
      },
    });
  });

  test('messages that are not objects: strings are scanned by detectors, other values kept', () => {
    const printed: unknown[] = [];
    const log = createMaskingLogger({ detectors: ['email'], print: (m) => printed.push(m) });
    log(`mail ${S.email}`);
    log(42);
    log(null);
    log([`a ${S.email}`, { email: S.email }]);
    expect(printed).toEqual([`mail ${MASK}`, 42, null, [`a ${MASK}`, { email: MASK }]]);
  });

  test('nothing to mask: the message itself is printed (no copy), as the default logger would', () => {
    const printed: unknown[] = [];
    const message = { event: { id: 'evt-1', amount: 10 } };
    createMaskingLogger({ keys: ['password'], detectors: ['email'], print: (m) => printed.push(m) })(message);
    expect(printed[0]).toBe(message);
  });
});
