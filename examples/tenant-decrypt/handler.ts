/**
 * A payments API (API Gateway HTTP API with a JWT authorizer). Clients send their card number encrypted
 * under their own tenant; the handler only ever sees it decrypted when the caller's JWT names that
 * same tenant. Tenant B replaying tenant A's ciphertext gets a 403, and the handler never runs.
 *
 * Order: dataMasking first (it decrypts inside the raw JSON body string, before the parser), then the body
 * parser, then the error handler (which turns the typed error's statusCode into the response).
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { DataMasking } from 'middy-data-masking';
import { dataMasking } from 'middy-data-masking/middleware';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';

const masker = new DataMasking({
  provider: new AWSEncryptionSDKProvider({ keys: [process.env.KMS_KEY_ARN ?? ''] }),
});

/** The tenant the caller is entitled to: from the verified JWT, never from the body. */
const tenantOf = (event: APIGatewayProxyEventV2WithJWTAuthorizer) => ({
  tenant_id: String(event.requestContext.authorizer.jwt.claims.tenant_id),
});

interface Payment {
  amount: number;
  card: string;
}

const charge = async (event: { body: Payment }) => {
  const last4 = event.body.card.replace(/\D/g, '').slice(-4);
  return { statusCode: 201, body: JSON.stringify({ charged: event.body.amount, card: `**** ${last4}` }) };
};

export const handler = middy(charge)
  .use(
    dataMasking({
      masker,
      decrypt: {
        fields: ['$.body.card'],
        context: (request) => tenantOf(request.event as APIGatewayProxyEventV2WithJWTAuthorizer),
      },
    }),
  )
  .use(httpJsonBodyParser())
  .use(httpErrorHandler());

/** What a client does: encrypt the card under its tenant before sending it. */
export const encryptForTenant = (card: string, tenantId: string) =>
  masker.encrypt(card, { context: { tenant_id: tenantId } }) as Promise<string>;

/** An HTTP API v2 event as API Gateway sends it, for the caller `tenantId`. */
export function paymentEvent(tenantId: string, body: Record<string, unknown>) {
  return {
    version: '2.0',
    routeKey: 'POST /payments',
    rawPath: '/payments',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      http: { method: 'POST', path: '/payments' },
      authorizer: { jwt: { claims: { sub: 'user-1', tenant_id: tenantId }, scopes: [] } },
      requestId: 'req-1',
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
