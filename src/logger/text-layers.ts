/**
 * The layers a log entry's strings can hide data under, for the log masker: JSON text (after a
 * byte-order mark and whitespace), JSON inside JSON, and a base64 `body` (gzipped or not) whose sibling
 * `isBase64Encoded` is `true`. Each is opened in one linear pass and closed again exactly as it came.
 *
 * @module
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { MAX_DECODED_BYTES } from '../erase/codecs.js';

const BOM = 0xfeff;

/**
 * JSON whitespace (RFC 8259: space, tab, line feed, carriage return), and a byte-order mark: a BOM is not
 * JSON, but a reader strips it wherever it sits in the padding, so it hides nothing from the masker.
 */
function isPadding(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === BOM;
}

/**
 * Where the JSON value in `text` starts when `text` holds a JSON object, array or string (after
 * byte-order marks and JSON whitespace); `-1` when it does not start like one.
 */
export function jsonStart(text: string): number {
  let i = 0;
  while (isPadding(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  return c === 0x7b || c === 0x5b || c === 0x22 ? i : -1; // { [ "
}

/** How a JSON text is wrapped: what precedes the value (BOM, whitespace) and the whitespace after it. */
export interface JsonFrame {
  readonly prefix: string;
  readonly suffix: string;
  readonly body: string;
}

/** Splits `text` (whose value starts at `start`, from {@link jsonStart}) into its frame and JSON body. */
export function jsonFrame(text: string, start: number): JsonFrame {
  let end = text.length;
  while (end > start && isPadding(text.charCodeAt(end - 1))) end--;
  return { prefix: text.slice(0, start), suffix: text.slice(end), body: text.slice(start, end) };
}

/** One lossless JSON parse for every surface: numbers a double cannot carry stay exact. */
export { isRawJson, parseJson as parseJsonExact } from '../erase/lossless-json.js';

/** Decompressed bodies larger than this are not opened (a decompression bomb costs no memory). */
const MAX_INFLATED_BYTES = MAX_DECODED_BYTES;

/** The UTF-8 text some bytes (or a base64 string) hold, and how to encode a masked version back. */
export interface OpenedText<T> {
  readonly text: string;
  /** The same layers again around `text`: gzip when it was gzipped, and the original encoding. */
  encode(text: string): T;
}

/**
 * Opens bytes that hold UTF-8 text, gunzipped first when they carry the gzip magic; `undefined` for
 * bytes that are not UTF-8 text (an image) or a gzip stream that does not inflate (within 32 MiB).
 */
export function openBytesText(bytes: Uint8Array): OpenedText<Buffer> | undefined {
  let data = bytes;
  const gzipped = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (gzipped) {
    try {
      data = gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch {
      return undefined;
    }
  }
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, so it is encoded back.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch {
    return undefined;
  }
  return {
    text,
    encode(masked: string): Buffer {
      const out = Buffer.from(masked, 'utf8');
      return gzipped ? gzipSync(out) : out;
    },
  };
}

const CANONICAL_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Opens a base64 string that holds UTF-8 text (gzipped or not), as API Gateway sends a body for a binary
 * media type; `undefined` when it is not canonical base64 (padded or not), or holds bytes that are not
 * UTF-8 text (an image): those are left as they are. Linear in the length of `value`.
 */
export function openBase64Text(value: string): OpenedText<string> | undefined {
  if (value.length === 0 || !CANONICAL_BASE64.test(value)) return undefined;
  const padded = value.endsWith('=');
  const bytes = Buffer.from(value, 'base64');
  // Buffer's decoder skips what is not base64: accept only text that is exactly what it decoded.
  const again = bytes.toString('base64');
  if ((padded ? again : again.replace(/=+$/, '')) !== value) return undefined;
  const opened = openBytesText(bytes);
  if (opened === undefined) return undefined;
  return {
    text: opened.text,
    encode(masked: string): string {
      const encoded = opened.encode(masked).toString('base64');
      return padded ? encoded : encoded.replace(/=+$/, '');
    },
  };
}
