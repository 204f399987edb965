/**
 * What `TokenKey` and `createTokenKey` share about KMS: one client per region, and how a failed call
 * becomes a typed error.
 *
 * @module
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { isUnavailable } from '../crypto/kms/classify.js';
import { type DataMaskingErrorOptions, DataMaskingProviderUnavailableError } from '../errors.js';

const REGION = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/;

/** One client per region, shared by every key of the process, as the Encryption SDK's client cache does. */
const clients = new Map<string, KMSClient>();

/** The KMS client for a key: the ARN's region, else the environment's (a key id or an alias). */
export function regionalClient(kmsKeyId: string): KMSClient {
  const region = REGION.exec(kmsKeyId)?.[1] ?? '';
  let client = clients.get(region);
  if (client === undefined) {
    client = new KMSClient(region === '' ? {} : { region });
    clients.set(region, client);
  }
  return client;
}

/**
 * The typed error of a failed KMS call: unavailable (throttled, unreachable; retry) or `refused` (the key
 * policy, the key's state, another context). The message names the operation and the error's name only.
 */
export function kmsFailure(
  error: unknown,
  operation: string,
  refused: (message: string, options: DataMaskingErrorOptions) => Error,
  what: string,
): Error {
  const named = (error as { name?: unknown } | null)?.name;
  const name = typeof named === 'string' ? named : 'Error';
  if (isUnavailable({ name, error })) {
    return new DataMaskingProviderUnavailableError(
      `KMS is unavailable (${operation}: ${name}); retry later`,
      {
        cause: error,
      },
    );
  }
  return refused(`KMS refused to ${what} (${operation}: ${name})`, { cause: error });
}
