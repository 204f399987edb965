/**
 * Regression (adversarial review): record binding must not recognise its envelope by content alone. A
 * ciphertext made without record binding (none, or `path` only) whose value is an object shaped like the
 * envelope must not decrypt under `bind: { record }`: record-bound messages carry the constant context key
 * `middy-data-masking.record`, which such a ciphertext lacks.
 */
import { createHash } from 'node:crypto';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingContextMismatchError } from '../../src/errors.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(1);
const ACME = { tenant_id: 'acme' };
const masker = () => new DataMasking({ provider: provider(kms().keys) });
const digestOf = (id: unknown) => createHash('sha256').update(JSON.stringify(id)).digest('hex');

/** What an attacker submits as an object field the service encrypts for them (a profile, a note). */
const forged = (path: string, victimId: unknown) => ({
  'middy-data-masking': 'bound/1',
  path,
  record: digestOf(victimId),
  value: '4111-ATTACKER-CHOSEN',
});

test('an unbound ciphertext of an envelope-shaped object is refused under bind: { record }', async () => {
  const m = masker();
  // The service encrypts the attacker's own `profile` object, same tenant context, no binding.
  const mine = await m.encrypt(
    { id: 'attacker', profile: forged("$['card']", 'victim') },
    { fields: ['profile'], context: ACME },
  );
  // Pasted as the victim's record-bound card.
  const victim = { id: 'victim', card: mine.profile as unknown as string };
  const outcome = await m
    .decrypt(victim, { fields: ['card'], context: ACME, bind: { record: '$.id' } })
    .catch((e: unknown) => e);
  expect(outcome).toBeInstanceOf(DataMaskingContextMismatchError); // today: { id: 'victim', card: '4111-ATTACKER-CHOSEN' }
});

test('a path-only ciphertext of an envelope-shaped object is refused under bind: { path, record }', async () => {
  const m = masker();
  // e.g. during a migration from { path: true } to { path: true, record }: same field, same path.
  const mine = await m.encrypt(
    { id: 'attacker', card: forged("$['card']", 'victim') },
    { fields: ['card'], context: ACME, bind: { path: true } },
  );
  const victim = { id: 'victim', card: mine.card as unknown as string };
  const outcome = await m
    .decrypt(victim, { fields: ['card'], context: ACME, bind: { path: true, record: '$.id' } })
    .catch((e: unknown) => e);
  expect(outcome).toBeInstanceOf(DataMaskingContextMismatchError);
});
