/**
 * Regression (adversarial review): an own `__proto__` context key (what JSON.parse makes of a stored
 * descriptor) is kept as a context key, never dropped by the object's setter: two keys whose contexts differ
 * only there give unrelated tokens.
 */
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { createKmsMock, type KmsMock } from '../../src/testing/kms-mock.js';
import { createTokenKey } from '../../src/tokens/create-token-key.js';
import { TokenKey } from '../../src/tokens/token-key.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
let kms: KmsMock;
beforeAll(() => {
  kms = createKmsMock({ keys: [ARN] });
});
afterAll(() => kms.restore());

test('createTokenKey keeps (or refuses) a __proto__ context key, never drops it silently', async () => {
  const context = JSON.parse('{"__proto__":"acme","purpose":"analytics"}') as Record<string, string>;
  const d = await createTokenKey({ kmsKeyId: ARN, context }).catch((e: unknown) => e);
  if (d instanceof DataMaskingUnsupportedTypeError) return; // refusing is a fix
  expect(Object.keys((d as { context: object }).context).sort()).toEqual(['__proto__', 'purpose']); // today: ['purpose']
});

test('two TokenKeys whose contexts differ only in __proto__ do not give the same tokens', async () => {
  const acme = JSON.parse('{"__proto__":"acme","purpose":"analytics"}') as Record<string, string>;
  const globex = JSON.parse('{"__proto__":"globex","purpose":"analytics"}') as Record<string, string>;
  const d = await createTokenKey({ kmsKeyId: ARN, context: { purpose: 'analytics' } });
  let a: TokenKey;
  let b: TokenKey;
  try {
    a = await new TokenKey({ ...d, context: acme }).ready();
    b = await new TokenKey({ ...d, context: globex }).ready();
  } catch {
    return; // refused (construction or unwrap under a context KMS does not know): fine
  }
  expect(a.tokenize('jane@example.com')).not.toBe(b.tokenize('jane@example.com')); // today: equal
  expect(() => b.detokenize(a.tokenize('jane@example.com'))).toThrow();
});
