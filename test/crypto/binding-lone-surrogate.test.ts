/**
 * Regression (adversarial review): strings that are not well-formed UTF-16 (a lone surrogate, valid in JSON
 * text: "\ud800") would become U+FFFD in the UTF-8 header. Context keys and values with one are refused,
 * and a bound path writes them `\uXXXX`, so a field never collides with one named U+FFFD.
 */
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingContextMismatchError, DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(1);
const ACME = { tenant_id: 'acme' };
const masker = () => new DataMasking({ provider: provider(kms().keys) });
const bind = { path: true };
const fields = ['cards.*'];

test('a field keyed by a lone surrogate round-trips under bind: { path } (or is refused at encrypt)', async () => {
  const m = masker();
  const doc = JSON.parse('{"cards":{"\\ud800":"4111-1111"}}') as { cards: Record<string, string> };
  const sealed = await m.encrypt(doc, { fields, context: ACME, bind }).catch((e: unknown) => e);
  if (sealed instanceof DataMaskingUnsupportedTypeError) return; // refusing is a fix
  // Today: encrypt succeeds and decrypt is a 403 forever (the data is lost).
  await expect(m.decrypt(sealed, { fields, context: ACME, bind })).resolves.toEqual(doc);
});

test('its ciphertext moved to the field named U+FFFD is refused by the header check, before any KMS call', async () => {
  const m = masker();
  const doc = JSON.parse('{"cards":{"\\ud800":"4111-1111"}}') as { cards: Record<string, string> };
  const sealed = await m.encrypt(doc, { fields, context: ACME, bind }).catch((e: unknown) => e);
  if (sealed instanceof DataMaskingUnsupportedTypeError) return;
  const moved = { cards: { '\uFFFD': (sealed as typeof doc).cards['\ud800'] } };
  const fresh = masker(); // cold cache
  kms().reset();
  const outcome = await fresh.decrypt(moved, { fields, context: ACME, bind }).catch((e: unknown) => e);
  // Today the header check passes and KMS Decrypt is called (only the double's exact AAD refuses it).
  expect(kms().count('Decrypt')).toBe(0);
  expect(outcome).toBeInstanceOf(DataMaskingContextMismatchError);
});

test('a context value with a lone surrogate round-trips (or is refused at encrypt)', async () => {
  const m = masker();
  const context = { tenant_id: 'acme\ud800' };
  const sealed = await m.encrypt({ card: 'x' }, { fields: ['card'], context }).catch((e: unknown) => e);
  if (sealed instanceof DataMaskingUnsupportedTypeError) return;
  await expect(m.decrypt(sealed, { fields: ['card'], context })).resolves.toEqual({ card: 'x' });
});
