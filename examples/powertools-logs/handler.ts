/**
 * Every log line of a function masked, next to the response masking: one policy of what is sensitive,
 * used by the Logger's formatter (every line the function writes, including the event `logEvent` logs)
 * and by the middleware (the response and thrown errors).
 *
 * The masking lives on the Logger, not in the middleware, because the Logger also writes the handler's
 * own lines: only its formatter sees all of them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DataMasking, definePolicy } from 'middy-data-masking';
import { MaskingLogFormatter } from 'middy-data-masking/logger';
import { dataMasking } from 'middy-data-masking/middleware';

/** What is sensitive in this service: declared once, compiled once. */
const policy = definePolicy({
  keys: ['password', 'authorization', 'ssn', /card/i],
  fields: ['$.body.ssn'],
  detectors: ['email', 'creditCard', 'jwt', 'bearerToken'],
});

export const logger = new Logger({
  serviceName: 'signup',
  logFormatter: new MaskingLogFormatter(policy),
});

const signUp = async (event: APIGatewayProxyEvent) => {
  const user = JSON.parse(event.body ?? '{}') as Record<string, unknown>;
  logger.info('signing up', { user });
  try {
    throw new Error(`mail server refused ${String(user.email)}`, {
      cause: new Error('550 mailbox unavailable'),
    });
  } catch (error) {
    logger.warn('welcome mail not sent', error as Error);
  }
  return {
    statusCode: 201,
    body: JSON.stringify({ id: 'u-1', email: user.email, ssn: user.ssn, plan: user.plan }),
  };
};

export const handler = middy(signUp)
  .use(injectLambdaContext(logger, { logEvent: true }))
  .use(
    dataMasking({
      masker: new DataMasking(),
      erase: policy,
      // Declared next to response masking; dataMasking() refuses a Logger that does not mask.
      logger,
    }),
  );

/** A REST API event with secrets in the headers and the body. */
export function signUpEvent() {
  return {
    httpMethod: 'POST',
    path: '/signup',
    headers: {
      authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      'content-type': 'application/json',
    },
    requestContext: { requestId: 'req-3', stage: 'prod' },
    body: JSON.stringify({
      email: 'jane@example.com',
      password: 'hunter2',
      ssn: '123-45-6789',
      card: '4111 1111 1111 1111',
      plan: 'pro',
    }),
    isBase64Encoded: false,
  };
}
