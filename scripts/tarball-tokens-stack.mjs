// Run by check-tarball.mjs inside a fresh project that installed the packed package: the README's
// tokens section end to end against the KMS double — a key from the CLI's library call, a `tokenize`
// rule in erase and in the Middy middleware, detokenize with rotation, and the two pseudonymization
// service handlers over API Gateway and the Redshift UDF protocol. Exits non-zero on the first broken promise.
import middy from '@middy/core';
import { DataMasking, definePolicy } from 'middy-data-masking';
import { dataMasking } from 'middy-data-masking/middleware';
import { createKmsMock } from 'middy-data-masking/testing';
import {
  createTokenKey,
  pseudonymizationHandler,
  reidentificationHandler,
  TokenKey,
} from 'middy-data-masking/tokens';
import { captureOutput, checker, context } from './tarball-support.mjs';

const EMAIL = 'jane.doe@example.com';
const kms = createKmsMock();
const printed = captureOutput();
const expect = checker('tarball tokens stack');
const [arn] = kms.keys;

const v1 = await createTokenKey({ kmsKeyId: arn, context: { tenant_id: 'acme', purpose: 'analytics' } });
const v2 = await createTokenKey({
  kmsKeyId: arn,
  context: { tenant_id: 'acme', purpose: 'analytics' },
  version: '2',
});
expect(kms.count('GenerateDataKeyWithoutPlaintext') === 2, 'createTokenKey: one KMS call per key');
const key1 = new TokenKey(JSON.parse(JSON.stringify(v1)));
const key2 = new TokenKey(v2);
expect(!JSON.stringify(key1).includes(v1.wrapped), 'a TokenKey shows no wrapped key in JSON');

// 1. erase is synchronous: a key that is not ready is a typed error.
const masker = new DataMasking();
let notReady;
try {
  masker.erase({ email: EMAIL }, { fields: ['email'], tokenize: key1 });
} catch (error) {
  notReady = error;
}
expect(notReady?.name === 'DataMaskingTokenKeyNotReadyError', 'erase before ready() throws the typed error');

// 2. The middleware readies the policy's key itself; tokens are deterministic and reversible.
const policy = definePolicy({ fields: ['$.body.customer.email', '$.body.amount'], tokenize: key1 });
const handler = middy()
  .use(dataMasking({ erase: policy }))
  .handler(async () => ({
    statusCode: 200,
    body: JSON.stringify({ customer: { email: EMAIL }, amount: 42 }),
  }));
const event = {
  version: '2.0',
  routeKey: 'GET /order',
  rawPath: '/order',
  rawQueryString: '',
  headers: {},
  requestContext: { http: { method: 'GET', path: '/order' }, requestId: 'r-1' },
  isBase64Encoded: false,
};
const response = await handler(event, context);
const body = JSON.parse(response.body);
expect(
  /^tok_1_/.test(body.customer.email) && /^tok_1_/.test(body.amount),
  'the middleware tokenized the fields',
);
expect(!response.body.includes(EMAIL), 'no email in the response');
expect(kms.count('Decrypt') === 1, 'one Decrypt unwrapped the key');
const again = JSON.parse((await handler(event, context)).body);
expect(again.customer.email === body.customer.email, 'the same value gives the same token');

// 3. detokenize with rotation: tokens of versions 1 and 2 in one document.
await key2.ready();
const mixed = {
  a: body.customer.email,
  b: key2.tokenize(EMAIL),
  n: body.amount,
  note: `mail ${body.customer.email} now`,
};
const back = await masker.detokenize(mixed, { key: [key1, key2] });
expect(
  back.a === EMAIL && back.b === EMAIL && back.n === 42 && back.note === `mail ${EMAIL} now`,
  'detokenize',
);
const other = await new TokenKey(
  await createTokenKey({ kmsKeyId: arn, context: { tenant_id: 'globex', purpose: 'analytics' } }),
).ready();
let mismatch;
try {
  await masker.detokenize({ a: body.customer.email }, { key: other });
} catch (error) {
  mismatch = error;
}
expect(mismatch?.name === 'DataMaskingContextMismatchError', "another context's key is refused (403)");

// 4. The service handlers: HTTP API (base64 body) and the Redshift UDF protocol.
const pseudonymize = pseudonymizationHandler({ key: key1 });
const reidentify = reidentificationHandler({ key: [key1, key2] });
const post = (payload) => ({
  ...event,
  routeKey: 'POST /pseudonymize',
  requestContext: { http: { method: 'POST', path: '/pseudonymize' }, requestId: 'r-2' },
  body: Buffer.from(JSON.stringify(payload)).toString('base64'),
  isBase64Encoded: true,
});
const identifiers = [EMAIL, 'john@example.com', EMAIL, 7, null];
const pseudonymized = await pseudonymize(post({ identifiers }), context);
const { pseudonyms } = JSON.parse(pseudonymized.body);
expect(
  pseudonymized.statusCode === 200 && pseudonyms[0] === pseudonyms[2] && pseudonyms[4] === null,
  'pseudonymize',
);
const reidentified = await reidentify(post({ pseudonyms }), context);
expect(
  JSON.stringify(JSON.parse(reidentified.body).identifiers) === JSON.stringify(identifiers),
  'reidentify',
);
const tooMany = await pseudonymizationHandler({ key: key1, maxValues: 2 })(post({ identifiers }), context);
expect(tooMany.statusCode === 413 && !tooMany.body.includes(EMAIL), 'over the limit: 413, no value echoed');
const redshift = await pseudonymize(
  {
    request_id: 'q1',
    cluster: 'c',
    user: 'u',
    database: 'd',
    external_function: 'pseudonymize',
    query_id: 1,
    num_records: 2,
    arguments: [[EMAIL], [null]],
  },
  context,
);
expect(
  redshift.success === true && redshift.results[0] === pseudonyms[0] && redshift.results[1] === null,
  'Redshift UDF',
);
const refused = await reidentify(
  { request_id: 'q2', num_records: 1, arguments: [[`${pseudonyms[0].slice(0, -2)}AA`]] },
  context,
);
expect(
  refused.success === false && /row 0/.test(refused.error_msg),
  'Redshift: a tampered token fails naming the row',
);

expect(!printed.text.includes(EMAIL), 'nothing printed carries the email');
kms.restore();
console.log(
  'tarball tokens stack: key, tokenize rule, middleware, detokenize with rotation, both handlers (HTTP API and Redshift) OK',
);
