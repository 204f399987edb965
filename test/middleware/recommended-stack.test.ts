/**
 * The stack in the recommended order, end to end: the Powertools Logger's injectLambdaContext (logEvent
 * on) first, so it logs the event as received (ciphertexts still encrypted), then dataMasking (before every
 * middleware that can return early or touches the body), http-json-body-parser, http-response-serializer,
 * http-error-handler; a real Powertools Logger writing to stdout (captured) and a fake Lambda context.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import type { Context } from 'aws-lambda';
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
  lambdaContext,
  parsedBody,
  SSN,
  TENANT_A,
  TENANT_B,
  tenantContext,
} from './events.js';
import { expectAbsent, failureLog, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };
const B = { tenant_id: TENANT_B };

let cardOfA: string;
let cardOfB: string;
beforeAll(async () => {
  cardOfA = await fixture.ciphertext(CARD, A);
  cardOfB = await fixture.ciphertext('5500 0000 0000 0004', B);
});

function recommendedStack(logFailure: (message: string) => void = () => undefined) {
  const logger = new Logger({ serviceName: 'orders', logLevel: 'DEBUG' });
  const lambda = jest.fn(async (event: Loose, context: Context) => {
    const body = event.body as Loose;
    logger.info('order placed', { orderId: body.orderId });
    return {
      statusCode: 201,
      body: {
        orderId: body.orderId,
        requestId: context.awsRequestId,
        card: body.card,
        customer: { email: EMAIL, ssn: SSN },
      },
    };
  });
  const handler = middy(lambda)
    .use(injectLambdaContext(logger, { logEvent: true }))
    .use(
      dataMasking({
        masker: fixture.masker(),
        decrypt: { fields: ['$.body.card'], context: tenantContext },
        erase: {
          fields: ['$.body.customer.email'],
          maskingRules: { '$..ssn': { regexPattern: /\d{3}-\d{2}-(\d{4})/, maskFormat: '***-**-$1' } },
        },
        encrypt: { fields: ['$.body.card'], context: tenantContext },
        logFailure,
      }),
    )
    .use(httpJsonBodyParser())
    .use(
      httpResponseSerializer({
        serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
        defaultContentType: 'application/json',
      }),
    )
    // The default logger (console.error), looked up when it logs so that the test's capture sees it.
    .use(httpErrorHandler({ logger: (error) => console.error(error) }));
  return { handler, lambda };
}

/** The JSON log lines the Powertools Logger wrote. */
function logLines(output: string): Loose[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Loose);
}

describe.each(HTTP_KINDS)('%s', (kind) => {
  test('decrypt, erase and encrypt end to end; the logger has the Lambda context', async () => {
    const { handler, lambda } = recommendedStack();
    const context = lambdaContext({ awsRequestId: `req-${kind}` });
    const event = httpEvent(kind, {
      tenant: TENANT_A,
      body: JSON.stringify({ orderId: 'ord-42', card: cardOfA }),
    });

    const run = await withCapturedOutput(() => invoke(handler, event, context));

    expect(run.threw).toBe(false);
    expect(lambda).toHaveBeenCalledTimes(1);
    expect(lambda.mock.calls[0][0].body).toEqual({ orderId: 'ord-42', card: CARD });
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'Content-Type': 'application/json' });
    const body = parsedBody(response) as {
      card: string;
      customer: Loose;
      orderId: string;
      requestId: string;
    };
    expect(body).toEqual({
      orderId: 'ord-42',
      requestId: `req-${kind}`,
      card: expect.any(String),
      customer: { email: '*****', ssn: '***-**-6789' },
    });
    expectAbsent([CARD, EMAIL, SSN], response);
    await expect(fixture.plaintext(body.card, A)).resolves.toBe(CARD);
    await expect(fixture.plaintext(body.card, B)).rejects.toBeInstanceOf(DataMaskingContextMismatchError);

    const logs = logLines(run.output);
    const eventLog = logs.find((l) => l.message === 'Lambda invocation event');
    expect(eventLog).toMatchObject({
      level: 'INFO',
      service: 'orders',
      function_name: 'orders-api',
      function_request_id: `req-${kind}`,
    });
    expect(eventLog?.event).toMatchObject({ headers: expect.any(Object) });
    // The event is logged as it arrived: the card still encrypted, never its plaintext.
    expect(JSON.stringify(eventLog?.event)).toContain(cardOfA);
    expectAbsent(CARD, run.output);
    expect(logs.find((l) => l.message === 'order placed')).toMatchObject({
      level: 'INFO',
      orderId: 'ord-42',
      function_request_id: `req-${kind}`,
      cold_start: expect.any(Boolean),
    });
  });

  test("another tenant's ciphertext: 403 from http-error-handler, the handler not run, the card nowhere", async () => {
    const { logFailure, messages } = failureLog();
    const { handler, lambda } = recommendedStack(logFailure);
    const run = await withCapturedOutput(() =>
      invoke(
        handler,
        httpEvent(kind, { tenant: TENANT_B, body: JSON.stringify({ orderId: 'o', card: cardOfA }) }),
      ),
    );
    expect(lambda).not.toHaveBeenCalled();
    expect(run.result).toMatchObject({ statusCode: 403 });
    expect(messages).toHaveLength(1);
    // injectLambdaContext logged the event as received (the ciphertext), then dataMasking refused it.
    expect(logLines(run.output).find((l) => l.message === 'Lambda invocation event')).toBeDefined();
    expectAbsent(CARD, run.result, run.output, messages);
  });
});

test('KMS throttled while encrypting the response: 503 with Retry-After through the whole stack', async () => {
  const { logFailure, messages } = failureLog();
  const { handler } = recommendedStack(logFailure);
  const event = httpEvent('httpV2Jwt', {
    tenant: TENANT_A,
    body: JSON.stringify({ orderId: 'o', card: cardOfA }),
  });
  // Decrypting the event needs KMS Decrypt; encrypting the response needs GenerateDataKey.
  fixture.kms.throttle('GenerateDataKey', 100);
  const run = await withCapturedOutput(() => invoke(handler, event));
  // Withheld; a throttled KMS is 503 with Retry-After (SPEC §4.7), with a generic body.
  expect(run.result).toEqual({
    statusCode: 503,
    headers: { 'content-type': 'application/json', 'Retry-After': '1' },
    body: '{"message":"Service Unavailable"}',
  });
  expect(messages).toEqual([expect.stringContaining('DataMaskingProviderUnavailableError')]);
  expectAbsent([EMAIL, SSN], run.result, messages);
  expectAbsent(CARD, run.result, messages);
});

test('concurrent invocations of two tenants through one stack stay apart', async () => {
  const { handler, lambda } = recommendedStack();
  const run = await withCapturedOutput(() =>
    Promise.all([
      invoke(
        handler,
        httpEvent('httpV2Jwt', { tenant: TENANT_A, body: JSON.stringify({ orderId: 'a', card: cardOfA }) }),
        lambdaContext({ awsRequestId: 'req-a' }),
      ),
      invoke(
        handler,
        httpEvent('restV1Cognito', {
          tenant: TENANT_B,
          body: JSON.stringify({ orderId: 'b', card: cardOfB }),
        }),
        lambdaContext({ awsRequestId: 'req-b' }),
      ),
      invoke(
        handler,
        httpEvent('functionUrl', { tenant: TENANT_B, body: JSON.stringify({ orderId: 'c', card: cardOfA }) }),
        lambdaContext({ awsRequestId: 'req-c' }),
      ),
    ]),
  );
  const [a, b, c] = run.result as HttpResult[];
  expect(lambda).toHaveBeenCalledTimes(2);
  expect(c.statusCode).toBe(403);
  const cardA = (parsedBody(a) as { card: string }).card;
  const cardB = (parsedBody(b) as { card: string }).card;
  await expect(fixture.plaintext(cardA, A)).resolves.toBe(CARD);
  await expect(fixture.plaintext(cardB, B)).resolves.toBe('5500 0000 0000 0004');
  await expect(fixture.plaintext(cardB, A)).rejects.toBeInstanceOf(DataMaskingContextMismatchError);
  expectAbsent([CARD, '5500 0000 0000 0004'], a, b, c);
});
