/**
 * Fail closed: when the response cannot be masked (KMS throttled, the key disabled or access denied, a
 * masking rule that throws), it never leaves. HTTP events get a generic 500; other events get the typed
 * error. The failure is reported through `logFailure`, without data.
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import {
  DataMaskingEncryptionError,
  DataMaskingEncryptKeyError,
  DataMaskingProviderUnavailableError,
} from '../../src/errors.js';
import { dataMasking } from '../../src/middleware.js';
import type { KmsMock } from '../../src/testing/index.js';
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
import { expectAbsent, failureLog, loggingErrorHandler, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };

const GENERIC_500 = {
  statusCode: 500,
  headers: { 'content-type': 'application/json' },
  body: '{"message":"Internal Server Error"}',
};

/** What a withheld HTTP response becomes when KMS is throttled or unreachable (SPEC §4.7). */
const SERVICE_UNAVAILABLE = {
  statusCode: 503,
  headers: { 'content-type': 'application/json', 'Retry-After': '1' },
  body: '{"message":"Service Unavailable"}',
};

type Fault = [string, (kms: KmsMock) => void, new (...args: never[]) => Error, string];
const FAULTS: Fault[] = [
  [
    'KMS throttled',
    (kms) => kms.throttle('GenerateDataKey', 100),
    DataMaskingProviderUnavailableError,
    'DataMaskingProviderUnavailableError: KMS is unavailable',
  ],
  [
    'the key disabled',
    (kms) => kms.disableKey(kms.keys[0]),
    DataMaskingEncryptKeyError,
    'DataMaskingEncryptKeyError: KMS refused to generate or wrap a data key',
  ],
  [
    'GenerateDataKey denied',
    (kms) => kms.denyAccess(kms.keys[0], 'GenerateDataKey'),
    DataMaskingEncryptKeyError,
    'DataMaskingEncryptKeyError: KMS refused to generate or wrap a data key',
  ],
];

/** The handler: a response holding every secret. */
const leakyHandler = () =>
  jest.fn(async (_event: Loose) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card: CARD, email: EMAIL, ssn: SSN }),
  }));

describe.each(FAULTS)('%s while encrypting the response', (_, fault, ErrorClass, logged) => {
  test.each(HTTP_KINDS)(
    '%s: withheld (503 with Retry-After when KMS is throttled, else a generic 500); the secrets nowhere',
    async (kind) => {
      const lambda = leakyHandler();
      const { logFailure, messages } = failureLog();
      const handler = middy(lambda)
        .use(
          dataMasking({
            masker: fixture.masker(),
            erase: { fields: ['$.body.email', '$.body.ssn'] },
            encrypt: { fields: ['$.body.card'], context: tenantContext },
            logFailure,
          }),
        )
        .use(httpJsonBodyParser())
        .use(loggingErrorHandler());
      fault(fixture.kms);

      const run = await withCapturedOutput(() =>
        invoke(handler, httpEvent(kind, { tenant: TENANT_A, body: JSON.stringify({ id: 1 }) })),
      );

      expect(lambda).toHaveBeenCalledTimes(1);
      expect(run.threw).toBe(false);
      // SPEC §4.7: a throttled or unreachable KMS is 503 with Retry-After (the client may retry).
      expect(run.result).toEqual(
        ErrorClass === DataMaskingProviderUnavailableError ? SERVICE_UNAVAILABLE : GENERIC_500,
      );
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('dataMasking: masking the response failed; it was withheld');
      expect(messages[0]).toContain(logged);
      expectAbsent([CARD, EMAIL, SSN], run.result, run.output, messages);
    },
  );

  test('a plain event: the typed error is thrown; the secrets nowhere in it or the logs', async () => {
    const lambda = jest.fn(async () => ({ card: CARD, customer: { email: EMAIL, ssn: SSN } }));
    const { logFailure, messages } = failureLog();
    const handler = middy(lambda).use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.customer.email'] },
        encrypt: { fields: ['$.card', '$.customer.ssn'], context: tenantContext },
        logFailure,
      }),
    );
    fault(fixture.kms);

    const run = await withCapturedOutput(() => invoke(handler, plainEvent(TENANT_A, { id: 1 })));

    expect(run.threw).toBe(true);
    expect(run.error).toBeInstanceOf(ErrorClass);
    expect(run.error).toBeInstanceOf(DataMaskingEncryptionError);
    // A throttled KMS is 503 (retry later), exposed so http-error-handler keeps the status; else 500.
    expect(run.error).toMatchObject(
      ErrorClass === DataMaskingProviderUnavailableError
        ? { statusCode: 503, expose: true }
        : { statusCode: 500, expose: false },
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(logged);
    expectAbsent([CARD, EMAIL, SSN], run.error, run.output, messages);
  });
});

test('with http-response-serializer in the stack: the serialized response is withheld too', async () => {
  const handler = middy(async () => ({ statusCode: 200, body: { card: CARD, email: EMAIL } }))
    .use(
      dataMasking({
        masker: fixture.masker(),
        encrypt: { fields: ['$.body.card'], context: tenantContext },
        logFailure: () => undefined,
      }),
    )
    .use(
      httpResponseSerializer({
        serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
        defaultContentType: 'application/json',
      }),
    )
    .use(httpErrorHandler({ logger: false }));
  fixture.kms.disableKey(fixture.kms.keys[0]); // a fault that is not retryable: the generic 500
  const response = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
  expect(response).toEqual(GENERIC_500);
});

test('the default logFailure writes one JSON line on console.error, without data', async () => {
  const handler = middy(leakyHandler()).use(
    dataMasking({
      masker: fixture.masker(),
      encrypt: { fields: ['$.body.card', '$.body.email'], context: A },
    }),
  );
  fixture.kms.throttle('GenerateDataKey', 100);
  const run = await withCapturedOutput(() => invoke(handler, httpEvent('alb', { tenant: TENANT_A })));
  expect(run.result).toEqual(SERVICE_UNAVAILABLE);
  const lines = run.output.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toEqual({
    level: 'ERROR',
    message: expect.stringContaining('DataMaskingProviderUnavailableError'),
  });
  expectAbsent([CARD, EMAIL], run.output);
});

describe('a masking rule that throws', () => {
  const throwingRule = (value: unknown) => {
    throw new TypeError(`cannot mask ${String(value)}`);
  };

  test('HTTP: a generic 500; the log names the error type only (its message carries the value)', async () => {
    const { logFailure, messages } = failureLog();
    const handler = middy(leakyHandler()).use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.body.card'], maskingRules: { '$.body.email': throwingRule } },
        logFailure,
      }),
    );
    const run = await withCapturedOutput(() =>
      invoke(handler, httpEvent('restV1Cognito', { tenant: TENANT_A })),
    );
    expect(run.result).toEqual(GENERIC_500);
    expect(messages).toEqual(['dataMasking: masking the response failed; it was withheld (TypeError)']);
    expectAbsent([CARD, EMAIL], run.result, run.output, messages);
  });

  test("non-HTTP: the rule's own error is thrown, the response does not leave", async () => {
    const { logFailure, messages } = failureLog();
    const handler = middy(async () => ({ email: EMAIL, card: CARD })).use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.card'], maskingRules: { '$.email': throwingRule } },
        logFailure,
      }),
    );
    const run = await withCapturedOutput(() => invoke(handler, plainEvent(TENANT_A, {})));
    expect(run.error).toBeInstanceOf(TypeError);
    expect(run.result).toBeUndefined();
    expect(messages).toEqual(['dataMasking: masking the response failed; it was withheld (TypeError)']);
    expectAbsent(CARD, run.error, messages);
  });
});

test('KMS failing on the response of an error handler: withheld, 503 (HTTP), typed error (non-HTTP)', async () => {
  const failing = jest.fn(async () => {
    throw new Error('database down');
  });
  const echoOnError = {
    onError: (request: { response: unknown }) => {
      request.response = { statusCode: 503, body: JSON.stringify({ retry: true, card: CARD }), card: CARD };
    },
  };
  const build = () =>
    middy(failing)
      .use(
        dataMasking({
          masker: fixture.masker(),
          encrypt: { fields: ['$.body.card', '$.card'], context: tenantContext },
          logFailure: () => undefined,
        }),
      )
      .use(echoOnError);
  fixture.kms.throttle('GenerateDataKey', 100);

  const http = await invoke(build(), httpEvent('functionUrl', { tenant: TENANT_A }));
  expect(http).toEqual(SERVICE_UNAVAILABLE);

  const run = await withCapturedOutput(() => invoke(build(), plainEvent(TENANT_A, {})));
  expect(run.error).toBeInstanceOf(DataMaskingProviderUnavailableError);
  expectAbsent(CARD, run.error, run.output);
});

test('no sticky state: once KMS answers again, the next invocation is masked normally', async () => {
  const { logFailure, messages } = failureLog();
  const handler = middy(leakyHandler()).use(
    dataMasking({
      masker: fixture.masker(),
      erase: { fields: ['$.body.email'] },
      encrypt: { fields: ['$.body.card'], context: tenantContext },
      logFailure,
    }),
  );
  fixture.kms.throttle('GenerateDataKey', 1);
  const first = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
  expect(first).toEqual(SERVICE_UNAVAILABLE);
  const second = await invoke(handler, httpEvent('httpV2Jwt', { tenant: TENANT_A }));
  expect(second.statusCode).toBe(200);
  const body = parsedBody(second);
  expect(body.email).toBe('*****');
  await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
  expect(messages).toHaveLength(1);
});

// Regression: after masking the response failed on a non-HTTP event, an error handler used after dataMasking
// (so its onError runs before ours, with `request.response` reset to undefined by Middy) sets a NEW
// response. Middleware versions that only remembered "this request was masked" skipped that response in
// onError, and it left without erase or encrypt (fail open). It must be masked like any response an error
// handler sets (SPEC §5); here encrypting it fails again, so the typed error is thrown. Neither secret leaves.
test('after a failed masking (non-HTTP), a response set by an error handler is masked too', async () => {
  const handler = middy(async () => ({ card: CARD, email: EMAIL }))
    .use(
      dataMasking({
        masker: fixture.masker(),
        erase: { fields: ['$.email'] },
        encrypt: { fields: ['$.card'], context: tenantContext },
        logFailure: () => undefined,
      }),
    )
    .use({
      // A catch-all error handler of a queue consumer: report the failed record.
      onError: (request) => {
        request.response = { status: 'FAILED', email: EMAIL, card: CARD };
      },
    });
  fixture.kms.throttle('GenerateDataKey', 100);
  const run = await withCapturedOutput(() => invoke(handler, plainEvent(TENANT_A, {})));
  expect(run.error).toBeInstanceOf(DataMaskingProviderUnavailableError);
  expect(run.result).toBeUndefined();
  expectAbsent([EMAIL, CARD], run.result, run.error, run.output);
});

test('after a failed masking (non-HTTP), an error handler response that can be masked is masked', async () => {
  const handler = middy(async () => ({ internal: 'x', email: EMAIL }))
    .use(
      dataMasking({
        masker: fixture.masker(),
        erase: {
          fields: ['$.email'],
          maskingRules: {
            '$.internal': () => {
              throw new Error('rule failed');
            },
          },
        },
        logFailure: () => undefined,
      }),
    )
    .use({
      onError: (request) => {
        request.response = { status: 'FAILED', email: EMAIL };
      },
    });
  const response = await invoke<Loose>(handler, plainEvent(TENANT_A, {}));
  expect(response).toEqual({ status: 'FAILED', email: '*****' });
});
