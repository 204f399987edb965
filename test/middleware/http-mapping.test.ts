/**
 * The HTTP view of the typed errors (SPEC §4.7, §5): 403 for a context mismatch or no context for the
 * caller, 400 for a bad ciphertext, 503 with `Retry-After` for a throttled or unreachable KMS, 500 otherwise;
 * `statusCode`, `expose` (and the 503's `headers`) are real properties of the errors, declared in their
 * types, so `@middy/http-error-handler` answers from them. Through the README's stack (`dataMasking` +
 * `httpErrorHandler()`), nothing of the data or the backend reaches the client.
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
  DataMaskingEncryptKeyError,
  DataMaskingError,
  DataMaskingFieldNotFoundError,
  DataMaskingInvalidSelectorError,
  DataMaskingProviderUnavailableError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import {
  asHttpError,
  contextUnavailable,
  genericErrorResponse,
  SERVICE_UNAVAILABLE_MESSAGE,
  statusCodeOf,
} from '../../src/middleware/http.js';
import { dataMasking } from '../../src/middleware.js';
import {
  CARD,
  EMAIL,
  HTTP_KINDS,
  type HttpResult,
  httpEvent,
  invoke,
  invokeRejected,
  plainEvent,
  TENANT_A,
  TENANT_B,
  tenantContext,
} from './events.js';
import { expectAbsent, failureLog, loggingErrorHandler, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };

/** One instance of every class, with the status and exposure it must carry. */
const EVERY_ERROR: [DataMaskingError, number, boolean][] = [
  [new DataMaskingError('base'), 500, false],
  [new DataMaskingInvalidSelectorError('$.[', 2, 'expected a name'), 500, false],
  [new DataMaskingFieldNotFoundError('$.a'), 500, false],
  [new DataMaskingUnsupportedTypeError('a number in the context'), 500, false],
  [new DataMaskingEncryptionError('encryption failed'), 500, false],
  [new DataMaskingContextMismatchError(['tenant_id']), 403, true],
  [new DataMaskingDecryptValueError('not a message'), 400, true],
  [new DataMaskingDecryptKeyError('key disabled'), 500, false],
  [new DataMaskingEncryptKeyError('access denied'), 500, false],
  [new DataMaskingProviderUnavailableError('KMS is unavailable (Decrypt: ThrottlingException)'), 503, true],
];

describe('the errors carry their HTTP view', () => {
  test.each(EVERY_ERROR.map(([error, code, expose]) => ({ name: error.name, error, code, expose })))(
    '$name: statusCode $code, expose $expose, in the type and at run time',
    ({ error, code, expose }) => {
      // Typed: no cast needed to read them.
      const status: number = error.statusCode;
      const exposed: boolean = error.expose;
      expect(status).toBe(code);
      expect(exposed).toBe(expose);
      expect(statusCodeOf(error)).toBe(code);
      // Enumerable own properties: JSON and inspection show them, as http-error-handler's logger would.
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ statusCode: code, expose });
    },
  );

  test('the 503 carries Retry-After: 1 (seconds), and is retryable', () => {
    const error = new DataMaskingProviderUnavailableError('KMS is unavailable');
    expect(DataMaskingProviderUnavailableError.retryAfterSeconds).toBe(1);
    expect(error.headers).toEqual({ 'Retry-After': '1' });
    expect(error.retryable).toBe(true);
    // Each error has its own headers object: one cannot change another's.
    expect(new DataMaskingProviderUnavailableError('x').headers).not.toBe(error.headers);
  });

  test('anything else is 500', () => {
    for (const value of [new Error('x'), new TypeError('x'), 'text', undefined, null, { statusCode: 403 }]) {
      expect(statusCodeOf(value)).toBe(500);
    }
  });
});

describe('asHttpError', () => {
  test('403 and 400 are the same error, exposed with their message', () => {
    const mismatch = new DataMaskingContextMismatchError(['tenant_id']);
    const bad = new DataMaskingDecryptValueError('the value is not a valid AWS Encryption SDK message');
    expect(asHttpError(mismatch)).toBe(mismatch);
    expect(asHttpError(bad)).toBe(bad);
    expect(mismatch).toMatchObject({ statusCode: 403, expose: true });
    expect(bad).toMatchObject({ statusCode: 400, expose: true });
  });

  test('other typed errors: 500, not exposed (a generic body)', () => {
    for (const error of [
      new DataMaskingDecryptKeyError('no configured KMS key can decrypt the data key'),
      new DataMaskingUnsupportedTypeError('context values must be strings'),
      new DataMaskingEncryptionError('encryption failed'),
    ]) {
      expect(asHttpError(error)).toBe(error);
      expect(error).toMatchObject({ statusCode: 500, expose: false });
    }
  });

  test('an unavailable KMS: a generic 503 with Retry-After; the detail stays in the cause', () => {
    const original = new DataMaskingProviderUnavailableError(
      'KMS is unavailable (Decrypt: ThrottlingException); retry later',
      { cause: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }) },
    );
    const http = asHttpError(original) as DataMaskingProviderUnavailableError;
    expect(http).toBeInstanceOf(DataMaskingProviderUnavailableError);
    expect(http.message).toBe(SERVICE_UNAVAILABLE_MESSAGE);
    expect(http).toMatchObject({ statusCode: 503, expose: true, headers: { 'Retry-After': '1' } });
    expect(http.cause).toBe(original);
    // Already generic: not wrapped again.
    expect(asHttpError(http)).toBe(http);
  });

  test('anything that is not a DataMaskingError is left alone', () => {
    const error = new Error('no account for jane.doe@example.com');
    expect(asHttpError(error)).toBe(error);
    expect(error).not.toHaveProperty('statusCode');
    expect(asHttpError('text')).toBe('text');
  });
});

describe('contextUnavailable', () => {
  test('a 403 that says the context could not be built, with the kind of failure and nothing of it', () => {
    const cause = new TypeError(`no tenant claim for ${EMAIL}`);
    const error = contextUnavailable(cause);
    expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(error).toBeInstanceOf(DataMaskingEncryptionError);
    expect(error.message).toBe("The caller's encryption context could not be built (TypeError)");
    expect(error).toMatchObject({ statusCode: 403, expose: true, mismatchedKeys: [] });
    expect(error.cause).toBeUndefined();
    expectAbsent([EMAIL, 'no tenant claim'], error);
  });

  test('without a cause, or with odd thrown values: never more than an identifier', () => {
    expect(contextUnavailable().message).toBe("The caller's encryption context could not be built");
    expect(contextUnavailable('jane.doe@example.com').message).toBe(
      "The caller's encryption context could not be built (string)",
    );
    expect(contextUnavailable({ name: `bad ${EMAIL}` }).message).toBe(
      "The caller's encryption context could not be built (Error)",
    );
    expect(contextUnavailable(null).message).toBe(
      "The caller's encryption context could not be built (object)",
    );
    const throwing = {
      get name(): string {
        throw new Error('boom');
      },
    };
    expect(contextUnavailable(throwing).message).toBe(
      "The caller's encryption context could not be built (Error)",
    );
  });

  test('through http-error-handler: 403 with the message, nothing else', async () => {
    const handler = middy(async () => {
      throw contextUnavailable(new Error(`no tenant for ${EMAIL}`));
    }).use(httpErrorHandler({ logger: false }));
    const response = await invoke(handler, httpEvent('httpV2Jwt', {}));
    expect(response).toEqual({
      statusCode: 403,
      headers: { 'Content-Type': 'text/plain' },
      body: "The caller's encryption context could not be built (Error)",
    });
  });
});

test('genericErrorResponse: 500, or 503 with Retry-After for an unavailable KMS', () => {
  expect(genericErrorResponse()).toEqual({
    statusCode: 500,
    headers: { 'content-type': 'application/json' },
    body: '{"message":"Internal Server Error"}',
  });
  expect(genericErrorResponse(new DataMaskingDecryptKeyError('x'))).toEqual(genericErrorResponse());
  expect(genericErrorResponse(new DataMaskingProviderUnavailableError('x'))).toEqual({
    statusCode: 503,
    headers: { 'content-type': 'application/json', 'Retry-After': '1' },
    body: '{"message":"Service Unavailable"}',
  });
});

describe("the README's stack: dataMasking + http-json-body-parser + httpErrorHandler()", () => {
  let cardOfA: string;
  beforeAll(async () => {
    cardOfA = await fixture.ciphertext(CARD, A);
  });

  const stack = (logFailure: (message: string) => void) => {
    const lambda = jest.fn(async () => ({ statusCode: 200, body: 'ok' }));
    const handler = middy(lambda)
      .use(
        dataMasking({
          masker: fixture.masker(),
          decrypt: { fields: ['$.body.card'], context: tenantContext },
          logFailure,
        }),
      )
      .use(httpJsonBodyParser())
      // The default logger (console.error), looked up when it logs, so the capture sees it.
      .use(loggingErrorHandler());
    return { handler, lambda };
  };

  test.each(HTTP_KINDS)(
    '%s, KMS Decrypt throttled: 503 with Retry-After and a generic body; the detail only in the logs',
    async (kind) => {
      const { logFailure, messages } = failureLog();
      const { handler, lambda } = stack(logFailure);
      fixture.kms.throttle('Decrypt', Infinity);
      const run = await withCapturedOutput(() =>
        invoke(handler, httpEvent(kind, { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) })),
      );
      expect(run.threw).toBe(false);
      expect(lambda).not.toHaveBeenCalled();
      expect(fixture.kms.count('Decrypt')).toBeGreaterThan(0);
      expect(run.result).toEqual({
        statusCode: 503,
        headers: { 'Content-Type': 'text/plain', 'Retry-After': '1' },
        body: 'Service Unavailable',
      });
      // The operator still learns what failed: the middleware's line and http-error-handler's log.
      expect(messages).toEqual([expect.stringContaining('DataMaskingProviderUnavailableError')]);
      expect(messages[0]).toContain('ThrottlingException');
      expect(run.output).toContain('ThrottlingException');
      expectAbsent([CARD, cardOfA], run.result, run.output, messages);
    },
  );

  test('another tenant’s ciphertext: 403 naming the context key', async () => {
    const { handler, lambda } = stack(() => undefined);
    const run = await withCapturedOutput(() =>
      invoke(handler, httpEvent('alb', { tenant: TENANT_B, body: JSON.stringify({ card: cardOfA }) })),
    );
    expect(lambda).not.toHaveBeenCalled();
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(403);
    expect(response.headers).toEqual({ 'Content-Type': 'text/plain' });
    expect(response.body).toContain('tenant_id');
    expectAbsent([CARD, cardOfA, TENANT_A], run.result, run.output);
  });

  test.each([
    ['not base64', '%%%not-a-ciphertext%%%'],
    ['plaintext where a ciphertext belongs', CARD],
    ['a truncated message', () => cardOfA.slice(0, Math.floor(cardOfA.length / 2))],
  ])('a bad ciphertext (%s): 400', async (_, value) => {
    const { handler, lambda } = stack(() => undefined);
    const card = typeof value === 'function' ? value() : value;
    const run = await withCapturedOutput(() =>
      invoke(handler, httpEvent('restV1Cognito', { tenant: TENANT_A, body: JSON.stringify({ card }) })),
    );
    expect(lambda).not.toHaveBeenCalled();
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(400);
    expect(response.headers).toEqual({ 'Content-Type': 'text/plain' });
    expectAbsent(CARD, run.result, run.output);
  });

  test('the key disabled: a generic 500, nothing of the error in the body', async () => {
    const { handler } = stack(() => undefined);
    fixture.kms.disableKey(fixture.kms.keys[0]);
    const run = await withCapturedOutput(() =>
      invoke(
        handler,
        httpEvent('functionUrl', { tenant: TENANT_A, body: JSON.stringify({ card: cardOfA }) }),
      ),
    );
    expect(run.result).toEqual({ statusCode: 500, headers: {} });
  });

  test('a plain event, KMS throttled: the typed 503 error is thrown, its detail in the cause', async () => {
    const lambda = jest.fn();
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.payload.card'], context: tenantContext },
        logFailure: () => undefined,
      }),
    );
    fixture.kms.throttle('Decrypt', Infinity);
    const error = await invokeRejected(handler, plainEvent(TENANT_A, { card: cardOfA }));
    expect(lambda).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(DataMaskingProviderUnavailableError);
    expect(error).toMatchObject({
      statusCode: 503,
      expose: true,
      headers: { 'Retry-After': '1' },
      retryable: true,
    });
    expect((error as Error).cause).toBeInstanceOf(DataMaskingProviderUnavailableError);
    expect(((error as Error).cause as Error).message).toContain('ThrottlingException');
    expectAbsent([CARD, cardOfA], error);
  });
});

test('a handler that calls the masker itself: http-error-handler answers 503 from the error alone', async () => {
  const masker = fixture.masker();
  const ciphertext = await fixture.ciphertext(CARD, A);
  fixture.kms.throttle('Decrypt', Infinity);
  const handler = middy(async () => {
    await masker.decrypt(ciphertext, { context: A });
    return { statusCode: 200 };
  }).use(httpErrorHandler({ logger: false }));
  const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
  expect(response.statusCode).toBe(503);
  expect(response.headers).toMatchObject({ 'Retry-After': '1' });
  expectAbsent([CARD, ciphertext], response);
});
