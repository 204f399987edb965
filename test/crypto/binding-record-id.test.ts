/** Regression (adversarial review): record ids that bind nothing, or that could never be checked again, are refused. */
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingContextMismatchError, DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(1);
const ACME = { tenant_id: 'acme' };
const masker = () => new DataMasking({ provider: provider(kms().keys) });
const bind = { path: true, record: '$.id' };

test('ids NaN, Infinity and null do not share one binding (JSON.stringify writes them all "null")', async () => {
  const m = masker();
  const a = await m
    .encrypt({ id: Number.NaN, card: 'secret-of-record-NaN' }, { fields: ['card'], context: ACME, bind })
    .catch((e: unknown) => e);
  if (a instanceof DataMaskingUnsupportedTypeError) return; // refusing a non-finite id is a fix too
  const moved = { id: null, card: (a as { card: string }).card };
  const outcome = await m.decrypt(moved, { fields: ['card'], context: ACME, bind }).catch((e: unknown) => e);
  expect(outcome).toBeInstanceOf(DataMaskingContextMismatchError); // today: { id: null, card: 'secret-of-record-NaN' }
});

test('an id that contains an encrypted field is refused at encrypt (decrypt could never check it)', async () => {
  const m = masker();
  const b = { record: '$.customer', path: true };
  // The id is the object around the field: hashed with the plaintext at encrypt, the ciphertext at decrypt.
  const doc = { customer: { region: 'eu', ssn: '123-45-6789' } };
  const sealed = await m
    .encrypt(doc, { fields: ['customer.ssn'], context: ACME, bind: b })
    .catch((e: unknown) => e);
  if (sealed instanceof DataMaskingUnsupportedTypeError) return; // the fix
  // Otherwise it must at least round-trip; today it is a 403 forever (data loss).
  await expect(m.decrypt(sealed, { fields: ['customer.ssn'], context: ACME, bind: b })).resolves.toEqual(doc);
});
