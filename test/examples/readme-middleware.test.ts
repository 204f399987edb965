/** The README's middleware snippet, as written (type-checked under --strict, and run). */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2WithJWTAuthorizer as Event } from 'aws-lambda';
import { DataMasking } from 'middy-data-masking';
import { dataMasking } from 'middy-data-masking/middleware';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
import { createKmsMock } from 'middy-data-masking/testing';
import { httpEvent, invoke } from '../middleware/events.js';

const kms = createKmsMock();
afterAll(() => kms.restore());
process.env.KMS_KEY_ARN = kms.keys[0];

const lambdaHandler = async (event: Event) => {
  const body = event.body as unknown as { card: string };
  return { statusCode: 200, body: { card: body.card, email: 'jane@example.com', account: 'DE89 3704' } };
};

// --- the snippet (its `export` dropped: a test file exports nothing) -----------------------------------------------------------------------------
const masker = new DataMasking({
  provider: new AWSEncryptionSDKProvider({ keys: [process.env.KMS_KEY_ARN!] }),
});
// The caller's tenant, from the verified JWT claims (never from the body).
const tenantOf = (event: Event) => ({
  tenant_id: String(event.requestContext.authorizer.jwt.claims.tenant_id),
});

const handler = middy(lambdaHandler)
  .use(
    dataMasking<Event>({
      masker,
      // before: decrypt event fields, only for the caller's tenant
      decrypt: { fields: ['$.body.card'], context: (request) => tenantOf(request.event) },
      // after: erase, then encrypt, the response
      erase: { fields: ['$.body.email', '$..ssn'], detectors: ['creditCard'] },
      encrypt: { fields: ['$.body.account'], context: (request) => tenantOf(request.event) },
    }),
  )
  .use(httpJsonBodyParser())
  .use(httpErrorHandler());
// --------------------------------------------------------------------------------------------------

test('the README middleware snippet decrypts for the caller, erases and encrypts the response', async () => {
  const card = (await masker.encrypt('4111 1111 1111 1111', { context: { tenant_id: 'acme' } })) as string;
  const event = httpEvent('httpV2Jwt', { tenant: 'acme', body: JSON.stringify({ card }) });
  const response = (await invoke(handler, event)) as { statusCode: number; body: Record<string, string> };
  expect(response.statusCode).toBe(200);
  // Decrypted for the handler, then masked in the response by the creditCard detector.
  expect(response.body.card).toBe('*****');
  expect(response.body.email).toBe('*****');
  expect(response.body.account).not.toBe('DE89 3704');
  await expect(masker.decrypt(response.body.account, { context: { tenant_id: 'acme' } })).resolves.toBe(
    'DE89 3704',
  );
});
