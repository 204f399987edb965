/**
 * Maps a failed provider call to the error hierarchy of SPEC §4.3, from what the call went through (the
 * KMS faults recorded, how far decryption got), not from the text of the SDK's messages.
 *
 * @module
 */
import {
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptionError,
  DataMaskingEncryptKeyError,
  DataMaskingError,
  DataMaskingProviderUnavailableError,
} from '../../errors.js';
import type { CallRecord, KmsFault } from './fault-recorder.js';

/** KMS answers that mean "try again later". */
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'ServiceUnavailableException',
  'RequestLimitExceeded',
  'TimeoutError',
  'RequestTimeout',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * KMS answers that mean the ciphertext (the encrypted data key, or the context bound to it) is wrong:
 * tampered, or made under another context. `IncorrectKeyException`: the data key names one configured
 * key but was encrypted under another, which only an altered key ARN produces.
 */
const BAD_CIPHERTEXT = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/** Whether a KMS failure means "try again later" (throttled, unreachable, an internal error). */
export const isUnavailable = (fault: Pick<KmsFault, 'name' | 'error'>): boolean => {
  if (UNAVAILABLE.has(fault.name)) return true;
  const e = fault.error as { $retryable?: unknown; $metadata?: unknown; code?: unknown } | null;
  // A failure with no HTTP response at all never reached KMS (DNS, socket, timeout).
  if (e !== null && typeof e === 'object' && e.$retryable) return true;
  return typeof e?.code === 'string' && UNAVAILABLE.has(e.code);
};

const names = (faults: readonly KmsFault[]) =>
  [...new Set(faults.map((f) => `${f.operation}: ${f.name}`))].join(', ');

/** The typed error for a failed encrypt. */
export function encryptFailure(error: unknown, record: CallRecord): DataMaskingError {
  if (error instanceof DataMaskingError) return error;
  if (record.budgetExceeded === true) {
    return new DataMaskingEncryptionError(
      'the request needs more KMS calls than allowed (maxKmsCallsPerRequest): too many encryption contexts',
    );
  }
  const faults = record.faults;
  if (faults.some(isUnavailable)) {
    return new DataMaskingProviderUnavailableError(`KMS is unavailable (${names(faults)}); retry later`, {
      cause: error,
    });
  }
  if (faults.length > 0) {
    return new DataMaskingEncryptKeyError(`KMS refused to generate or wrap a data key (${names(faults)})`, {
      cause: error,
    });
  }
  return new DataMaskingEncryptionError('encryption failed', { cause: error });
}

/** The typed error for a failed decrypt. */
export function decryptFailure(error: unknown, record: CallRecord): DataMaskingError {
  if (error instanceof DataMaskingError) return error;
  if (record.budgetExceeded === true) {
    // Many data keys in one request is what forged ciphertexts look like: refused as bad input.
    return new DataMaskingDecryptValueError(
      'the request needs more KMS calls than allowed (maxKmsCallsPerRequest): too many distinct data keys',
    );
  }
  const faults = record.faults;
  if (faults.some(isUnavailable)) {
    return new DataMaskingProviderUnavailableError(`KMS is unavailable (${names(faults)}); retry later`, {
      cause: error,
    });
  }
  if (faults.length > 0 && faults.every((f) => BAD_CIPHERTEXT.has(f.name))) {
    return new DataMaskingDecryptValueError(
      'the ciphertext was tampered with: KMS cannot decrypt its data key',
      {
        cause: error,
      },
    );
  }
  if (faults.length > 0) {
    return new DataMaskingDecryptKeyError(
      `no configured KMS key can decrypt the data key (${names(faults)})`,
      {
        cause: error,
      },
    );
  }
  if (record.materialsRequested && record.noConfiguredKey) {
    // A message under another key, or one whose key ARN or provider id was altered: they look the same.
    return new DataMaskingDecryptValueError('the ciphertext names none of the configured KMS keys', {
      cause: error,
    });
  }
  // The header did not parse, or the body, header or signature did not authenticate.
  return new DataMaskingDecryptValueError('the value is not a valid AWS Encryption SDK message', {
    cause: error,
  });
}
