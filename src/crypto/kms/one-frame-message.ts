/**
 * AWS Encryption SDK messages of one frame, written and read in one synchronous pass.
 *
 * A field value is a few dozen bytes; the SDK's `encrypt` and `decrypt` push each one through a pipeline
 * of Node streams (duplexify, transforms, `setImmediate` ticks), which cost about ten times the
 * cryptography. For the messages this package writes — format version 2, the unsigned committing suite
 * 0x0478, a plaintext shorter than one frame — this module does what that pipeline does, byte for byte:
 * the SDK still provides the materials (the KMS keyring and the caching materials managers), the key
 * derivation and the key commitment (`getEncryptHelper`, `getDecryptionHelper`); only the framing is
 * written here, following the message format specification. Anything else (the signed suite, larger
 * plaintexts, several frames, an unusual header) goes through the SDK's own streams, unchanged.
 *
 * The output is an ordinary SDK message: the SDK's `decrypt` reads it, and this module reads the SDK's
 * (tested both ways).
 *
 * @see https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html
 * @see https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/body-aad-reference.html
 * @module
 */
import { randomFillSync } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  CommitmentPolicySuites,
  EncryptedDataKey,
  getDecryptionHelper,
  getEncryptHelper,
  type NodeDecryptionMaterial,
  type NodeEncryptionMaterial,
} from '@aws-crypto/client-node';

/** The only suite written and read here: committing, unsigned (no footer). */
const ONE_FRAME_SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
/** The SDK's default frame length, which its `encrypt` writes into every header. */
export const FRAME_LENGTH = 4096;
const POLICY = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;

const VERSION_2 = 0x02;
const FRAMED = 0x02;
const MESSAGE_ID_BYTES = 32;
const COMMIT_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FINAL_FRAME = 0xffffffff;
const U16_MAX = 0xffff;
/** The header is authenticated under an all-zero IV (format version 2 stores no header IV). */
const HEADER_IV = Buffer.alloc(IV_BYTES);
const EMPTY = Buffer.alloc(0);
const FINAL_FRAME_AAD = Buffer.from('AWSKMSEncryptionClient Final Frame', 'utf8');

/** Whether a plaintext of `length` bytes under `suiteId` is written here (else by the SDK's streams). */
export const writesOneFrame = (suiteId: number, length: number): boolean =>
  suiteId === ONE_FRAME_SUITE && length < FRAME_LENGTH;

/**
 * The message the SDK's `encrypt` writes for `plaintext` with `material`: header, header authentication
 * tag, one final frame. The material's data key is zeroed before this returns.
 *
 * @throws when the material is not for the one-frame suite, the plaintext does not fit one frame, or the
 * commitment policy forbids the suite (as the SDK's checks do).
 */
export function writeOneFrameMessage(material: NodeEncryptionMaterial, plaintext: Buffer): Buffer {
  const { getCipherInfo, dispose } = getEncryptHelper(material);
  try {
    CommitmentPolicySuites.isEncryptEnabled(POLICY, material.suite);
    if (!writesOneFrame(material.suite.id, plaintext.byteLength)) {
      throw new Error('the material or the plaintext does not fit a one-frame message');
    }
    const messageId = newMessageId();
    const { getCipher, keyCommitment } = getCipherInfo(messageId);
    if (keyCommitment === undefined || keyCommitment.byteLength !== COMMIT_KEY_BYTES) {
      throw new Error('the suite gave no key commitment');
    }
    const header = headerBytes(material, messageId, keyCommitment);
    const headerAuth = getCipher(HEADER_IV);
    headerAuth.setAAD(header);
    headerAuth.update(EMPTY);
    headerAuth.final();

    const iv = frameIv(1);
    const cipher = getCipher(iv);
    cipher.setAAD(finalFrameAad(messageId, plaintext.byteLength));
    const content = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const frameHeader = Buffer.allocUnsafe(4 + 4 + IV_BYTES + 4);
    frameHeader.writeUInt32BE(FINAL_FRAME, 0);
    frameHeader.writeUInt32BE(1, 4);
    frameHeader.set(iv, 8);
    frameHeader.writeUInt32BE(content.byteLength, 8 + IV_BYTES);
    return Buffer.concat([header, headerAuth.getAuthTag(), frameHeader, content, cipher.getAuthTag()]);
  } finally {
    dispose();
  }
}

/** What {@link readOneFrameMessage} finds in a message: enough to ask for materials and to decrypt. */
export interface OneFrameMessage {
  readonly suiteId: number;
  readonly messageId: Buffer;
  /** The header's encryption context, as the SDK decodes it (a frozen object without prototype). */
  readonly encryptionContext: Readonly<Record<string, string>>;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly keyCommitment: Buffer;
  /** The header up to its authentication tag: what the tag authenticates. */
  readonly header: Buffer;
  readonly headerTag: Buffer;
  readonly iv: Buffer;
  readonly content: Buffer;
  readonly tag: Buffer;
}

/**
 * Reads a message of the one shape this module writes — version 2, suite 0x0478, framed, its first frame
 * the final one, nothing after it, a cleanly encoded header — or returns `undefined` for anything else,
 * which the caller hands to the SDK's own `decrypt` (so every other message keeps the SDK's behaviour and
 * errors). Reads lengths and slices, never copies the content.
 */
export function readOneFrameMessage(message: Uint8Array): OneFrameMessage | undefined {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.byteLength;
  let at = 0;
  let ok = true;
  const take = (n: number): Buffer => {
    if (!ok || at + n > size) {
      ok = false;
      return EMPTY;
    }
    const slice = bytes.subarray(at, at + n);
    at += n;
    return slice;
  };
  /** A big-endian unsigned integer of `n` bytes at the cursor (0 once the message ran short). */
  const uint = (n: 1 | 2 | 4): number => {
    const start = at;
    take(n);
    if (!ok) return 0;
    return n === 1 ? view.getUint8(start) : n === 2 ? view.getUint16(start) : view.getUint32(start);
  };
  const u8 = () => uint(1);
  const u16 = () => uint(2);
  const u32 = () => uint(4);

  if (u8() !== VERSION_2) return undefined;
  const suiteId = u16();
  if (suiteId !== ONE_FRAME_SUITE) return undefined;
  const messageId = take(MESSAGE_ID_BYTES);
  const encryptionContext = decodeContext(take(u16()));
  if (encryptionContext === undefined) return undefined;
  const count = u16();
  if (count === 0) return undefined;
  const encryptedDataKeys: EncryptedDataKey[] = [];
  for (let i = 0; ok && i < count; i++) {
    const providerId = utf8(take(u16()));
    const rawInfo = take(u16());
    const providerInfo = utf8(rawInfo);
    const encryptedDataKey = take(u16());
    if (!ok || providerId === undefined || providerInfo === undefined) return undefined;
    const edk = dataKey(providerId, providerInfo, rawInfo, encryptedDataKey);
    if (edk === undefined) return undefined;
    encryptedDataKeys.push(edk);
  }
  if (u8() !== FRAMED) return undefined;
  const frameLength = u32();
  const keyCommitment = take(COMMIT_KEY_BYTES);
  const header = bytes.subarray(0, at);
  const headerTag = take(TAG_BYTES);
  if (u32() !== FINAL_FRAME || u32() !== 1) return undefined;
  const iv = take(IV_BYTES);
  const length = u32();
  if (length > frameLength) return undefined;
  const content = take(length);
  const tag = take(TAG_BYTES);
  if (!ok || at !== size) return undefined;
  Object.freeze(encryptedDataKeys);
  return {
    suiteId,
    messageId,
    encryptionContext,
    encryptedDataKeys,
    keyCommitment,
    header,
    headerTag,
    iv,
    content,
    tag,
  };
}

/** The SDK's data key record, or `undefined` where the SDK refuses one (its checks, its errors, later). */
function dataKey(
  providerId: string,
  providerInfo: string,
  rawInfo: Buffer,
  encryptedDataKey: Buffer,
): EncryptedDataKey | undefined {
  try {
    return new EncryptedDataKey({ providerId, providerInfo, rawInfo, encryptedDataKey });
  } catch {
    return undefined;
  }
}

/**
 * Decrypts a message {@link readOneFrameMessage} read, with materials for it: checks the key commitment
 * (before the content key is even derived), the header's authentication tag, then the frame's. The
 * material's data key is zeroed before this returns; the caller owns (and zeroes) the plaintext.
 *
 * @throws when the commitment policy forbids the suite, the commitment does not match, or a tag does
 * not authenticate.
 */
export function decryptOneFrameMessage(message: OneFrameMessage, material: NodeDecryptionMaterial): Buffer {
  const { getDecipherInfo, dispose } = getDecryptionHelper(material);
  try {
    CommitmentPolicySuites.isDecryptEnabled(POLICY, material.suite, message.messageId.toString('hex'));
    if (material.suite.id !== message.suiteId) throw new Error('the material is for another suite');
    const getDecipher = getDecipherInfo(message.messageId, message.keyCommitment);
    const headerAuth = getDecipher(HEADER_IV);
    headerAuth.setAAD(message.header);
    headerAuth.setAuthTag(message.headerTag);
    headerAuth.update(EMPTY);
    headerAuth.final();
    const decipher = getDecipher(message.iv);
    decipher.setAAD(finalFrameAad(message.messageId, message.content.byteLength));
    decipher.setAuthTag(message.tag);
    const plaintext = decipher.update(message.content);
    const tail = decipher.final();
    return tail.byteLength === 0 ? plaintext : Buffer.concat([plaintext, tail]);
  } finally {
    dispose();
  }
}

/**
 * Message ids come from a pool of CSPRNG output refilled 128 ids at a time, each byte used once (as Node's
 * `randomUUID` caches its entropy): one `randomBytes(32)` per field cost a system call, 6 µs on some
 * machines, as much as the rest of the message. The id is public (it is in the header); only uniqueness
 * and unpredictability matter, and both hold.
 */
const ID_POOL = Buffer.alloc(MESSAGE_ID_BYTES * 128);
let idPoolOffset = ID_POOL.byteLength;

function newMessageId(): Buffer {
  if (idPoolOffset === ID_POOL.byteLength) {
    randomFillSync(ID_POOL);
    idPoolOffset = 0;
  }
  const id = Buffer.from(ID_POOL.subarray(idPoolOffset, idPoolOffset + MESSAGE_ID_BYTES));
  idPoolOffset += MESSAGE_ID_BYTES;
  return id;
}

/** Version 2 header: version, suite, message id, context, data keys, content type, frame length, commitment. */
function headerBytes(
  material: NodeEncryptionMaterial,
  messageId: Uint8Array,
  commitment: Uint8Array,
): Buffer {
  const parts: Uint8Array[] = [];
  const fixed = Buffer.allocUnsafe(3);
  fixed.writeUInt8(VERSION_2, 0);
  fixed.writeUInt16BE(material.suite.id, 1);
  parts.push(fixed, messageId, contextBytes(material.encryptionContext));
  const keys = material.encryptedDataKeys;
  parts.push(u16Bytes(keys.length));
  for (const edk of keys) {
    const providerInfo = edk.rawInfo ?? Buffer.from(edk.providerInfo, 'utf8');
    parts.push(
      ...field(Buffer.from(edk.providerId, 'utf8')),
      ...field(providerInfo),
      ...field(edk.encryptedDataKey),
    );
  }
  const framing = Buffer.allocUnsafe(5);
  framing.writeUInt8(FRAMED, 0);
  framing.writeUInt32BE(FRAME_LENGTH, 1);
  parts.push(framing, commitment);
  return Buffer.concat(parts);
}

/**
 * The encryption context as the header stores it: its length, then (when not empty) the pair count and
 * the pairs sorted by the UTF-8 bytes of their keys, as the SDK sorts them (`utf8Sorting`).
 */
function contextBytes(context: Readonly<Record<string, string>>): Buffer {
  const pairs = Object.entries(context)
    .map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const)
    .sort((a, b) => Buffer.compare(a[0], b[0]));
  if (pairs.length === 0) return u16Bytes(0);
  const body: Uint8Array[] = [u16Bytes(pairs.length)];
  for (const [k, v] of pairs) body.push(...field(k), ...field(v));
  const aad = Buffer.concat(body);
  return Buffer.concat([u16Bytes(aad.byteLength), aad]);
}

/** Decodes the header's context the way the SDK does, or `undefined` where the SDK should decide. */
function decodeContext(aad: Uint8Array): Readonly<Record<string, string>> | undefined {
  const context: Record<string, string> = Object.create(null);
  if (aad.byteLength === 0) return Object.freeze(context);
  const view = new DataView(aad.buffer, aad.byteOffset, aad.byteLength);
  if (aad.byteLength < 2) return undefined;
  const count = view.getUint16(0);
  let at = 2;
  const next = (): string | undefined => {
    if (at + 2 > aad.byteLength) return undefined;
    const length = view.getUint16(at);
    at += 2;
    if (at + length > aad.byteLength) return undefined;
    const text = utf8(aad.subarray(at, at + length));
    at += length;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const key = next();
    const value = next();
    if (key === undefined || value === undefined || Object.hasOwn(context, key)) return undefined;
    context[key] = value;
  }
  return at === aad.byteLength && count > 0 ? Object.freeze(context) : undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 (the SDK decodes leniently; a header that needs leniency goes to the SDK instead). */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The IV of frame `sequence`: zeros, then the sequence number (big-endian), as the SDK writes it. */
function frameIv(sequence: number): Buffer {
  const iv = Buffer.alloc(IV_BYTES);
  iv.writeUInt32BE(sequence, IV_BYTES - 4);
  return iv;
}

/** The body AAD of the final frame: message id, "…Final Frame", sequence number 1, content length (u64). */
function finalFrameAad(messageId: Uint8Array, contentLength: number): Buffer {
  const tail = Buffer.alloc(4 + 8);
  tail.writeUInt32BE(1, 0);
  tail.writeBigUInt64BE(BigInt(contentLength), 4);
  return Buffer.concat([messageId, FINAL_FRAME_AAD, tail]);
}

function u16Bytes(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > U16_MAX) {
    throw new Error('a header field is longer than the message format allows');
  }
  const out = Buffer.allocUnsafe(2);
  out.writeUInt16BE(value, 0);
  return out;
}

/** A length-prefixed header field. */
const field = (bytes: Uint8Array): [Buffer, Uint8Array] => [u16Bytes(bytes.byteLength), bytes];
