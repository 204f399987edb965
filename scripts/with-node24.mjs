#!/usr/bin/env node
// Runs a command on Node 24 (the other Lambda runtime), hermetically: the npm `node` package, pinned, is
// installed from the registry into .node24/ on first use. It cannot be a devDependency beside node@22:
// both packages declare the `node` bin, and npm links whichever it installs last into node_modules/.bin.
//
// Usage: node scripts/with-node24.mjs <script> [args...]   e.g. node scripts/with-node24.mjs node_modules/jest/bin/jest.js
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '24.21.0';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.node24');
const binary = join(prefix, 'node_modules', 'node', 'bin', 'node');

const version = () =>
  existsSync(binary) ? spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
if (version() !== `v${VERSION}`) {
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    join(prefix, 'package.json'),
    `${JSON.stringify({ name: 'node24', private: true, allowScripts: { node: true } }, null, 2)}\n`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', `node@${VERSION}`], {
    cwd: prefix,
    stdio: 'inherit',
  });
  if (version() !== `v${VERSION}`) throw new Error(`could not install Node ${VERSION} into ${prefix}`);
}
const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
