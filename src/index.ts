/**
 * middy-data-masking: erase, encrypt and decrypt sensitive fields in AWS Lambda functions.
 *
 * This entry point loads nothing heavy: no AWS SDK, no Encryption SDK, no Middy, no Logger.
 *
 * @module
 */
export * from './errors.js';
export {
  CompiledSelector,
  type CompileSelectorOptions,
  compileSelector,
  selectPaths,
} from './selector/selector.js';
