/**
 * `middy-data-masking/providers/kms/types`: the provider's option types, under the subpath Powertools
 * uses. Types only: importing it loads nothing (not even `@aws-crypto/client-node`).
 *
 * @module
 */
import type { buildClient } from '@aws-crypto/client-node';

export type {
  AWSEncryptionSDKProviderCallOptions,
  AWSEncryptionSDKProviderOptions,
  KmsClientProvider,
} from '../../crypto/kms/aws-encryption-sdk-provider.js';

type Client = ReturnType<typeof buildClient>;

/**
 * The Encryption SDK functions and materials manager a provider works with (the Powertools type of the
 * same name): `encryptFn` and `decryptFn` from the SDK's client, and the caching materials manager.
 */
export interface SDKClient {
  encryptFn: Client['encrypt'];
  decryptFn: Client['decrypt'];
  cacheManager: Parameters<Client['encrypt']>[0];
}
