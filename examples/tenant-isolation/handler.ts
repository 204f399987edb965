/**
 * An onboarding API of a multi-tenant SaaS, on a function with Lambda tenant isolation
 * (`TenancyConfig: PER_TENANT`): every invocation is made for one tenant, runs in execution environments
 * that serve that tenant only, and carries its id as `context.tenantId`. API Gateway sets it from the
 * caller's verified token (see TenantIsolatedApi in ../template.yaml), so the tenant is never read from
 * anything the client wrote.
 *
 * `context: 'tenant'` makes that id the encryption context, exactly `{ tenant_id }`: an invocation without
 * one is a 403 before the handler runs. `bind` ties each ciphertext to its field (the path joins the KMS
 * encryption context, so the key policy can grant decryption field by field) and to its customer (sealed
 * inside the ciphertext): a card copied from another customer's request is a 403, even within the tenant.
 *
 * Order: dataMasking first (it decrypts inside the raw JSON body string, before the parser, and encrypts
 * the response after everything else), then the body parser, then the error handler (which turns the
 * typed error's statusCode into the response).
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { DataMasking } from 'middy-data-masking';
import { dataMasking } from 'middy-data-masking/middleware';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';

const masker = new DataMasking({
  provider: new AWSEncryptionSDKProvider({ keys: [process.env.KMS_KEY_ARN ?? ''] }),
});

/** Field and customer binding: the same on the way in, on the way out, and for whoever decrypts later. */
export const bind = { path: true, record: '$.body.customerId' };

interface Onboarding {
  customerId: string;
  card: string;
  ssn: string;
}

/** The card network check the handler needs the card in clear for (a stub: any 13 to 19 digits). */
export const cardNetwork = {
  verify: async (card: string) => /^\d{13,19}$/.test(card.replace(/[\s-]/g, '')),
};

const onboard = async (event: { body: Onboarding }) => {
  const { customerId, card, ssn } = event.body;
  const verified = await cardNetwork.verify(card);
  // The card and SSN go back in clear here; dataMasking encrypts them before the response leaves.
  return { statusCode: 201, body: JSON.stringify({ customerId, card, ssn, verified }) };
};

export const handler = middy(onboard)
  .use(
    dataMasking({
      masker,
      decrypt: { fields: ['$.body.card'], context: 'tenant', bind },
      // The function's role may encrypt the SSN but not decrypt it: the key policy keeps that field for
      // ComplianceReaderRole.
      encrypt: { fields: ['$.body.card', '$.body.ssn'], context: 'tenant', bind },
    }),
  )
  .use(httpJsonBodyParser())
  .use(httpErrorHandler());

/**
 * What a tenant's client does: encrypt the card for one of its customers, bound as the handler reads it
 * (`$['body']['card']` of a request whose body names that customer).
 */
export async function encryptCard(card: string, tenantId: string, customerId: string): Promise<string> {
  const sealed = await masker.encrypt(
    { body: { customerId, card } },
    { fields: ['$.body.card'], context: { tenant_id: tenantId }, bind },
  );
  return sealed.body.card;
}

/** A REST API (v1) proxy event, as API Gateway sends it to the function. */
export function onboardingEvent(body: Record<string, unknown>) {
  return {
    httpMethod: 'POST',
    path: '/customers',
    resource: '/customers',
    headers: { 'content-type': 'application/json' },
    requestContext: { requestId: 'req-3', stage: 'v1' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
