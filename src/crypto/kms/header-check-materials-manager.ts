/**
 * Checks a message's header before any KMS call. The Encryption SDK parses the header and then asks the
 * materials manager for decryption materials, handing it the header's encryption context and encrypted
 * data keys; only then does a keyring call KMS. This manager sits first in that chain, so that:
 *
 * - a message whose context is not exactly the caller's (another tenant) is refused with
 *   `DataMaskingContextMismatchError` without a KMS call and without its data key ever being decrypted;
 * - a message that names none of the configured KMS keys is refused with `DataMaskingDecryptValueError`.
 *
 * The header is not authenticated yet at this point (that needs the data key): these checks only refuse.
 * A header that passes them is still authenticated by the SDK, and KMS binds the data key to the context.
 *
 * @module
 */
import type { NodeMaterialsManager } from '@aws-crypto/client-node';
import { DataMaskingDecryptValueError, DataMaskingEncryptionError } from '../../errors.js';
import { assertSameContext } from '../context.js';
import { currentRecord } from './fault-recorder.js';

type EncryptionRequest = Parameters<NodeMaterialsManager['getEncryptionMaterials']>[0];
type DecryptRequest = Parameters<NodeMaterialsManager['decryptMaterials']>[0];

/** The provider id of the KMS keyring's encrypted data keys. */
const KMS_PROVIDER_ID = 'aws-kms';

export class HeaderCheckMaterialsManager implements NodeMaterialsManager {
  readonly #next: NodeMaterialsManager;
  readonly #configuredKeys: ReadonlySet<string>;

  /**
   * @param next the manager that fetches materials (caching or not)
   * @param configuredKeys the KMS key ARNs of the provider
   */
  public constructor(next: NodeMaterialsManager, configuredKeys: readonly string[]) {
    this.#next = next;
    this.#configuredKeys = new Set(configuredKeys);
  }

  public getEncryptionMaterials = (request: EncryptionRequest) => this.#next.getEncryptionMaterials(request);

  public decryptMaterials = async (request: DecryptRequest) => {
    const record = currentRecord();
    // Only the provider's decrypt reaches here, always inside a record that holds the expected context.
    if (record?.expectedContext === undefined) {
      throw new DataMaskingEncryptionError('decryption materials requested outside a provider decrypt');
    }
    record.materialsRequested = true;
    assertSameContext(request.encryptionContext, record.expectedContext);
    const named = request.encryptedDataKeys.some(
      (edk) => edk.providerId === KMS_PROVIDER_ID && this.#configuredKeys.has(edk.providerInfo),
    );
    if (!named) {
      record.noConfiguredKey = true;
      // A genuine message under another key and one whose key ARN or provider id was altered look the
      // same; either way this value is not a ciphertext for this provider (HTTP 400).
      throw new DataMaskingDecryptValueError('the ciphertext names none of the configured KMS keys');
    }
    return this.#next.decryptMaterials(request);
  };
}
