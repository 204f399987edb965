/**
 * `npm run bench`: every benchmark, one run, then one table. Results are medians of many samples on this
 * machine; ratios within a group are measured in the same process a few milliseconds apart.
 */
import { cpus } from 'node:os';
import { run as batch } from './batch.ts';
import { run as bundle } from './bundle.ts';
import { run as conformance } from './conformance.ts';
import { run as crypto } from './crypto.ts';
import { run as detectors } from './detectors.ts';
import { run as erase } from './erase.ts';
import { results } from './harness.ts';
import { run as logger } from './logger.ts';
import { run as middleware } from './middleware.ts';
import { run as opening } from './opening.ts';
import { run as tokens } from './tokens.ts';

console.log(`node ${process.version} · ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}`);
const targets = [
  ...(await erase()),
  ...(await opening()),
  ...(await crypto()),
  ...(await middleware()),
  ...(await batch()),
  ...(await tokens()),
  ...(await logger()),
  ...(await detectors()),
  ...(await bundle()),
];

console.log('\n| benchmark | case | value | ratio |');
console.log('|---|---|---:|---:|');
for (const r of results) {
  const ratio = Number.isNaN(r.ratio) ? '' : `${r.ratio.toFixed(2)}×`;
  console.log(`| ${r.group} | ${r.name} | ${r.us.toFixed(2)} ${r.unit ?? 'µs/op'} | ${ratio} |`);
}
console.log('\nTargets');
for (const t of targets) console.log(`  ${t}`);
conformance();
