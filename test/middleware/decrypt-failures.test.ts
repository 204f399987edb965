/**
 * Failed decryption of the event: another tenant's ciphertext (403), plaintext where a ciphertext belongs
 * (400), and encryption-context functions (async, throwing). The handler never runs, and the plaintext
 * leaves nowhere: not in the response, the error, or any log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import middy, { type Request } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptValueError,
  DataMaskingError,
} from '../../src/errors.js';
import { type ContextOption, dataMasking } from '../../src/middleware.js';
import {
  CARD,
  EMAIL,
  HTTP_KINDS,
  httpEvent,
  invoke,
  invokeRejected,
  type Loose,
  lambdaContext,
  parsedBody,
  plainEvent,
  TENANT_A,
  TENANT_B,
  tenantContext,
  tenantOf,
} from './events.js';
import { expectAbsent, failureLog, loggingErrorHandler, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };
const B = { tenant_id: TENANT_B };
const IBAN = 'DE89 3704 0044 0532 0130 00';

let cardOfA: string;
let ibanOfB: string;
beforeAll(async () => {
  cardOfA = await fixture.ciphertext(CARD, A);
  ibanOfB = await fixture.ciphertext(IBAN, B);
});

interface StackOptions {
  errorHandler: boolean;
  logFailure?: (message: string) => void;
  context?: ContextOption;
  erase?: boolean;
}

function stack(lambda: jest.Mock, options: StackOptions) {
  const handler = middy(lambda)
    .use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.body.card', '$.body.iban'], context: options.context ?? tenantContext },
        ...(options.erase ? { erase: { fields: ['$.body.card', '$..email'] } } : {}),
        ...(options.logFailure === undefined ? {} : { logFailure: options.logFailure }),
      }),
    )
    .use(httpJsonBodyParser());
  return options.errorHandler ? handler.use(loggingErrorHandler()) : handler;
}

const okHandler = () =>
  jest.fn(async (event: Loose) => ({ statusCode: 200, body: JSON.stringify({ got: event.body }) }));

describe.each(HTTP_KINDS)("tenant A's ciphertext sent by tenant B (%s)", (kind) => {
  const event = () => httpEvent(kind, { tenant: TENANT_B, body: JSON.stringify({ card: cardOfA }) });

  test.each([false, true])(
    '403 through @middy/http-error-handler; nothing leaks (erase configured too: %s)',
    async (erase) => {
      const lambda = okHandler();
      const { logFailure, messages } = failureLog();
      const run = await withCapturedOutput(() =>
        invoke(stack(lambda, { errorHandler: true, logFailure, erase }), event()),
      );

      expect(run.threw).toBe(false);
      expect(lambda).not.toHaveBeenCalled();
      expect(run.result).toEqual({
        statusCode: 403,
        headers: { 'Content-Type': 'text/plain' },
        body: "Encryption context mismatch for key 'tenant_id'",
      });
      expect(messages).toEqual([
        "dataMasking: decrypting the event failed (DataMaskingContextMismatchError: Encryption context mismatch for key 'tenant_id')",
      ]);
      // http-error-handler logs the error itself (console.error), cause chain included.
      expect(run.output).toContain('DataMaskingContextMismatchError');
      expectAbsent(CARD, run.result, run.output, messages);
    },
  );

  test('without an error handler, the typed error is thrown; nothing leaks', async () => {
    const lambda = okHandler();
    const { logFailure, messages } = failureLog();
    const run = await withCapturedOutput(() =>
      invoke(stack(lambda, { errorHandler: false, logFailure }), event()),
    );

    expect(run.threw).toBe(true);
    expect(lambda).not.toHaveBeenCalled();
    const error = run.error as DataMaskingContextMismatchError;
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(error.name).toBe('DataMaskingContextMismatchError');
    expect(error.mismatchedKeys).toEqual(['tenant_id']);
    expect(error).toMatchObject({ statusCode: 403, expose: true });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ statusCode: 403, expose: true });
    expectAbsent(CARD, error, run.output, messages);
  });
});

test('a request with its own field and another tenant’s: rejected whole, its own plaintext does not leak either', async () => {
  const lambda = okHandler();
  const { logFailure, messages } = failureLog();
  const event = httpEvent('httpV2Jwt', {
    tenant: TENANT_B,
    body: JSON.stringify({ card: cardOfA, iban: ibanOfB }),
  });
  const run = await withCapturedOutput(() =>
    invoke(stack(lambda, { errorHandler: true, logFailure }), event),
  );
  expect(lambda).not.toHaveBeenCalled();
  expect(run.result).toMatchObject({ statusCode: 403 });
  expectAbsent([CARD, IBAN], run.result, run.output, messages);

  const thrown = await withCapturedOutput(() => invoke(stack(okHandler(), { errorHandler: false }), event));
  expect(thrown.error).toBeInstanceOf(DataMaskingContextMismatchError);
  expectAbsent([CARD, IBAN], thrown.error, thrown.output);
});

test('a plain event: the typed error is thrown, statusCode 403 on it; nothing leaks', async () => {
  const lambda = jest.fn(async () => 'done');
  const { logFailure, messages } = failureLog();
  const handler = middy(lambda).use(
    dataMasking({
      masker: fixture.masker(),
      decrypt: { fields: ['$.payload.card'], context: tenantContext },
      erase: { fields: ['$.card'] },
      logFailure,
    }),
  );
  const run = await withCapturedOutput(() => invoke(handler, plainEvent(TENANT_B, { card: cardOfA })));
  expect(lambda).not.toHaveBeenCalled();
  expect(run.error).toBeInstanceOf(DataMaskingContextMismatchError);
  expect(run.error).toMatchObject({ statusCode: 403, expose: true });
  expect(messages).toHaveLength(1);
  expectAbsent(CARD, run.error, run.output, messages);
});

test('a message without an encryption context is refused under the tenant context (403)', async () => {
  const noContext = await fixture.ciphertext(CARD, {});
  const lambda = okHandler();
  const response = await withCapturedOutput(() =>
    invoke(
      stack(lambda, { errorHandler: true }),
      httpEvent('restV1Cognito', { tenant: TENANT_A, body: JSON.stringify({ card: noContext }) }),
    ),
  );
  expect(lambda).not.toHaveBeenCalled();
  expect(response.result).toMatchObject({ statusCode: 403 });
  expectAbsent(CARD, response.result, response.output);
});

describe('plaintext where a ciphertext belongs', () => {
  const plaintexts: [string, unknown][] = [
    ['a card number', CARD],
    ['a base64-looking string', Buffer.from('4111111111111111').toString('base64')],
    ['a number', 4111111111111111],
    ['an object', { number: CARD }],
    ['an empty string', ''],
  ];

  describe.each(HTTP_KINDS)('%s', (kind) => {
    test.each(plaintexts)('%s → 400 through http-error-handler, handler not run', async (_, card) => {
      const lambda = okHandler();
      const { logFailure, messages } = failureLog();
      const run = await withCapturedOutput(() =>
        invoke(
          stack(lambda, { errorHandler: true, logFailure }),
          httpEvent(kind, { tenant: TENANT_A, body: JSON.stringify({ card }) }),
        ),
      );
      expect(lambda).not.toHaveBeenCalled();
      expect(run.result).toMatchObject({ statusCode: 400, headers: { 'Content-Type': 'text/plain' } });
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('DataMaskingDecryptValueError');
      expectAbsent(CARD, run.result, run.output, messages);
      if (typeof card === 'string' && card !== '') expectAbsent(card, run.result, messages);
    });
  });

  test.each(plaintexts)(
    '%s → the typed DataMaskingDecryptValueError without the error handler',
    async (_, card) => {
      const lambda = okHandler();
      const run = await withCapturedOutput(() =>
        invoke(
          stack(lambda, { errorHandler: false }),
          httpEvent('functionUrl', { tenant: TENANT_A, body: JSON.stringify({ card }) }),
        ),
      );
      expect(lambda).not.toHaveBeenCalled();
      expect(run.error).toBeInstanceOf(DataMaskingDecryptValueError);
      expect(run.error).toMatchObject({ statusCode: 400, expose: true });
      expectAbsent(CARD, run.error, run.output);
    },
  );

  test('on a plain event', async () => {
    const lambda = jest.fn();
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.payload.card'], context: tenantContext },
        logFailure: () => undefined,
      }),
    );
    const error = await invokeRejected(handler, plainEvent(TENANT_A, { card: CARD }));
    expect(lambda).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(DataMaskingDecryptValueError);
    expectAbsent(CARD, error);
  });
});

describe('encryption context functions', () => {
  test('async context functions for decrypt and encrypt, given the Middy request', async () => {
    const seen: Request[] = [];
    const asyncContext = async (request: Request) => {
      seen.push(request);
      await sleep(1);
      return { tenant_id: tenantOf(request.event) as string };
    };
    const lambda = jest.fn(async (event: Loose) => ({
      statusCode: 200,
      body: JSON.stringify({ card: (event.body as Loose).card }),
    }));
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: asyncContext },
          encrypt: { fields: ['$.body.card'], context: asyncContext },
        }),
      )
      .use(httpJsonBodyParser());
    const context = lambdaContext({ awsRequestId: 'req-async-1' });
    const response = await invoke(
      handler,
      httpEvent('httpV2LambdaAuthorizer', { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) }),
      context,
    );
    expect((lambda.mock.calls[0][0].body as Loose).card).toBe(CARD);
    const body = parsedBody(response);
    await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
    expect(seen).toHaveLength(2);
    expect(seen[0].context).toBe(context);
    expect(seen[1]).toBe(seen[0]);
  });

  test('a Promise-returning (non-async) context function works the same', async () => {
    const lambda = jest.fn(async (event: Loose) => ({ card: (event.payload as Loose).card }));
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: {
          fields: ['$.payload.card'],
          context: (request) => Promise.resolve({ tenant_id: tenantOf(request.event) as string }),
        },
      }),
    );
    await expect(invoke(handler, plainEvent(TENANT_A, { card: cardOfA }))).resolves.toEqual({ card: CARD });
  });

  const failures: [string, (error: Error) => ContextOption][] = [
    [
      'throws',
      (error) => () => {
        throw error;
      },
    ],
    ['rejects', (error) => async () => Promise.reject(error)],
  ];

  test.each(failures)(
    'a context function that %s fails the invocation with a 403 (no context for the caller)',
    async (_, make) => {
      const error = new Error(`tenant lookup failed for ${EMAIL}`);
      const lambda = okHandler();
      const { logFailure, messages } = failureLog();
      const handler = middy(lambda)
        .use(
          dataMasking({
            masker: fixture.masker(),
            decrypt: { fields: ['$.body.card'], context: make(error) },
            erase: { fields: ['$.body.email'] },
            logFailure,
          }),
        )
        .use(httpJsonBodyParser());
      const thrown = await invokeRejected(
        handler,
        httpEvent('restV1Cognito', { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) }),
      );
      // SPEC §4.7: a context that cannot be built for the caller is 403; the foreign error (which may
      // quote data) is neither the message nor the cause.
      expect(thrown).toBeInstanceOf(DataMaskingContextMismatchError);
      expect(thrown).toMatchObject({ statusCode: 403, expose: true });
      expect(lambda).not.toHaveBeenCalled();
      expect(fixture.kms.count('Decrypt')).toBe(0);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(
        'dataMasking: decrypting the event failed (DataMaskingContextMismatchError',
      );
      expectAbsent(EMAIL, messages, thrown);
    },
  );

  test.each(failures)('a context function that %s: 403 through http-error-handler', async (_, make) => {
    const lambda = okHandler();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: make(new Error('no tenant')) },
          logFailure: () => undefined,
        }),
      )
      .use(httpJsonBodyParser())
      .use(httpErrorHandler({ logger: false }));
    const response = await invoke(
      handler,
      httpEvent('alb', { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) }),
    );
    expect(lambda).not.toHaveBeenCalled();
    expect((response as { statusCode: number }).statusCode).toBe(403);
  });

  test('a context without a tenant (the function throws) on a plain event', async () => {
    const lambda = jest.fn();
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.payload.card'], context: tenantContext },
        logFailure: () => undefined,
      }),
    );
    await expect(invoke(handler, plainEvent(undefined, { card: cardOfA }))).rejects.toThrow(
      DataMaskingContextMismatchError,
    );
    expect(lambda).not.toHaveBeenCalled();
  });

  test('a context function returning a non-string value: 403 (no usable context for the caller), no KMS call', async () => {
    const lambda = okHandler();
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: () => ({ tenant_id: 42 }) as never },
          logFailure: () => undefined,
        }),
      )
      .use(httpJsonBodyParser());
    const error = await invokeRejected(
      handler,
      httpEvent('httpV2Jwt', { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) }),
    );
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(error).toMatchObject({ statusCode: 403, expose: true });
    expect(lambda).not.toHaveBeenCalled();
    expect(fixture.kms.count('Decrypt')).toBe(0);
  });

  test('a static context object binds every request to it', async () => {
    const lambda = jest.fn(async (event: Loose) => (event.payload as Loose).card);
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.payload.card'], context: A },
        logFailure: () => undefined,
      }),
    );
    await expect(invoke(handler, plainEvent(TENANT_B, { card: cardOfA }))).resolves.toBe(CARD);
    const other = await fixture.ciphertext(CARD, B);
    const error = await invokeRejected(handler, plainEvent(TENANT_B, { card: other }));
    expect(error).toBeInstanceOf(DataMaskingError);
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
  });
});
