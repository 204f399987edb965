#!/usr/bin/env node
/**
 * The `middy-data-masking` command (`npx middy-data-masking create-token-key …`). See `cli/run-cli.ts`.
 *
 * @module
 */
import { runCli } from './cli/run-cli.js';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
