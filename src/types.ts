/**
 * `middy-data-masking/types`: the type names Powertools' `@aws-lambda-powertools/data-masking/types`
 * exports, so a migration changes only the package name in type imports too. Types only.
 *
 * @module
 */
export type { EncryptionContext, EncryptionProvider } from './crypto/encryption-provider.js';
export type {
  CryptoOptions,
  CryptoOptions as DecryptOptions,
  CryptoOptions as EncryptOptions,
  DataMaskingOptions,
  DataMaskingOptions as DataMaskingConstructorOptions,
  MaskedPayload,
} from './data-masking.js';
export type { EraseOptions, Eraser } from './erase/eraser.js';
export type { FieldRule, MaskFunction, MaskingRule } from './erase/rule.js';
