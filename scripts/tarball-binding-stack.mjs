// Run by check-tarball.mjs inside a fresh project that installed the packed package: the README's binding
// and tenant sections end to end against the KMS double — a key per tenant (keys as a function of the
// context), fields bound to their path and record, and a Middy function under Lambda tenant isolation
// (context: 'tenant'). Exits non-zero on the first broken promise.
import middy from '@middy/core';
import { DataMasking } from 'middy-data-masking';
import { dataMasking } from 'middy-data-masking/middleware';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
import { createKmsMock } from 'middy-data-masking/testing';
import { captureOutput, checker, context } from './tarball-support.mjs';

const SSN = '123-45-6789';
const CARD = '4111 1111 1111 1111';
const ACME_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000001';
const GLOBEX_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/bbbbbbbb-0000-4000-8000-000000000002';
const kms = createKmsMock({ keys: [ACME_KEY, GLOBEX_KEY] });
const printed = captureOutput();
const expect = checker('tarball binding stack');
const rejection = (promise) =>
  promise.then(
    () => undefined,
    (error) => error,
  );

// 1. One KMS key per tenant.
const keysByTenant = { acme: ACME_KEY, globex: GLOBEX_KEY };
const masker = new DataMasking({
  provider: new AWSEncryptionSDKProvider({
    keys: (ctx) => (keysByTenant[ctx.tenant_id] === undefined ? [] : [keysByTenant[ctx.tenant_id]]),
  }),
});
const bind = { path: true, record: '$.customerId' };
const fields = ['ssn', 'card'];
const acme = { tenant_id: 'acme' };
const c1 = await masker.encrypt({ customerId: 'c-1', ssn: SSN, card: CARD }, { fields, context: acme, bind });
const c2 = await masker.encrypt(
  { customerId: 'c-2', ssn: '987-65-4321', card: CARD },
  { fields, context: acme, bind },
);
const back = await masker.decrypt(c1, { fields, context: acme, bind });
expect(back.ssn === SSN && back.card === CARD, 'a bound record round-trips');

// 2. Moved ciphertexts: another field, another record, a rewritten id.
for (const [what, forged] of [
  ['another field', { ...c1, card: c1.ssn }],
  ['another record', { ...c1, ssn: c2.ssn }],
  ['a rewritten id', { ...c1, customerId: 'c-2' }],
]) {
  const error = await rejection(masker.decrypt(forged, { fields, context: acme, bind }));
  expect(
    error?.name === 'DataMaskingContextMismatchError' && error.statusCode === 403,
    `${what} is refused (403)`,
  );
}

// 3. A tenant without a key: refused before any KMS call.
kms.reset();
const noKey = await rejection(
  masker.encrypt({ customerId: 'x', ssn: SSN }, { fields: ['ssn'], context: { tenant_id: 'initech' } }),
);
expect(
  noKey?.name === 'DataMaskingEncryptKeyError' && noKey.statusCode === 403,
  'a tenant without a key: 403',
);
expect(kms.count('GenerateDataKey') === 0, 'no KMS call for a tenant without a key');

// 4. Lambda tenant isolation in Middy: context.tenantId, bound fields, none → 403 and no handler.
let ran = 0;
const handler = middy()
  .use(
    dataMasking({
      masker,
      decrypt: { fields: ['$.body.ssn', '$.body.card'], context: 'tenant', bind: { path: true } },
    }),
  )
  .handler(async (event) => {
    ran++;
    return { statusCode: 200, body: JSON.stringify({ ok: JSON.parse(event.body).ssn === SSN }) };
  });
const pathBound = await masker.encrypt(
  { body: JSON.stringify({ ssn: SSN, card: CARD }) },
  { fields: ['$.body.ssn', '$.body.card'], context: acme, bind: { path: true } },
);
const event = (body) => ({
  version: '2.0',
  routeKey: 'POST /vault',
  rawPath: '/vault',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', path: '/vault' }, requestId: 'r-1' },
  body,
  isBase64Encoded: false,
});
const ok = await handler(event(pathBound.body), { ...context, tenantId: 'acme' });
expect(
  ok.statusCode === 200 && JSON.parse(ok.body).ok === true && ran === 1,
  'tenant acme decrypts its own fields',
);
const swappedBody = JSON.stringify({
  ssn: JSON.parse(pathBound.body).card,
  card: JSON.parse(pathBound.body).ssn,
});
const swapped = await handler(event(swappedBody), { ...context, tenantId: 'acme' }).catch((e) => e);
expect((swapped?.statusCode ?? 0) === 403 && ran === 1, 'swapped fields: 403, the handler does not run');
const globex = await handler(event(pathBound.body), { ...context, tenantId: 'globex' }).catch((e) => e);
expect((globex?.statusCode ?? 0) === 403 && ran === 1, "another tenant's fields: 403");
const none = await handler(event(pathBound.body), context).catch((e) => e);
expect((none?.statusCode ?? 0) === 403 && ran === 1, 'no tenant: 403, the handler does not run');

expect(
  !printed.text.includes(SSN) && !printed.text.includes('4111'),
  'nothing printed carries the SSN or the card',
);
kms.restore();
console.log(
  'tarball binding stack: a key per tenant, bound fields and records refused when moved, context: tenant in Middy OK',
);
