/**
 * bench/crypto: field-level encrypt and decrypt of a 10-field record, warm, against the KMS test double.
 * Ours (defaults) vs the SDK-default recipe (KMS keyring + caching materials manager + the default suite,
 * one message per field: what the Powertools TypeScript provider does) vs raw AES-256-GCM (the floor).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { DataMasking } from 'middy-data-masking';
import { AWSEncryptionSDKProvider } from 'middy-data-masking/providers/kms';
import { createKmsMock } from 'middy-data-masking/testing';
import { measure, target } from './harness.ts';

const CONTEXT = { tenant_id: 'acme', purpose: 'bench' };

function record() {
  return Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [`field${i}`, { value: `secret-${i}-4111 1111 1111 1111`, n: i }]),
  );
}

/** What Powertools TS does: one SDK message per field through a caching materials manager, default suite. */
function sdkDefaultRecipe(keyArn: string) {
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: new KmsKeyringNode({ generatorKeyId: keyArn }),
    cache: getLocalCryptographicMaterialsCache(100),
    maxAge: 300_000,
    maxMessagesEncrypted: 2 ** 32,
  });
  return {
    async encrypt(data: Record<string, unknown>) {
      const copy = structuredClone(data);
      await Promise.all(
        Object.keys(copy).map(async (k) => {
          const { result } = await encrypt(cmm, JSON.stringify(copy[k]), { encryptionContext: CONTEXT });
          copy[k] = result.toString('base64');
        }),
      );
      return copy;
    },
    async decrypt(data: Record<string, unknown>) {
      const copy = structuredClone(data);
      await Promise.all(
        Object.keys(copy).map(async (k) => {
          const { plaintext } = await decrypt(cmm, Buffer.from(copy[k] as string, 'base64'));
          copy[k] = JSON.parse(plaintext.toString('utf8'));
        }),
      );
      return copy;
    },
  };
}

/** The floor: one data key, AES-256-GCM per field with the context as AAD, no KMS, no message format. */
function rawAesGcm() {
  const key = randomBytes(32);
  const aad = Buffer.from(JSON.stringify(Object.entries(CONTEXT).sort()));
  return {
    async encrypt(data: Record<string, unknown>) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(data)) {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
        const body = Buffer.concat([cipher.update(JSON.stringify(v), 'utf8'), cipher.final()]);
        out[k] = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
      }
      return out;
    },
    async decrypt(data: Record<string, unknown>) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(data)) {
        const bytes = Buffer.from(v as string, 'base64');
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12)).setAAD(aad);
        decipher.setAuthTag(bytes.subarray(12, 28));
        out[k] = JSON.parse(
          Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8'),
        );
      }
      return out;
    },
  };
}

export async function run(): Promise<string[]> {
  const kms = createKmsMock();
  const [keyArn] = kms.keys;
  const data = record();
  const fields = Object.keys(data);
  const ours = new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: [keyArn] }) });
  const recipe = sdkDefaultRecipe(keyArn);
  const raw = rawAesGcm();

  // Binding (SPEC §12): the same 10 fields, bound to their paths, then to the record (id outside them).
  const byPath = { fields, context: CONTEXT, bind: { path: true } };
  const byRecord = { fields, context: CONTEXT, bind: { path: true, record: '$.id' } };
  const withId = { id: 'order-0001', ...data };

  // Warm every cache, then check each case round-trips.
  const oursEncrypted = (await ours.encrypt(data, { fields, context: CONTEXT })) as Record<string, unknown>;
  const pathBound = (await ours.encrypt(data, byPath)) as Record<string, unknown>;
  const recordBound = (await ours.encrypt(withId, byRecord)) as Record<string, unknown>;
  if (
    JSON.stringify(await ours.decrypt(pathBound, byPath)) !== JSON.stringify(data) ||
    JSON.stringify(await ours.decrypt(recordBound, byRecord)) !== JSON.stringify(withId)
  ) {
    throw new Error('a bound crypto benchmark case does not round-trip');
  }
  const recipeEncrypted = await recipe.encrypt(data);
  const rawEncrypted = await raw.encrypt(data);
  for (const decrypted of [
    await ours.decrypt(oursEncrypted, { fields, context: CONTEXT }),
    await recipe.decrypt(recipeEncrypted),
    await raw.decrypt(rawEncrypted),
  ]) {
    if (JSON.stringify(decrypted) !== JSON.stringify(data))
      throw new Error('a crypto benchmark case does not round-trip');
  }
  kms.reset();

  const enc = await measure('encrypt · 10 fields · warm', [
    {
      name: 'middy-data-masking (defaults)',
      fn: () => ours.encrypt(data, { fields, context: CONTEXT }),
      async: true,
    },
    { name: 'SDK-default recipe (Powertools TS)', fn: () => recipe.encrypt(data), async: true },
    { name: 'raw AES-256-GCM (floor)', fn: () => raw.encrypt(data), async: true },
    { name: 'middy-data-masking, bind: { path }', fn: () => ours.encrypt(data, byPath), async: true },
    {
      name: 'middy-data-masking, bind: { path, record }',
      fn: () => ours.encrypt(withId, byRecord),
      async: true,
    },
  ]);
  const encCalls = `KMS calls while measuring encrypt: GenerateDataKey ${kms.count('GenerateDataKey')}, Encrypt ${kms.count('Encrypt')}`;
  console.log(`  ${encCalls}`);
  kms.reset();
  const dec = await measure('decrypt · 10 fields · warm', [
    {
      name: 'middy-data-masking (defaults)',
      fn: () => ours.decrypt(oursEncrypted, { fields, context: CONTEXT }),
      async: true,
    },
    { name: 'SDK-default recipe (Powertools TS)', fn: () => recipe.decrypt(recipeEncrypted), async: true },
    { name: 'raw AES-256-GCM (floor)', fn: () => raw.decrypt(rawEncrypted), async: true },
    { name: 'middy-data-masking, bind: { path }', fn: () => ours.decrypt(pathBound, byPath), async: true },
    {
      name: 'middy-data-masking, bind: { path, record }',
      fn: () => ours.decrypt(recordBound, byRecord),
      async: true,
    },
  ]);
  const decCalls = `KMS calls while measuring decrypt: Decrypt ${kms.count('Decrypt')}`;
  console.log(`  ${decCalls}`);
  kms.restore();
  const perField = (rows: { us: number }[], i: number) =>
    ((rows[i].us - rows[0].us) / fields.length).toFixed(1);
  const bindingCost = `binding cost per field (warm): encrypt +${perField(enc, 3)} µs (path), +${perField(enc, 4)} µs (path and record); decrypt +${perField(dec, 3)} µs, +${perField(dec, 4)} µs`;
  console.log(`  ${bindingCost}`);
  return [
    target('ours / SDK-default recipe, encrypt 10 fields', enc[0].us / enc[1].us, 0.25),
    target('ours / SDK-default recipe, decrypt 10 fields', dec[0].us / dec[1].us, 0.25),
    encCalls,
    decCalls,
    bindingCost,
  ];
}
