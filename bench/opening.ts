/**
 * bench/opening: the cost of opening what expressions must look into, and of selecting encryption targets,
 * as the input grows. Each group doubles (or quadruples) the input: linear work gives a time ratio close
 * to the size ratio. The old code was quadratic in the number of JSON strings (a 160 KB body of 32k `"[]"`
 * strings took > 10 s) and cubic in the nesting depth under `$..card` (a 20 KB body nested 1,000 deep).
 */
import { DataMasking, type EncryptionProvider } from 'middy-data-masking';
import { measure } from './harness.ts';

/** A body string holding `n` JSON strings `"[]"` (what a client can send in 5 bytes each). */
function manyJsonStrings(n: number): { statusCode: number; body: string } {
  return { statusCode: 200, body: JSON.stringify(Array.from({ length: n }, () => '[]')) };
}

/** `depth` objects nested in each other, each with a `card`. */
function nested(depth: number): unknown {
  let doc: Record<string, unknown> = { card: 'x' };
  for (let i = 0; i < depth; i++) doc = { card: `c${i}`, next: doc };
  return doc;
}

/** A provider that does no cryptography: only the selection and the copy-on-write writes are timed. */
const identity: EncryptionProvider = {
  encrypt: async (data) => data,
  decrypt: async (data) => data,
};

export async function run(): Promise<string[]> {
  // Nothing matches here by design: the skipped-field warning goes to a logger that drops it.
  const quiet = { warn: () => undefined };
  const masker = new DataMasking({ throwOnMissingField: false, logger: quiet });
  const eraseDeep = masker.compileErase({ fields: ['$..x'] });
  const eraseDetect = masker.compileErase({ detectors: ['email'] });
  const sizes = [8000, 32000];
  const bodies = sizes.map(manyJsonStrings);
  await measure('opening · a body of n JSON strings "[]", $..x', [
    ...bodies.map((b, i) => ({
      name: `n = ${sizes[i]} (${(b.body.length / 1024).toFixed(0)} KB)`,
      fn: () => eraseDeep(b),
    })),
    ...bodies.map((b, i) => ({ name: `detectors, n = ${sizes[i]}`, fn: () => eraseDetect(b) })),
  ]);

  const crypto = new DataMasking({ provider: identity, throwOnMissingField: false, logger: quiet });
  const depths = [250, 500, 1000];
  const docs = depths.map(nested);
  const rows = await measure(
    'opening · encrypt-target selection under $..card, nested n deep (no cryptography)',
    docs.map((doc, i) => ({
      name: `depth ${depths[i]} (${(JSON.stringify(doc).length / 1024).toFixed(0)} KB)`,
      fn: () => crypto.encrypt(doc, { fields: ['$..card'] }),
      async: true,
    })),
  );
  const growth = rows[2].us / rows[0].us;
  console.log(`  depth ×4 → time ×${growth.toFixed(2)} (linear: ≈ 4, quadratic: ≈ 16)`);
  return [];
}
