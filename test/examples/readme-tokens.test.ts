/** The README's tokens snippets, as written (type-checked under --strict, and run). */
import { DataMasking } from 'middy-data-masking';
import { createKmsMock } from 'middy-data-masking/testing';
import {
  createTokenKey,
  pseudonymizationHandler,
  reidentificationHandler,
  TokenKey,
} from 'middy-data-masking/tokens';
import { httpEvent } from '../middleware/events.js';

const kms = createKmsMock();
afterAll(() => kms.restore());

test('the README tokens snippet tokenizes, keeps types, and reverses', async () => {
  process.env.TOKEN_KEY = JSON.stringify(
    await createTokenKey({ kmsKeyId: kms.keys[0], context: { tenant_id: 'acme', purpose: 'analytics' } }),
  );

  // --- the snippet ------------------------------------------------------------------------------------
  // What `npx middy-data-masking create-token-key` printed, from an environment variable or a parameter.
  const key = new TokenKey(JSON.parse(process.env.TOKEN_KEY ?? ''));
  await key.ready(); // one KMS Decrypt at cold start; erase is synchronous

  const masker = new DataMasking();
  const row = { orderId: 'o-1', email: 'jane@example.com', amount: 42 };
  const out = masker.erase(row, { fields: ['email', 'amount'], tokenize: key });
  // { orderId: 'o-1', email: 'tok_1_Bv3…', amount: 'tok_1_kQ9…' }
  const back = await masker.detokenize(out, { key }); // { orderId: 'o-1', email: 'jane@example.com', amount: 42 }
  // --- end of the snippet -----------------------------------------------------------------------------

  expect(out).toEqual({
    orderId: 'o-1',
    email: expect.stringMatching(/^tok_1_/),
    amount: expect.stringMatching(/^tok_1_/),
  });
  expect(back).toEqual(row);
  expect(kms.count('Decrypt')).toBe(1);
});

test('the README service snippet answers both directions', async () => {
  // --- the snippet (its `export`s dropped) ------------------------------------------------------------
  const key = new TokenKey(JSON.parse(process.env.TOKEN_KEY ?? ''));
  const pseudonymize = pseudonymizationHandler({ key }); // maxValues 10000, maxValueLength 4096
  const reidentify = reidentificationHandler({ key }); // deploy as another function, another role
  // --- end of the snippet -----------------------------------------------------------------------------

  const post = (body: unknown) =>
    httpEvent('httpV2Jwt', { method: 'POST', body: JSON.stringify(body) }) as Parameters<
      typeof pseudonymize
    >[0];
  const p = await pseudonymize(post({ identifiers: ['jane@example.com', 42, null] }));
  expect(p.statusCode).toBe(200);
  const r = await reidentify(post({ pseudonyms: JSON.parse(p.body).pseudonyms }));
  expect(JSON.parse(r.body)).toEqual({ identifiers: ['jane@example.com', 42, null] });
});
