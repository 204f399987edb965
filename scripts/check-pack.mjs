#!/usr/bin/env node
// Fails unless `npm pack` would ship only the build (lib/: JavaScript and declarations), the README, the
// licence and package.json: no sources, tests, benchmarks, examples, scripts or secrets.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [pack] = JSON.parse(
  execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }),
);
// A fresh clone has no lib/: `npm pack` and `npm publish` must build it (scripts/check-tarball.mjs packs one).
const { scripts = {} } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (!/\bnpm run build\b/.test(scripts.prepack ?? '')) {
  console.error('package.json needs "prepack": "npm run build": a pack of a fresh clone would ship no lib/');
  process.exit(1);
}
const allowed = (path) =>
  ['package.json', 'README.md', 'LICENSE'].includes(path) ||
  /^lib\/(esm|cjs)\/.+\.(js|d\.ts|json)$/.test(path);
const files = pack.files.map((f) => f.path);
const unexpected = files.filter((path) => !allowed(path));
for (const required of [
  'README.md',
  'LICENSE',
  'lib/esm/index.js',
  'lib/cjs/index.js',
  'lib/esm/index.d.ts',
  'lib/cjs/index.d.ts',
]) {
  if (!files.includes(required)) unexpected.push(`(missing) ${required}`);
}
if (unexpected.length > 0) {
  console.error(
    `npm pack would ship what it should not (or miss what it should):\n  ${unexpected.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  `npm pack: ${files.length} files, ${(pack.unpackedSize / 1024).toFixed(0)} KB unpacked, ${(pack.size / 1024).toFixed(0)} KB packed — only lib/, README.md, LICENSE, package.json`,
);
