#!/usr/bin/env node
// The npm registry this project is built from serves the native packages of linux only: `npm install`
// silently leaves the darwin/win32/... optional binaries of Biome, swc, jest's resolver (and any such
// package) out of package-lock.json, and `npm ci` then refuses the lock as out of sync. This script adds
// each missing platform package to the lock as an optional entry with the os/cpu/libc its name states,
// so `npm ci` knows it and skips it on every other platform, as it would with a complete lock.
//
// Run it after any `npm install` that changes the lock: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'win32',
  'openbsd',
  'netbsd',
  'sunos',
  'aix',
  'openharmony',
];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  arm: 'arm',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  wasm32: 'wasm32',
  mips64el: 'mips64el',
};

/** The os, cpu and libc a platform package's name states, or undefined when the name states none. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.map((p) => CPU[p]).find(Boolean);
  if (cpu === 'wasm32') return { cpu: ['wasm32'] };
  if (!os || !cpu) return undefined;
  const entry = { os: [os], cpu: [cpu] };
  if (os === 'linux') entry.libc = [parts.some((p) => p.startsWith('musl')) ? 'musl' : 'glibc'];
  return entry;
}

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    // Where npm would place it: next to the package (hoisted to the top-level node_modules first).
    const top = `node_modules/${dep}`;
    const nested = `${path}/node_modules/${dep}`;
    if (packages[top] || packages[nested]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[top] = { version: version.replace(/^[\^~]/, ''), ...platform, optional: true };
    added++;
  }
}
// npm sorts lock entries by path; keep that so diffs stay small.
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform package(s) the registry does not serve`);
