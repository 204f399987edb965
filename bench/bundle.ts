/**
 * bench/bundle: what a function pays to load the library. The size of an erase-only handler bundled and
 * minified with esbuild (target ≤ 40 KB), and the time to import each entry point in a fresh process.
 */
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { results } from './harness.ts';

const ENTRIES = [
  'middy-data-masking',
  'middy-data-masking/middleware',
  'middy-data-masking/logger',
  'middy-data-masking/providers/kms',
] as const;

/** Median wall time of `import(entry)` in a fresh Node process (the cold-start share of the library). */
function importTime(entry: string, runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`,
      ],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`importing ${entry} failed: ${child.stderr}`);
    times.push(Number(child.stdout.trim()));
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export async function run(): Promise<string[]> {
  const result = await build({
    entryPoints: [new URL('./fixtures/erase-only-handler.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const kb = code.length / 1024;
  console.log('\nbundle · an erase-only handler, esbuild --bundle --minify (platform node)');
  console.log(`  ${kb.toFixed(1)} KB minified, ${(gzipSync(code).length / 1024).toFixed(1)} KB gzipped`);
  console.log('\nimport time · a fresh process, median of 7');
  const lines = [
    `${kb <= 40 ? 'MET ' : 'MISS'}  erase-only handler bundle: ${kb.toFixed(1)} KB minified (target ≤ 40 KB)`,
  ];
  const group =
    'bundle · erase-only handler (esbuild, minified) and import time (fresh process, median of 7)';
  results.push(
    { group, name: 'bundle, minified', us: kb, ratio: kb / 40, samples: 1, unit: 'KB' },
    {
      group,
      name: 'bundle, gzipped',
      us: gzipSync(code).length / 1024,
      ratio: Number.NaN,
      samples: 1,
      unit: 'KB',
    },
  );
  for (const entry of ENTRIES) {
    const ms = importTime(entry);
    console.log(`  ${entry.padEnd(36)} ${ms.toFixed(1)} ms`);
    lines.push(`import ${entry}: ${ms.toFixed(1)} ms`);
    results.push({ group, name: `import ${entry}`, us: ms, ratio: Number.NaN, samples: 7, unit: 'ms' });
  }
  console.log(`  ${lines[0]}`);
  return lines;
}
