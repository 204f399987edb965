/**
 * Attacks on thrown errors (issue 9, item 9; SPEC §4.7): the README's recommended stack — injectLambdaContext
 * (logEvent on), dataMasking, http-json-body-parser, http-response-serializer, and a PLAIN
 * `httpErrorHandler()` whose default logger is `console.error` — with a handler that throws an error quoting
 * PII must print no PII on stdout or stderr, and the HTTP response must carry none.
 *
 * `@middy/http-error-handler` captures `console.error` when its module loads, so each stack here loads a
 * fresh copy of it (jest.isolateModules) after the console is captured: its default logger is then the
 * captured `console.error`, exactly as in Lambda, where it writes to stderr.
 *
 * Every test asserts the SAFE behaviour; a failing test here is a leak in src.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import { createError } from '@middy/util';
import type { EraseOptions } from '../../src/index.js';
import { MaskingLogFormatter } from '../../src/logger.js';
import { dataMasking } from '../../src/middleware.js';
import {
  CARD,
  EMAIL,
  HTTP_KINDS,
  type HttpResult,
  httpEvent,
  invoke,
  type Loose,
  SSN,
  TENANT_A,
  tenantContext,
} from './events.js';
import { expectAbsent, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };

type ErrorHandlerFactory = typeof import('@middy/http-error-handler').default;

/** A fresh `@middy/http-error-handler`, loaded now: its default logger is the current `console.error`. */
function freshHttpErrorHandler(): ErrorHandlerFactory {
  let factory: ErrorHandlerFactory | undefined;
  jest.isolateModules(() => {
    factory = (require('@middy/http-error-handler') as { default: ErrorHandlerFactory }).default;
  });
  if (factory === undefined) throw new Error('could not load @middy/http-error-handler');
  return factory;
}

/** The README's erase example, word for word. */
const README_ERASE: EraseOptions = { fields: ['$.body.email', '$..ssn'], detectors: ['creditCard'] };

interface StackOptions {
  erase?: EraseOptions;
  decrypt?: boolean;
}

/**
 * The README's recommended order, with a plain `httpErrorHandler()` and a masking Logger. Call inside
 * `withCapturedOutput`.
 */
function recommendedStack(lambda: (event: Loose) => unknown, options: StackOptions = {}) {
  const httpErrorHandler = freshHttpErrorHandler();
  // As the README advises for logEvent: the Logger masks the event it logs (a client may send PII).
  const logger = new Logger({
    serviceName: 'accounts',
    logLevel: 'DEBUG',
    logFormatter: new MaskingLogFormatter({ detectors: ['email', 'creditCard', 'usSsn'] }),
  });
  return middy(lambda)
    .use(injectLambdaContext(logger, { logEvent: true }))
    .use(
      dataMasking({
        ...(options.decrypt === true
          ? { masker: fixture.masker(), decrypt: { fields: ['$.body.card'], context: tenantContext } }
          : {}),
        erase: options.erase ?? { fields: ['$.body.email', '$..ssn'] },
      }),
    )
    .use(httpJsonBodyParser())
    .use(
      httpResponseSerializer({
        serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
        defaultContentType: 'application/json',
      }),
    )
    .use(httpErrorHandler());
}

/** A request that carries no PII itself (the handler looks the email up). */
const lookup = (kind: (typeof HTTP_KINDS)[number]) =>
  httpEvent(kind, { tenant: TENANT_A, body: JSON.stringify({ accountId: 'acc-7' }) });

async function attack(
  thrown: () => unknown,
  options: StackOptions = {},
  kind: (typeof HTTP_KINDS)[number] = 'httpV2Jwt',
) {
  const run = await withCapturedOutput(() =>
    invoke(
      recommendedStack(() => {
        throw thrown();
      }, options),
      lookup(kind),
    ),
  );
  return run;
}

test('control: the plain httpErrorHandler() really logs through the captured console.error', async () => {
  const run = await attack(() => new Error('no account for acc-7'));
  expect(run.threw).toBe(false);
  expect(run.output).toContain('no account for acc-7');
  expect((run.result as HttpResult).statusCode).toBe(500);
});

describe.each(HTTP_KINDS)('%s: the README stack, a handler throwing PII', (kind) => {
  test('new Error("no account for " + email): nothing on stdout/stderr, a generic 500', async () => {
    const run = await attack(() => new Error(`no account for ${EMAIL}`), {}, kind);
    expect(run.threw).toBe(false);
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(500);
    expect(run.output).toContain('no account for');
    expectAbsent(EMAIL, response, run.output);
  });

  test('an error whose cause is an Error quoting the email (and a cause object holding it)', async () => {
    const run = await attack(
      () =>
        new Error('lookup failed', {
          cause: new Error(`row not found: ${EMAIL}`, { cause: { query: { email: EMAIL, ssn: SSN } } }),
        }),
      {},
      kind,
    );
    expect(run.threw).toBe(false);
    expectAbsent([EMAIL, SSN], run.result, run.output);
  });

  test('an AggregateError whose message, errors and their causes quote PII', async () => {
    const run = await attack(
      () =>
        new AggregateError(
          [
            new Error(`no account for ${EMAIL}`),
            new TypeError(`card ${CARD} declined`, { cause: `ssn ${SSN}` }),
          ],
          `2 lookups failed for ${EMAIL}`,
        ),
      {},
      kind,
    );
    expect(run.threw).toBe(false);
    expectAbsent([EMAIL, CARD, SSN], run.result, run.output);
  });
});

describe('the README stack, other shapes of errors', () => {
  test('an exposed HttpError (404) quoting the email: the 404 is kept, the body and the logs carry no email', async () => {
    const run = await attack(() => createError(404, `no account for ${EMAIL}`));
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(404);
    expectAbsent(EMAIL, response, run.output);
  });

  test('an error with the PII in an own property (details.email), as ORMs and HTTP clients throw them', async () => {
    // console.error / util.inspect prints an error's own enumerable properties: { details: { email } }.
    const run = await attack(() =>
      Object.assign(new Error('lookup failed'), { details: { email: EMAIL, ssn: SSN } }),
    );
    expect(run.threw).toBe(false);
    expectAbsent([EMAIL, SSN], run.result, run.output);
  });

  test('an error class with the email as a constructor field', async () => {
    class AccountNotFound extends Error {
      public constructor(public readonly email: string) {
        super('account not found');
        this.name = 'AccountNotFound';
      }
    }
    const run = await attack(() => new AccountNotFound(EMAIL));
    expectAbsent(EMAIL, run.result, run.output);
  });

  test('a thrown string and a thrown plain object quoting the email', async () => {
    for (const thrown of [`no account for ${EMAIL}`, { message: 'no account', email: EMAIL }]) {
      const run = await attack(() => thrown);
      expect(run.threw).toBe(false);
      expect((run.result as HttpResult).statusCode).toBe(500);
      expectAbsent(EMAIL, run.result, run.output);
    }
  });

  test('a frozen error quoting the email', async () => {
    const run = await attack(() => Object.freeze(new Error(`no account for ${EMAIL}`)));
    expect(run.threw).toBe(false);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test('an error with a JSON message (an upstream API error body) holding the email and SSN', async () => {
    const run = await attack(
      () => new Error(JSON.stringify({ error: 'conflict', user: { email: EMAIL, ssn: SSN } })),
    );
    expectAbsent([EMAIL, SSN], run.result, run.output);
  });

  test("the README's own erase config (detectors: ['creditCard']) and item 9's example: no email on stderr", async () => {
    // Exactly the README stack and exactly the error of issue 9, item 9.
    const run = await attack(() => new Error(`no account for ${EMAIL}`), { erase: README_ERASE });
    expect(run.threw).toBe(false);
    expect((run.result as HttpResult).statusCode).toBe(500);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test("the README's erase config and an exposed 404 quoting the email: no email in the response body", async () => {
    const run = await attack(() => createError(404, `no account for ${EMAIL}`), { erase: README_ERASE });
    expect((run.result as HttpResult).statusCode).toBe(404);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test('a malformed JSON request body holding an email: the 422 logged by httpErrorHandler quotes none of it', async () => {
    // http-json-body-parser puts the raw body in the error's cause (cause.data).
    const event = httpEvent('restV1Cognito', {
      tenant: TENANT_A,
      body: `{"email":"${EMAIL}", ssn: "${SSN}"`,
    });
    const run = await withCapturedOutput(() =>
      invoke(
        recommendedStack(async () => ({ statusCode: 204 })),
        event,
      ),
    );
    expect(run.threw).toBe(false);
    expect((run.result as HttpResult).statusCode).toBe(422);
    expectAbsent([EMAIL, SSN], run.result, run.output);
  });
});

describe('the README stack with decrypt: a decrypted plaintext quoted in an error', () => {
  const ACCOUNT_NUMBER = 'acct-7731-XQ-secret';

  test('the handler throws with the plaintext it was given (not a detector pattern): nowhere on stderr', async () => {
    // "masks a thrown error … with its erase detectors and secrets": the decrypted value is a secret the
    // middleware knows, whatever its shape.
    const cipher = await fixture.ciphertext(ACCOUNT_NUMBER, A);
    const lambda = jest.fn((event: Loose) => {
      throw new Error(`payment declined for ${(event.body as Loose).card}`);
    });
    const run = await withCapturedOutput(() =>
      invoke(
        recommendedStack(lambda, { decrypt: true }),
        httpEvent('httpV2Jwt', { tenant: TENANT_A, body: JSON.stringify({ card: cipher }) }),
      ),
    );
    expect(lambda).toHaveBeenCalledTimes(1);
    expect((lambda.mock.calls[0][0].body as Loose).card).toBe(ACCOUNT_NUMBER);
    expect(run.threw).toBe(false);
    expectAbsent(ACCOUNT_NUMBER, run.result, run.output);
  });

  test('the handler throws with a decrypted card number: nowhere on stderr', async () => {
    const cipher = await fixture.ciphertext(CARD, A);
    const run = await withCapturedOutput(() =>
      invoke(
        recommendedStack(
          (event) => {
            throw new Error('payment declined', { cause: { card: (event.body as Loose).card } });
          },
          { decrypt: true },
        ),
        httpEvent('alb', { tenant: TENANT_A, body: JSON.stringify({ card: cipher }) }),
      ),
    );
    expect(run.threw).toBe(false);
    expectAbsent(CARD, run.result, run.output);
  });
});

test('a thrown value that cannot be read (a Proxy that throws on every access) is replaced, never passed on', async () => {
  const { maskThrownErrors } = await import('../../src/middleware/error-masking.js');
  const request: { error?: unknown } = { error: undefined };
  maskThrownErrors(undefined).guard(request);
  const hostile = new Proxy(new Error('x'), {
    get() {
      throw new Error('trap');
    },
    getOwnPropertyDescriptor() {
      throw new Error('trap');
    },
    ownKeys() {
      throw new Error('trap');
    },
  });
  request.error = hostile;
  expect(request.error).not.toBe(hostile);
  expect((request.error as Error).message).toBe('[withheld: a thrown value that could not be masked]');
});
