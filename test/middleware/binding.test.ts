/**
 * SPEC §12 through the middleware, in real Middy stacks with the real Encryption SDK provider on the KMS
 * double: field binding (`bind: { path }`) and record binding (`bind: { record }`) over JSON-string
 * bodies, and `context: 'tenant'` (Lambda tenant isolation's `context.tenantId`, exactly `{ tenant_id }`).
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { Context } from 'aws-lambda';
import { PATH_CONTEXT_KEY } from '../../src/crypto/binding.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingInvalidSelectorError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { type CryptoFieldsOptions, dataMasking } from '../../src/middleware.js';
import type { KmsOperation } from '../../src/testing/index.js';
import {
  CARD,
  type HttpResult,
  invoke,
  invokeRejected,
  type Loose,
  lambdaContext,
  parsedBody,
  plainEvent,
  restV1CognitoEvent,
  SSN,
  TENANT_A,
  tenantContext,
} from './events.js';
import { expectAbsent, failureLog, loggingErrorHandler, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };
const ACME = { tenant_id: 'acme' };
const GLOBEX = { tenant_id: 'globex' };
const FIELDS = ['$.body.card', '$.body.ssn'];
const OPERATIONS: readonly KmsOperation[] = [
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'Encrypt',
  'Decrypt',
];

/** Every KMS call since the last reset. */
const kmsCalls = () => OPERATIONS.reduce((n, op) => n + fixture.kms.count(op), 0);

/** The encryption context of one ciphertext, as the Encryption SDK itself reads it from the message header. */
async function headerContext(ciphertext: unknown): Promise<Record<string, string>> {
  expect(typeof ciphertext).toBe('string');
  const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
  const keyring = new KmsKeyringNode({ generatorKeyId: fixture.kms.keys[0] });
  const { messageHeader } = await sdk.decrypt(keyring, Buffer.from(ciphertext as string, 'base64'));
  return { ...messageHeader.encryptionContext };
}

/**
 * Invokes with the console captured (@middy/http-error-handler logs the error of a 403) and returns the
 * response, after checking that nothing was thrown and that no plaintext reached the response or a log.
 */
async function quietly(handler: unknown, event: unknown, context?: Context): Promise<HttpResult> {
  const run = await withCapturedOutput(() => invoke(handler, event, context));
  expect(run.threw).toBe(false);
  expectAbsent([CARD, SSN], run.result, run.output);
  return run.result as HttpResult;
}

/** A handler that echoes the decrypted body's fields, and records what it saw. */
const echoHandler = () =>
  jest.fn(async (event: Loose) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event.body),
  }));

/** A client's request body, its fields encrypted as a producer with the same binding writes them. */
async function sealedBody(
  body: Loose,
  options: { context?: Record<string, string>; bind?: { path?: boolean; record?: string } },
): Promise<Loose> {
  const event = (await fixture.masker().encrypt(
    { body },
    {
      fields: FIELDS,
      context: options.context ?? A,
      ...(options.bind === undefined ? {} : { bind: options.bind }),
    },
  )) as { body: Loose };
  return event.body;
}

describe('bind: { path: true } over a JSON-string body', () => {
  const bind = { path: true };

  const stack = (lambda: jest.Mock, crypto: { bind?: { path?: boolean; record?: string } }) =>
    middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: FIELDS, context: tenantContext, ...crypto },
          logFailure: () => undefined,
        }),
      )
      .use(httpJsonBodyParser())
      .use(loggingErrorHandler());

  test("the bound path is the node path in the event as opened: $['body']['card']", async () => {
    const body = await sealedBody({ card: CARD, ssn: SSN }, { bind });
    expect(await headerContext(body.card)).toEqual({ ...A, [PATH_CONTEXT_KEY]: "$['body']['card']" });
    expect(await headerContext(body.ssn)).toEqual({ ...A, [PATH_CONTEXT_KEY]: "$['body']['ssn']" });
    const lambda = echoHandler();
    const response = await invoke(
      stack(lambda, { bind }),
      restV1CognitoEvent({ tenant: TENANT_A, body: JSON.stringify(body) }),
    );
    expect(lambda).toHaveBeenCalledTimes(1);
    expect(response.statusCode).toBe(200);
    expect(parsedBody(response)).toEqual({ card: CARD, ssn: SSN });
  });

  test('two bound ciphertexts swapped: 403, the handler never runs, no KMS call, nothing leaks', async () => {
    const body = await sealedBody({ card: CARD, ssn: SSN }, { bind });
    const swapped = JSON.stringify({ card: body.ssn, ssn: body.card });
    const lambda = echoHandler();
    const handler = stack(lambda, { bind }); // a fresh provider: its data-key cache is cold
    fixture.kms.reset();
    const run = await withCapturedOutput(() =>
      invoke(handler, restV1CognitoEvent({ tenant: TENANT_A, body: swapped })),
    );
    expect(run.threw).toBe(false);
    expect(run.result).toMatchObject({ statusCode: 403 });
    expect(lambda).not.toHaveBeenCalled();
    expect(kmsCalls()).toBe(0);
    expectAbsent([CARD, SSN], run.result, run.output);
  });

  test('without bind the same swap decrypts: the handler runs with swapped plaintexts (documented default)', async () => {
    const body = await sealedBody({ card: CARD, ssn: SSN }, {});
    const swapped = JSON.stringify({ card: body.ssn, ssn: body.card });
    const lambda = echoHandler();
    const response = await invoke(stack(lambda, {}), restV1CognitoEvent({ tenant: TENANT_A, body: swapped }));
    expect(lambda).toHaveBeenCalledTimes(1);
    expect(response.statusCode).toBe(200);
    expect(parsedBody(response)).toEqual({ card: SSN, ssn: CARD });
  });

  test('a ciphertext bound elsewhere, or unbound, is refused under bind (403)', async () => {
    const unbound = await sealedBody({ card: CARD, ssn: SSN }, {});
    // Bound at `$.card` (a document without `body`): another path than the middleware's `$['body']['card']`.
    const elsewhere = (await fixture
      .masker()
      .encrypt({ card: CARD }, { fields: ['card'], context: A, bind })) as { card: string };
    for (const card of [unbound.card, elsewhere.card]) {
      const lambda = echoHandler();
      const response = await quietly(
        stack(lambda, { bind }),
        restV1CognitoEvent({ tenant: TENANT_A, body: JSON.stringify({ card }) }),
      );
      expect(response.statusCode).toBe(403);
      expect(lambda).not.toHaveBeenCalled();
    }
  });

  test('response fields encrypted with bind decrypt back with DataMasking, the same bind and the same path', async () => {
    const lambda = jest.fn(async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ card: CARD, ssn: SSN, note: 'ok' }),
    }));
    const handler = middy(lambda).use(
      dataMasking({ masker: fixture.masker(), encrypt: { fields: FIELDS, context: A, bind } }),
    );
    const response = await invoke(handler, restV1CognitoEvent({ tenant: TENANT_A }));
    expectAbsent([CARD, SSN], response);
    const out = parsedBody(response);
    expect(out.note).toBe('ok');
    expect(await headerContext(out.card)).toEqual({ ...A, [PATH_CONTEXT_KEY]: "$['body']['card']" });
    expect(await headerContext(out.ssn)).toEqual({ ...A, [PATH_CONTEXT_KEY]: "$['body']['ssn']" });
    const reader = fixture.masker();
    const back = (await reader.decrypt(response, { fields: FIELDS, context: A, bind })) as HttpResult;
    expect(JSON.parse(back.body as string)).toEqual({ card: CARD, ssn: SSN, note: 'ok' });
    // Without bind, or moved to another field, the bound ciphertexts are refused.
    await expect(reader.decrypt(response, { fields: FIELDS, context: A })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
    const moved = { ...response, body: JSON.stringify({ ...out, card: out.ssn, ssn: out.card }) };
    await expect(reader.decrypt(moved, { fields: FIELDS, context: A, bind })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });

  test('a bare result (sent as the body) is bound under the same path', async () => {
    const handler = middy(async () => ({ card: CARD })).use(
      dataMasking({ masker: fixture.masker(), encrypt: { fields: ['$.body.card'], context: A, bind } }),
    );
    const response = await invoke<Loose>(handler, restV1CognitoEvent({ tenant: TENANT_A }));
    expectAbsent(CARD, response);
    expect(await headerContext(response.card)).toEqual({ ...A, [PATH_CONTEXT_KEY]: "$['body']['card']" });
  });
});

describe("bind: { path: true, record: '$.body.id' }", () => {
  const bind = { path: true, record: '$.body.id' };

  const stack = (lambda: jest.Mock) =>
    middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: FIELDS, context: tenantContext, bind },
          logFailure: () => undefined,
        }),
      )
      .use(httpJsonBodyParser())
      .use(loggingErrorHandler());

  test('its own record decrypts; a ciphertext from another record, or a rewritten id, is 403', async () => {
    const one = await sealedBody({ id: 'order-1', card: CARD, ssn: SSN }, { bind });
    const two = await sealedBody(
      { id: 'order-2', card: '5500 0000 0000 0004', ssn: '987-65-4321' },
      { bind },
    );
    const ok = echoHandler();
    const response = await invoke(
      stack(ok),
      restV1CognitoEvent({ tenant: TENANT_A, body: JSON.stringify(one) }),
    );
    expect(response.statusCode).toBe(200);
    expect(parsedBody(response)).toEqual({ id: 'order-1', card: CARD, ssn: SSN });

    for (const forged of [
      { ...two, card: one.card }, // order 1's card pasted into order 2
      { ...one, id: 'order-2' }, // order 1 relabelled
      { ...one, ssn: two.ssn },
    ]) {
      const lambda = echoHandler();
      const run = await withCapturedOutput(() =>
        invoke(stack(lambda), restV1CognitoEvent({ tenant: TENANT_A, body: JSON.stringify(forged) })),
      );
      expect(run.result).toMatchObject({ statusCode: 403 });
      expect(lambda).not.toHaveBeenCalled();
      expectAbsent([CARD, SSN, '987-65-4321'], run.result, run.output);
    }
  });

  test('a body without its id fails closed (403)', async () => {
    const one = await sealedBody({ id: 'order-1', card: CARD, ssn: SSN }, { bind });
    const lambda = echoHandler();
    const response = await quietly(
      stack(lambda),
      restV1CognitoEvent({ tenant: TENANT_A, body: JSON.stringify({ card: one.card }) }),
    );
    expect(response.statusCode).toBe(403);
    expect(lambda).not.toHaveBeenCalled();
  });

  test('response fields bound to the response record decrypt back only with the same id', async () => {
    const handler = middy(async () => ({
      statusCode: 200,
      body: JSON.stringify({ id: 'order-9', card: CARD, ssn: SSN }),
    })).use(dataMasking({ masker: fixture.masker(), encrypt: { fields: FIELDS, context: A, bind } }));
    const response = await invoke(handler, restV1CognitoEvent({ tenant: TENANT_A }));
    expectAbsent([CARD, SSN], response);
    const reader = fixture.masker();
    const back = (await reader.decrypt(response, { fields: FIELDS, context: A, bind })) as HttpResult;
    expect(JSON.parse(back.body as string)).toEqual({ id: 'order-9', card: CARD, ssn: SSN });
    const relabelled = {
      ...response,
      body: JSON.stringify({ ...parsedBody(response), id: 'order-10' }),
    };
    await expect(reader.decrypt(relabelled, { fields: FIELDS, context: A, bind })).rejects.toBeInstanceOf(
      DataMaskingContextMismatchError,
    );
  });
});

describe("context: 'tenant' (Lambda tenant isolation)", () => {
  const withTenant = (tenantId: unknown): Context => lambdaContext({ tenantId: tenantId as string });

  const tenantStack = (lambda: jest.Mock, errorHandler: boolean, logFailure?: (m: string) => void) => {
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: 'tenant' },
          encrypt: { fields: ['$.body.card', '$.body.ssn'], context: 'tenant' },
          logFailure: logFailure ?? (() => undefined),
        }),
      )
      .use(httpJsonBodyParser());
    return errorHandler ? handler.use(loggingErrorHandler()) : handler;
  };

  const cardHandler = () =>
    jest.fn(async (event: Loose) => ({
      statusCode: 200,
      body: JSON.stringify({ card: (event.body as Loose).card, ssn: SSN }),
    }));

  test('decrypts and encrypts under exactly { tenant_id: context.tenantId }', async () => {
    const card = await fixture.ciphertext(CARD, ACME);
    const lambda = cardHandler();
    const response = await invoke(
      tenantStack(lambda, true),
      restV1CognitoEvent({ body: JSON.stringify({ card }) }),
      withTenant('acme'),
    );
    expect(lambda).toHaveBeenCalledTimes(1);
    expect((lambda.mock.calls[0][0] as { body: Loose }).body.card).toBe(CARD);
    expect(response.statusCode).toBe(200);
    expectAbsent([CARD, SSN], response);
    const out = parsedBody(response);
    // Exactly { tenant_id }: nothing else in the header.
    expect(await headerContext(out.card)).toEqual(ACME);
    expect(await headerContext(out.ssn)).toEqual(ACME);
    const reader = fixture.masker();
    const back = (await reader.decrypt(response, {
      fields: ['$.body.card', '$.body.ssn'],
      context: ACME,
    })) as HttpResult;
    expect(JSON.parse(back.body as string)).toEqual({ card: CARD, ssn: SSN });
    await expect(
      reader.decrypt(response, { fields: ['$.body.card'], context: GLOBEX }),
    ).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
  });

  test("another tenant's ciphertext, or one with a richer context, is 403", async () => {
    for (const context of [GLOBEX, { ...ACME, purpose: 'billing' }]) {
      const card = await fixture.ciphertext(CARD, context);
      const lambda = cardHandler();
      const response = await quietly(
        tenantStack(lambda, true),
        restV1CognitoEvent({ body: JSON.stringify({ card }) }),
        withTenant('acme'),
      );
      expect(response.statusCode).toBe(403);
      expect(lambda).not.toHaveBeenCalled();
    }
  });

  const missing: [string, Context][] = [
    ['no tenantId', lambdaContext()],
    ['an empty tenantId', withTenant('')],
    ['a number', withTenant(42)],
    ['an object', withTenant({ toString: () => 'acme' })],
    ['null', withTenant(null)],
  ];

  describe.each(missing)('%s', (_, context) => {
    test('decrypt, API Gateway with http-error-handler: a 403 response; the handler never runs; no KMS call', async () => {
      const card = await fixture.ciphertext(CARD, ACME);
      const lambda = cardHandler();
      const { logFailure, messages } = failureLog();
      const handler = middy(lambda)
        .use(
          dataMasking({
            masker: fixture.masker(),
            decrypt: { fields: ['$.body.card'], context: 'tenant' },
            logFailure,
          }),
        )
        .use(httpJsonBodyParser())
        .use(loggingErrorHandler());
      fixture.kms.reset();
      const run = await withCapturedOutput(() =>
        invoke(handler, restV1CognitoEvent({ body: JSON.stringify({ card }) }), context),
      );
      expect(run.threw).toBe(false);
      expect(run.result).toMatchObject({ statusCode: 403 });
      expect(lambda).not.toHaveBeenCalled();
      expect(kmsCalls()).toBe(0);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/tenant/);
      expectAbsent(CARD, run.result, run.output, messages);
    });

    test('decrypt and encrypt, without an error handler: the typed error is thrown, statusCode 403, exposed', async () => {
      const card = await fixture.ciphertext(CARD, ACME);
      const lambda = cardHandler();
      const handler = tenantStack(lambda, false);
      fixture.kms.reset();
      const error = await invokeRejected(
        handler,
        restV1CognitoEvent({ body: JSON.stringify({ card }) }),
        context,
      );
      expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
      expect(error).toMatchObject({ statusCode: 403, expose: true });
      expect(lambda).not.toHaveBeenCalled();
      expect(kmsCalls()).toBe(0);
    });

    test('decrypt and encrypt, with http-error-handler: the handler never runs, nothing is encrypted, nothing leaks', async () => {
      const card = await fixture.ciphertext(CARD, ACME);
      const lambda = cardHandler();
      const handler = tenantStack(lambda, true);
      fixture.kms.reset();
      const run = await withCapturedOutput(() =>
        invoke(handler, restV1CognitoEvent({ body: JSON.stringify({ card }) }), context),
      );
      expect(run.threw).toBe(false);
      // The 403 error response has none of the fields to encrypt: it needs no tenant to leave as it is.
      expect((run.result as HttpResult).statusCode).toBe(403);
      expect(lambda).not.toHaveBeenCalled();
      expect(kmsCalls()).toBe(0);
      expectAbsent([CARD, SSN], run.result, run.output);
    });

    test('a plain (non-HTTP) event: the typed error is thrown with statusCode 403', async () => {
      const lambda = jest.fn(async () => ({ ok: true }));
      const handler = middy(lambda).use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.payload.card'], context: 'tenant' },
          encrypt: { fields: ['$.card'], context: 'tenant' },
          logFailure: () => undefined,
        }),
      );
      const error = await invokeRejected(handler, plainEvent(undefined, { card: 'x' }), context);
      expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
      expect(error).toMatchObject({ statusCode: 403 });
      expect(lambda).not.toHaveBeenCalled();
      expect(kmsCalls()).toBe(0);
    });
  });

  test('encrypt with no tenant, through http-error-handler: a 403 response (SPEC §12)', async () => {
    const lambda = jest.fn(async () => ({ statusCode: 200, body: JSON.stringify({ ssn: SSN }) }));
    const { logFailure, messages } = failureLog();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          encrypt: { fields: ['$.body.ssn'], context: 'tenant' },
          logFailure,
        }),
      )
      .use(loggingErrorHandler());
    const run = await withCapturedOutput(() => invoke(handler, restV1CognitoEvent(), lambdaContext()));
    expect(lambda).not.toHaveBeenCalled();
    expect(run.result).toMatchObject({ statusCode: 403 });
    expect(messages).toHaveLength(1);
  });

  test('with bind: the context is { tenant_id } plus the bound path, and nothing else', async () => {
    const handler = middy(async () => ({ statusCode: 200, body: JSON.stringify({ card: CARD }) })).use(
      dataMasking({
        masker: fixture.masker(),
        encrypt: { fields: ['$.body.card'], context: 'tenant', bind: { path: true } },
      }),
    );
    const response = await invoke(handler, restV1CognitoEvent(), withTenant('acme'));
    const out = parsedBody(response);
    expect(await headerContext(out.card)).toEqual({ ...ACME, [PATH_CONTEXT_KEY]: "$['body']['card']" });
  });
});

describe('configuration: bind is checked at cold start', () => {
  const masker = () => fixture.masker();
  const cases: [string, CryptoFieldsOptions, new (...args: never[]) => Error][] = [
    [
      'an unknown bind key',
      { fields: ['$.body.card'], bind: { path: true, recrod: '$.body.id' } as never },
      DataMaskingUnsupportedTypeError,
    ],
    [
      'bind that is not an object',
      { fields: ['$.body.card'], bind: true as never },
      DataMaskingUnsupportedTypeError,
    ],
    [
      'bind.path not a boolean',
      { fields: ['$.body.card'], bind: { path: 'yes' as never } },
      DataMaskingUnsupportedTypeError,
    ],
    [
      'bind.record not a string',
      { fields: ['$.body.card'], bind: { record: 7 as never } },
      DataMaskingUnsupportedTypeError,
    ],
    [
      'bind.record a bad expression',
      { fields: ['$.body.card'], bind: { record: '$.body[' } },
      DataMaskingInvalidSelectorError,
    ],
  ];

  test.each(cases)('decrypt: %s', (_, decrypt, type) => {
    expect(() => dataMasking({ masker: masker(), decrypt })).toThrow(type);
  });

  test.each(cases)('encrypt: %s', (_, encrypt, type) => {
    expect(() => dataMasking({ masker: masker(), encrypt })).toThrow(type);
  });

  test('the options are a snapshot: bind changed after configuration does not change the binding', async () => {
    const bind: { path: boolean } = { path: true };
    const handler = middy(async () => ({ statusCode: 200, body: JSON.stringify({ card: CARD }) })).use(
      dataMasking({ masker: masker(), encrypt: { fields: ['$.body.card'], context: A, bind } }),
    );
    bind.path = false;
    const response = await invoke(handler, restV1CognitoEvent());
    expect(await headerContext(parsedBody(response).card)).toEqual({
      ...A,
      [PATH_CONTEXT_KEY]: "$['body']['card']",
    });
  });
});
