/**
 * `middy-data-masking/testing`: a KMS test double for unit tests, so code that encrypts and decrypts with
 * KMS, through the AWS Encryption SDK or the client directly, runs end to end without AWS. It loads
 * `aws-sdk-client-mock` and `@aws-sdk/client-kms`, which production code never needs.
 *
 * @module
 */
export {
  type CreateKmsMockOptions,
  createKmsMock,
  type KmsContextConditions,
  type KmsContextStatement,
  type KmsMock,
  type KmsOperation,
} from './kms-mock.js';
