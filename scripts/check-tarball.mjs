#!/usr/bin/env node
// Packs the package as a publish from CI would, and installs the tarball as a user would:
//
// 1. clones the committed HEAD into a temporary directory (no lib/, no untracked or ignored files);
// 2. gives the clone its dependencies: a link to this checkout's node_modules when both lockfiles are the
//    same (the tree `npm ci` would install), else — or with --npm-ci — a real `npm ci`;
// 3. `npm pack` there, which must build lib/ itself (the `prepack` script);
// 4. lists the tarball: every target of package.json `main`, `module`, `types`, `exports` and
//    `typesVersions` is in it, and nothing but lib/ (JavaScript, declarations), README.md, LICENSE and
//    package.json;
// 5. installs the tarball into a fresh consumer project, alone: the main entry point (and the others that
//    load nothing heavy, SPEC §2) must load with no peer installed; then with the optional peers, at the
//    versions this repository tests with: every entry point must load, with `import` and with `require`,
//    export the same names both ways, and the names it is known for;
// 6.–9. runs the README's stacks from the tarball: the HTTP stack, the batch stacks, tokens (with the
//    `create-token-key` CLI as npx runs it), and binding with per-tenant keys and tenant isolation.
//
// Usage: node scripts/check-tarball.mjs [--npm-ci] [--keep]   (Node >= 22; `npm run check:tarball`)
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NAME = 'middy-data-masking';

/** Entry points that must load with no optional peer installed (SPEC §2: "nothing heavy"). */
const LIGHT = new Set(['.', './middleware', './batch', './errors', './types', './providers/kms/types']);
/** Names each entry point is known for (a subset: entry points grow). */
const KNOWN = {
  '.': [
    'DataMasking',
    'DataMaskingError',
    'DataMaskingProviderUnavailableError',
    'compileSelector',
    'selectPaths',
    'detectors',
    'definePolicy',
    'MaskingPolicy',
  ],
  './providers/kms': ['AWSEncryptionSDKProvider'],
  './middleware': ['dataMasking'],
  './logger': ['MaskingLogFormatter', 'createMaskingLogger'],
  './testing': ['createKmsMock'],
  './errors': ['DataMaskingEncryptionError'],
  './batch': ['batchMasking', 'maskRecords'],
  './tokens': ['createTokenKey'],
};

const failures = [];
const fail = (message) => failures.push(message);
const started = Date.now();
let last = started;
const step = (what) => {
  const now = Date.now();
  console.log(`check-tarball: ${what} (${((now - last) / 1000).toFixed(1)} s)`);
  last = now;
};

// Every child (npm, its lifecycle scripts, git) runs with this Node first on PATH: the one the checks load
// the package with, and the one `npm run` puts first (node_modules/.bin/node, Node 22).
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  npm_config_loglevel: 'error',
  npm_config_update_notifier: 'false',
};

/** Runs a command; on failure, throws with everything it printed. */
const run = (command, commandArgs, cwd) => {
  try {
    return execFileSync(command, commandArgs, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(
      `${[command, ...commandArgs].join(' ')} failed in ${cwd}:\n${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  }
};

if (Number(process.versions.node.split('.')[0]) < 22) {
  console.error(`check-tarball: needs Node >= 22 (the package's engines), got ${process.version}`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'mdm-tarball-'));
try {
  // 1. A clean clone of HEAD.
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no'], root).trim();
  if (dirty !== '') console.log('check-tarball: uncommitted changes are not checked (the clone is of HEAD)');
  const clone = join(work, 'clone');
  run('git', ['clone', '--quiet', '--depth', '1', pathToFileURL(root).href, clone], work);
  if (existsSync(join(clone, 'lib'))) fail('the clone has a lib/ directory: build output is committed');
  step('cloned HEAD');

  // 2. Its dependencies.
  const sameLock =
    existsSync(join(root, 'node_modules')) &&
    readFileSync(join(root, 'package-lock.json'), 'utf8') ===
      readFileSync(join(clone, 'package-lock.json'), 'utf8');
  if (sameLock && !args.has('--npm-ci')) {
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'junction');
    step('linked node_modules (same package-lock.json)');
  } else {
    run(npm, ['ci', '--no-audit', '--no-fund'], clone);
    step('npm ci');
  }

  // 3. Pack: `prepack` must build lib/ (scripts are forced on, whatever the environment says).
  const packs = join(work, 'packs');
  mkdirSync(packs);
  run(npm, ['pack', '--ignore-scripts=false', '--pack-destination', packs], clone);
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack produced ${tarballs.length} tarballs`);
  const tarball = join(packs, tarballs[0]);
  step(`npm pack (its prepack builds lib/): ${tarballs[0]}`);

  // 4. What the tarball holds.
  const files = run('tar', ['-tzf', tarball], work)
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));
  const held = new Set(files);
  const allowed = (path) =>
    ['package.json', 'README.md', 'LICENSE'].includes(path) ||
    /^lib\/(esm|cjs)\/.+\.(js|d\.ts|json)$/.test(path);
  for (const path of files) if (!allowed(path)) fail(`the tarball ships ${path}`);
  const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work));
  const targets = new Set([
    'lib/esm/index.js',
    'lib/cjs/index.js',
    'lib/esm/index.d.ts',
    'lib/cjs/index.d.ts',
  ]);
  const collect = (value) => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([manifest.main, manifest.module, manifest.types, manifest.exports, manifest.typesVersions]);
  for (const target of targets) {
    if (target !== undefined && !target.includes('*') && !held.has(target)) {
      fail(`package.json points at ${target}, which the tarball does not hold`);
    }
  }
  if (!held.has('lib/esm/package.json') || !held.has('lib/cjs/package.json')) {
    fail('the tarball lacks lib/esm/package.json or lib/cjs/package.json (the module-format markers)');
  }
  if (failures.length > 0) throw new Error('the tarball is incomplete: no point installing it');
  step(`listed the tarball: ${files.length} files, the ${targets.size} targets of package.json present`);

  // 5. A user's project.
  const consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify({ name: 'tarball-consumer', version: '0.0.0', private: true }, null, 2)}\n`,
  );
  const install = (specs) =>
    run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-exact', ...specs], consumer);

  const entries = Object.keys(manifest.exports ?? { '.': null }).filter((key) => key !== './package.json');
  const specifier = (entry) => (entry === '.' ? NAME : `${NAME}/${entry.slice(2)}`);
  /** Loads each entry point in a fresh Node (this one, >= 22): its export names, or the error. */
  const load = (mode, list) => {
    const specs = JSON.stringify(list.map(specifier));
    const body =
      mode === 'import'
        ? `const out = {}; for (const s of ${specs}) { try { out[s] = Object.keys(await import(s)).filter((k) => k !== 'default').sort(); } catch (e) { out[s] = String(e && e.stack || e).split('\\n').slice(0, 3).join(' | '); } } console.log(JSON.stringify(out));`
        : `const out = {}; for (const s of ${specs}) { try { out[s] = Object.keys(require(s)).filter((k) => k !== '__esModule').sort(); } catch (e) { out[s] = String(e && e.stack || e).split('\\n').slice(0, 3).join(' | '); } } console.log(JSON.stringify(out));`;
    const flags = mode === 'import' ? ['--input-type=module', '-e', body] : ['-e', body];
    return JSON.parse(run(process.execPath, flags, consumer));
  };
  const check = (list, stage) => {
    const esm = load('import', list);
    const cjs = load('require', list);
    for (const entry of list) {
      const s = specifier(entry);
      for (const [mode, names] of [
        ['import', esm[s]],
        ['require', cjs[s]],
      ]) {
        if (typeof names === 'string') fail(`${stage}: ${mode} '${s}' fails: ${names}`);
        // `./types` and `./providers/kms/types` hold types only (the Powertools subpaths): nothing at runtime.
        else if (names.length === 0 && !/(^|\/)types$/.test(s))
          fail(`${stage}: ${mode} '${s}' exports nothing`);
        else {
          for (const known of KNOWN[entry] ?? []) {
            if (!names.includes(known)) fail(`${stage}: ${mode} '${s}' lacks ${known}`);
          }
        }
      }
      if (Array.isArray(esm[s]) && Array.isArray(cjs[s]) && esm[s].join() !== cjs[s].join()) {
        fail(`${stage}: '${s}' exports different names to import and require`);
      }
    }
  };

  install([tarball]);
  step('installed the tarball alone');
  const light = entries.filter((entry) => LIGHT.has(entry));
  check(light, 'no optional peer installed');
  step(`loaded ${light.join(', ')} with import and require, no peer installed`);

  const peers = Object.keys(manifest.peerDependencies ?? {});
  if (peers.length > 0) {
    // The versions this repository tests with (its devDependencies), else the peer range.
    const { devDependencies = {} } = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8'));
    install(peers.map((peer) => `${peer}@${devDependencies[peer] ?? manifest.peerDependencies[peer]}`));
    step(`installed the optional peers (${peers.length})`);
  }
  check(entries, 'with the optional peers');
  step(`loaded all ${entries.length} entry points with import and require`);

  // 6. The README's recommended stack, run from the tarball (the Middy middlewares it names, at the
  // versions this repository tests with).
  {
    const { devDependencies = {} } = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8'));
    const stack = [
      '@middy/http-json-body-parser',
      '@middy/http-error-handler',
      '@middy/http-response-serializer',
    ];
    install(stack.map((name) => `${name}@${devDependencies[name]}`));
    copyFileSync(join(clone, 'scripts', 'tarball-stack.mjs'), join(consumer, 'stack.mjs'));
    copyFileSync(join(clone, 'scripts', 'tarball-support.mjs'), join(consumer, 'tarball-support.mjs'));
    const said = run(process.execPath, ['stack.mjs'], consumer).trim().split('\n').pop();
    step(said ?? 'ran the recommended stack');
  }

  // 7. The README's batch stacks, run from the tarball: Middy for SQS, DynamoDB Streams and Firehose,
  // and Powertools' BatchProcessor with the decrypting record handler.
  {
    const { devDependencies = {} } = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8'));
    const stack = ['@aws-lambda-powertools/batch'];
    install(stack.map((name) => `${name}@${devDependencies[name]}`));
    copyFileSync(join(clone, 'scripts', 'tarball-batch-stack.mjs'), join(consumer, 'batch-stack.mjs'));
    const said = run(process.execPath, ['batch-stack.mjs'], consumer).trim().split('\n').pop();
    step(said ?? 'ran the batch stacks');
  }

  // 8. Tokens: the README's tokens section and the CLI, from the tarball. The CLI runs as `npx` runs it
  // (the package's bin), with the KMS double preloaded into its process.
  {
    copyFileSync(join(clone, 'scripts', 'tarball-tokens-stack.mjs'), join(consumer, 'tokens-stack.mjs'));
    const said = run(process.execPath, ['tokens-stack.mjs'], consumer).trim().split('\n').pop();
    step(said ?? 'ran the tokens stack');
    writeFileSync(
      join(consumer, 'kms-double.cjs'),
      "require('middy-data-masking/testing').createKmsMock({ keys: ['arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'] });\n",
    );
    const bin = join(consumer, 'node_modules', '.bin', NAME);
    const printed = run(
      process.execPath,
      [
        '--require',
        './kms-double.cjs',
        bin,
        'create-token-key',
        '--key-id',
        'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        '--context',
        'tenant_id=acme',
      ],
      consumer,
    );
    const descriptor = JSON.parse(printed);
    if (
      descriptor.version !== '1' ||
      descriptor.context?.tenant_id !== 'acme' ||
      typeof descriptor.wrapped !== 'string'
    ) {
      fail(`npx ${NAME} create-token-key printed ${printed.slice(0, 200)}`);
    }
    step('ran npx middy-data-masking create-token-key from the tarball against the KMS double');
  }

  // 9. Binding and tenants: the README's binding, per-tenant keys and tenant isolation sections.
  {
    copyFileSync(join(clone, 'scripts', 'tarball-binding-stack.mjs'), join(consumer, 'binding-stack.mjs'));
    const said = run(process.execPath, ['binding-stack.mjs'], consumer).trim().split('\n').pop();
    step(said ?? 'ran the binding stack');
  }
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  if (args.has('--keep')) console.log(`check-tarball: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`check-tarball: the packed package is broken:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-tarball: OK in ${((Date.now() - started) / 1000).toFixed(0)} s`);
