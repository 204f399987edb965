/**
 * A customer API (API Gateway REST with a Cognito authorizer) whose response leaves with the email
 * erased and the IBAN encrypted under the caller's tenant, so only that tenant's back office can read it.
 * The Powertools Logger logs the invocation context.
 *
 * Order, and why:
 * 1. injectLambdaContext — adds the Lambda context to the log lines; placed before dataMasking so that
 *    `logEvent` would log the event as received, never decrypted fields;
 * 2. dataMasking — before every middleware that can return early or touch the body: its `after` runs
 *    after theirs and masks the final, serialized response (and any response another middleware returns
 *    early), and its `onError` sees what the error handler set;
 * 3. httpResponseSerializer — serializes the body object to a JSON string (dataMasking reaches into it);
 * 4. httpErrorHandler — last, so its `onError` runs first and sets the error response.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpResponseSerializer from '@middy/http-response-serializer';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DataMasking } from 'middy-data-masking';
import { dataMasking } from 'middy-data-masking/middleware';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';

export const logger = new Logger({ serviceName: 'customers' });

export const masker = new DataMasking({
  provider: new AWSEncryptionSDKProvider({ keys: [process.env.KMS_KEY_ARN ?? ''] }),
});

const tenantOf = (event: APIGatewayProxyEvent) => ({
  tenant_id: String(event.requestContext.authorizer?.claims?.['custom:tenant_id']),
});

const getCustomer = async (event: APIGatewayProxyEvent) => {
  logger.info('customer requested', { customerId: event.pathParameters?.id });
  return {
    statusCode: 200,
    // No content-type here: http-response-serializer only serializes responses that have none.
    body: {
      id: event.pathParameters?.id,
      name: 'Jane Doe',
      email: 'jane@example.com',
      bank: { iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
    },
  };
};

export const handler = middy(getCustomer)
  .use(injectLambdaContext(logger))
  .use(
    dataMasking({
      masker,
      erase: { fields: ['$.body.email'] },
      encrypt: {
        fields: ['$.body.bank.iban'],
        context: (request) => tenantOf(request.event as APIGatewayProxyEvent),
      },
    }),
  )
  .use(
    httpResponseSerializer({
      serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
      defaultContentType: 'application/json',
    }),
  )
  .use(httpErrorHandler());

/** A REST API (v1) event with Cognito claims. */
export function customerEvent(tenantId: string, id = '42') {
  return {
    httpMethod: 'GET',
    path: `/customers/${id}`,
    resource: '/customers/{id}',
    headers: { accept: 'application/json' },
    pathParameters: { id },
    requestContext: {
      requestId: 'req-2',
      stage: 'prod',
      authorizer: { claims: { sub: 'user-1', 'custom:tenant_id': tenantId } },
    },
    body: null,
    isBase64Encoded: false,
  };
}
