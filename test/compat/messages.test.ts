/**
 * Issue 10 / SPEC §4.5: Powertools' error texts come first where Powertools has one (more detail may
 * follow), so tests and log filters written against it keep matching: no provider, a context mismatch,
 * a missing field.
 */
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingEncryptionError,
  DataMaskingFieldNotFoundError,
} from '../../src/errors.js';
import { provider, useKms } from '../crypto/support.js';

const { kms } = useKms(1);

test("no provider: 'Encryption provider is required for encrypt/decrypt operations'", async () => {
  const masker = new DataMasking();
  for (const call of [() => masker.encrypt({ a: 1 }), () => masker.decrypt('AAAA')]) {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataMaskingEncryptionError);
    expect((error as Error).message).toBe('Encryption provider is required for encrypt/decrypt operations');
  }
});

test('a context mismatch starts with "Encryption context mismatch for key \'…\'"', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  const encrypted = await masker.encrypt({ ssn: '123' }, { fields: ['ssn'], context: { tenantId: 'acme' } });
  const error = await masker
    .decrypt(encrypted, { fields: ['ssn'], context: { tenantId: 'other' } })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataMaskingContextMismatchError);
  expect((error as Error).message.startsWith("Encryption context mismatch for key 'tenantId'")).toBe(true);
  // A whole-payload message without any context, checked against one: the same text (upstream's test).
  const whole = await masker.encrypt('secret');
  await expect(masker.decrypt(whole, { context: { tenantId: 'acme' } })).rejects.toThrow(
    "Encryption context mismatch for key 'tenantId'",
  );
});

test('a missing field: "Field not found: \'…\'"', async () => {
  const masker = new DataMasking({ provider: provider(kms().keys) });
  await expect(masker.encrypt({ a: 1 }, { fields: ['nonexistent'] })).rejects.toThrow(
    new DataMaskingFieldNotFoundError('nonexistent'),
  );
  expect(new DataMaskingFieldNotFoundError('nonexistent').message).toBe("Field not found: 'nonexistent'");
});
