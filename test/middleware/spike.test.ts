import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { DataMasking } from '../../src/data-masking.js';
import { dataMasking } from '../../src/middleware.js';
import { AWSEncryptionSDKProvider } from '../../src/providers/kms.js';
import { createKmsMock } from '../../src/testing/index.js';

const kms = createKmsMock();
afterAll(() => kms.restore());

test('decrypt a body field as the caller tenant, erase the response body string', async () => {
  const masker = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: kms.keys }) });
  const card = await masker.encrypt('4111 1111 1111 1111', { context: { tenant_id: 'A' } });
  let seen: unknown;
  const handler = middy(async (event: { body: { card: string; email: string } }) => {
    seen = event.body.card;
    return { statusCode: 200, body: JSON.stringify({ email: event.body.email, ok: true }) };
  })
    .use(
      dataMasking({
        masker,
        decrypt: {
          fields: ['$.body.card'],
          context: (request) => ({
            tenant_id: (request.event as { headers: Record<string, string> }).headers['x-tenant'],
          }),
        },
        erase: { fields: ['$.body.email'] },
      }),
    )
    .use(httpJsonBodyParser())
    .use(httpErrorHandler());
  const event = (tenant: string) => ({
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': tenant },
    body: JSON.stringify({ card, email: 'jane@example.com' }),
  });
  const ok = await handler(event('A') as never, {} as never);
  expect(seen).toBe('4111 1111 1111 1111');
  expect(ok).toEqual({ statusCode: 200, body: JSON.stringify({ email: '*****', ok: true }) });
  seen = undefined;
  const denied = (await handler(event('B') as never, {} as never)) as { statusCode: number; body: string };
  expect(seen).toBeUndefined();
  expect(denied.statusCode).toBe(403);
  expect(denied.body).not.toContain('4111');
});
