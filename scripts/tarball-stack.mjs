// Run by check-tarball.mjs inside a fresh project that installed the packed package: the README's
// recommended Middy stack, end to end against the KMS double. Exits non-zero on the first broken promise.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import { DataMasking } from 'middy-data-masking';
import { MaskingLogFormatter } from 'middy-data-masking/logger';
import { dataMasking } from 'middy-data-masking/middleware';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
import { createKmsMock } from 'middy-data-masking/testing';
import { captureOutput, checker, context } from './tarball-support.mjs';

const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';
const kms = createKmsMock();
const masker = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: kms.keys }) });
const tenantOf = (request) => ({
  tenant_id: String(request.event.requestContext.authorizer.jwt.claims.tenant_id),
});
const logger = new Logger({
  serviceName: 'consumer',
  logFormatter: new MaskingLogFormatter({ detectors: ['email', 'creditCard'] }),
});

const handler = middy(async (event) => {
  if (event.body.fail) throw new Error(`no account for ${EMAIL}`);
  return { statusCode: 200, body: { card: event.body.card, email: EMAIL, account: 'DE89 3704' } };
})
  .use(injectLambdaContext(logger, { logEvent: true }))
  .use(
    dataMasking({
      masker,
      decrypt: { fields: ['$.body.card'], context: tenantOf },
      erase: { fields: ['$.body.email'], detectors: ['creditCard'] },
      encrypt: { fields: ['$.body.account'], context: tenantOf },
      logger,
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

const event = (tenant, body) => ({
  version: '2.0',
  routeKey: 'POST /pay',
  rawPath: '/pay',
  rawQueryString: '',
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  requestContext: {
    http: { method: 'POST', path: '/pay' },
    authorizer: { jwt: { claims: { tenant_id: tenant }, scopes: [] } },
  },
  body: JSON.stringify(body),
});
const printed = captureOutput();
const expect = checker('tarball stack');

const card = await masker.encrypt(CARD, { context: { tenant_id: 'acme' } });
const ok = await handler(event('acme', { card }), context);
const body = JSON.parse(ok.body);
expect(ok.statusCode === 200, `the owner's request answered ${ok.statusCode}`);
expect(body.card === '*****' && body.email === '*****', 'the response was not masked');
expect(
  (await masker.decrypt(body.account, { context: { tenant_id: 'acme' } })) === 'DE89 3704',
  'the account was not encrypted for the tenant',
);
const other = await handler(event('mallory', { card }), context);
expect(other.statusCode === 403, `another tenant's request answered ${other.statusCode}, not 403`);
const failed = await handler(event('acme', { card, fail: true }), context);
expect(failed.statusCode === 500, `a thrown error answered ${failed.statusCode}`);
expect(!printed.text.includes(EMAIL) && !printed.text.includes(CARD), 'PII reached stdout or stderr');
kms.restore();
console.log(
  'tarball stack: 200 masked and encrypted, 403 for another tenant, a thrown error logged without PII',
);
