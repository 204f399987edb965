/**
 * The shape of a ciphertext, checked before the Encryption SDK or KMS sees it: the text is standard
 * base64, and the bytes are exactly one AWS Encryption SDK message (format version 2, a committing
 * algorithm suite), nothing before it and nothing after it.
 *
 * The SDK's own decrypt stops reading at the end of the last frame and ignores what follows (for unsigned
 * suites every trailing byte is dropped unread), so a message with bytes appended, or two messages one
 * after the other, would decrypt. Walking the framing here, in one pass over the lengths (never over the
 * content), finds where the message ends. It authenticates nothing: the SDK still checks the header, every
 * frame and the signature.
 *
 * @see https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html
 * @module
 */
import { AlgorithmSuiteIdentifier } from '@aws-crypto/client-node';
import { DataMaskingDecryptValueError } from '../../errors.js';

/**
 * The algorithm suites this package writes and reads: the two with key commitment, the only ones the
 * commitment policy `REQUIRE_ENCRYPT_REQUIRE_DECRYPT` allows.
 */
export const COMMITTING_SUITES: ReadonlySet<number> = new Set([
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
]);

const SIGNED_SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

// Message format version 2, committing suites (all integers big-endian).
const VERSION_2 = 0x02;
const MESSAGE_ID_BYTES = 32;
const SUITE_DATA_BYTES = 32; // the commitment key
const IV_BYTES = 12;
const TAG_BYTES = 16;
const NO_FRAMING = 0x01;
const FRAMED = 0x02;
const FINAL_FRAME = 0xffffffff;

/** What the header says, as far as the checks before decryption need it. */
export interface MessageShape {
  /** The algorithm suite id (bytes 1-2). */
  readonly suiteId: number;
  /** How many encrypted data keys the header carries. */
  readonly encryptedDataKeys: number;
}

const malformed = (what: string) =>
  new DataMaskingDecryptValueError(`the value is not a valid AWS Encryption SDK message: ${what}`);

const NOT_BASE64 = 'the value is not a base64 ciphertext';

/**
 * Decodes standard, padded base64 (RFC 4648 §4: no line breaks, no URL alphabet, canonical padding), the
 * form Powertools and this package write. Node's decoder skips what it does not understand, so the bytes
 * are encoded again and must give back the very text: two native linear passes, fast at any size (a
 * regular expression with a repeated group overflows V8's backtracking stack at about 4.5 MB).
 *
 * @throws {DataMaskingDecryptValueError} for anything else, a non-string included.
 */
export function decodeCiphertext(text: unknown): Buffer {
  if (typeof text !== 'string' || text.length === 0 || text.length % 4 !== 0) {
    throw new DataMaskingDecryptValueError(NOT_BASE64);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new DataMaskingDecryptValueError(NOT_BASE64);
  return bytes;
}

/**
 * Checks that `bytes` are exactly one message of format version 2 with a committing suite and at most
 * `maxEncryptedDataKeys` encrypted data keys, and returns what its header says. Costs one step per field
 * and per frame, never per content byte.
 *
 * @throws {DataMaskingDecryptValueError} for another version or suite, too many data keys, a truncated
 * message, or bytes after its end (trailing garbage, a second message).
 */
export function inspectMessage(bytes: Uint8Array, maxEncryptedDataKeys: number): MessageShape {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.byteLength;
  let at = 0;
  /** Reserves `n` bytes at the cursor and returns where they start. */
  const take = (n: number): number => {
    if (at + n > size) throw malformed('it is truncated');
    const start = at;
    at += n;
    return start;
  };
  const u8 = () => view.getUint8(take(1));
  const u16 = () => view.getUint16(take(2));
  const u32 = () => view.getUint32(take(4));

  const version = u8();
  if (version !== VERSION_2) {
    throw malformed(
      version === 0x01 ? 'format version 1 (no key commitment) is not accepted' : 'unknown format version',
    );
  }
  const suiteId = u16();
  if (!COMMITTING_SUITES.has(suiteId)) throw malformed('not a committing algorithm suite');
  take(MESSAGE_ID_BYTES);
  take(u16()); // the encryption context, parsed (and checked) by the SDK
  const encryptedDataKeys = u16();
  if (encryptedDataKeys === 0) throw malformed('it carries no encrypted data key');
  if (encryptedDataKeys > maxEncryptedDataKeys) {
    throw new DataMaskingDecryptValueError(
      `the message carries ${encryptedDataKeys} encrypted data keys, more than maxEncryptedDataKeys (${maxEncryptedDataKeys})`,
    );
  }
  for (let i = 0; i < encryptedDataKeys; i++) {
    take(u16()); // provider id
    take(u16()); // provider info (the KMS key ARN)
    take(u16()); // the encrypted data key
  }
  const contentType = u8();
  const frameLength = u32();
  take(SUITE_DATA_BYTES);
  take(TAG_BYTES); // header authentication (version 2: the IV is implicit)

  if (contentType === FRAMED) {
    for (let sequence = 1; ; sequence++) {
      const marker = u32();
      if (marker === FINAL_FRAME) {
        if (u32() !== sequence) throw malformed('frames out of sequence');
        take(IV_BYTES);
        const length = u32();
        if (length > frameLength) throw malformed('the final frame is longer than the frame length');
        take(length);
        take(TAG_BYTES);
        break;
      }
      if (marker !== sequence) throw malformed('frames out of sequence');
      take(IV_BYTES);
      take(frameLength);
      take(TAG_BYTES);
    }
  } else if (contentType === NO_FRAMING) {
    take(IV_BYTES);
    const high = u32();
    const low = u32();
    // Beyond 2^53 the length cannot fit in any buffer anyway: truncated.
    take(high * 2 ** 32 + low);
    take(TAG_BYTES);
  } else {
    throw malformed('unknown content type');
  }
  if (suiteId === SIGNED_SUITE) take(u16()); // the ECDSA signature

  if (at !== size) throw malformed('bytes follow the end of the message');
  return { suiteId, encryptedDataKeys };
}
