/**
 * The main entry point loads nothing heavy (SPEC §2): follow its static imports through src/ and check
 * none reaches the AWS SDK, the Encryption SDK, Middy or the Logger.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SRC = join(__dirname, '..', 'src');
const HEAVY = /^(@aws-crypto\/|@aws-sdk\/|@middy\/|@aws-lambda-powertools\/|aws-sdk-client-mock)/;

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, kind, spec] of source.matchAll(
      /^\s*(import|export)\s+(?:type\s+)?[^'"]*?from\s+'([^']+)'/gm,
    )) {
      if (/^\s*(import|export)\s+type\s/.test(kind)) continue;
      if (spec.startsWith('.')) stack.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

/** Type-only imports vanish at compile time; count only the ones that load code. */
function runtimePackages(entry: string): string[] {
  const { files } = reachable(entry);
  const found = new Set<string>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?([^'"]*?)from\s+'([^'.][^']*)'/gm)) {
      const typeOnly = m[1] !== undefined || /^\{\s*(type\s+[^,}]+,?\s*)+\}\s*$/.test(m[2].trim());
      if (!typeOnly) found.add(m[3]);
    }
  }
  return [...found];
}

describe('entry points', () => {
  test('the main entry loads only node built-ins', () => {
    const packages = runtimePackages(join(SRC, 'index.ts'));
    expect(packages.filter((p) => HEAVY.test(p))).toEqual([]);
    expect(packages.every((p) => p.startsWith('node:'))).toBe(true);
  });

  test('the middleware entry loads nothing heavy at runtime (Middy types only)', () => {
    expect(runtimePackages(join(SRC, 'middleware.ts')).filter((p) => HEAVY.test(p))).toEqual([]);
  });

  test('the batch entry loads nothing heavy at runtime (util-dynamodb only on a DynamoDB record)', () => {
    expect(runtimePackages(join(SRC, 'batch.ts')).filter((p) => HEAVY.test(p))).toEqual([]);
    const images = readFileSync(join(SRC, 'batch', 'dynamodb-images.ts'), 'utf8');
    expect(images).toMatch(/import\('@aws-sdk\/util-dynamodb'\)/);
  });

  test('the tokens entry loads the KMS client and nothing else heavy (no Encryption SDK, no Middy)', () => {
    const packages = runtimePackages(join(SRC, 'tokens.ts'));
    expect(packages.filter((p) => HEAVY.test(p))).toEqual(['@aws-sdk/client-kms']);
    expect(packages.filter((p) => !p.startsWith('node:') && !HEAVY.test(p))).toEqual([]);
  });

  test('the command line loads the KMS client only', () => {
    expect(runtimePackages(join(SRC, 'cli.ts')).filter((p) => !p.startsWith('node:'))).toEqual([
      '@aws-sdk/client-kms',
    ]);
  });

  test('providers/kms is what loads the Encryption SDK', () => {
    expect(runtimePackages(join(SRC, 'providers', 'kms.ts'))).toContain('@aws-crypto/client-node');
  });
});
