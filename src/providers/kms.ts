/**
 * `middy-data-masking/providers/kms`: the AWS Encryption SDK provider. Importing this entry point is what
 * loads `@aws-crypto/client-node` (an optional peer dependency); the main entry never does.
 *
 * @module
 */
export { AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
export {
  AWSEncryptionSDKProvider,
  type AWSEncryptionSDKProviderCallOptions,
  type AWSEncryptionSDKProviderOptions,
  type KmsClientProvider,
  type KmsKeysOfContext,
} from '../crypto/kms/aws-encryption-sdk-provider.js';
