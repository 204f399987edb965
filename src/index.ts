/**
 * middy-data-masking: erase, encrypt and decrypt sensitive fields in AWS Lambda functions.
 *
 * This entry point loads nothing heavy: no AWS SDK, no Encryption SDK, no Middy, no Logger.
 *
 * @module
 */
export type { BindOptions } from './crypto/binding.js';
export type { EncryptionContext, EncryptionProvider } from './crypto/encryption-provider.js';
export {
  type CryptoOptions,
  type CryptoOptions as EncryptOptions,
  type CryptoOptions as DecryptOptions,
  DataMasking,
  type DataMaskingOptions,
  type DataMaskingOptions as DataMaskingConstructorOptions,
  type DetokenizeOptions,
  type MaskedPayload,
} from './data-masking.js';
export {
  type Detector,
  type DetectorName,
  detectors,
  type PatternDetectorOptions,
  type PhoneDetectorOptions,
  patternDetector,
  phoneDetector,
  redactString,
  resolveDetectors,
} from './detectors/index.js';
export { DEFAULT_MASK, DEFAULT_MASK_VALUE } from './erase/constants.js';
export type { EraseOptions, Eraser } from './erase/eraser.js';
export type { FieldRule, MaskFunction, MaskingRule, TokenKeyLike } from './erase/rule.js';
export * from './errors.js';
export { normalizedKey } from './policy/key-matcher.js';
export {
  definePolicy,
  MaskingPolicy,
  type PolicyOptions,
} from './policy/masking-policy.js';
export type { Query, Segment, Selector } from './selector/ast.js';
export type { Location } from './selector/compile.js';
export type { ParseOptions } from './selector/parse.js';
export {
  CompiledSelector,
  type CompileSelectorOptions,
  compileSelector,
  selectPaths,
} from './selector/selector.js';
