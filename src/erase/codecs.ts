/**
 * How a value that holds JSON is opened and closed again: a string (with or without a byte-order mark),
 * JSON inside JSON, a base64 `body`, bytes (`Buffer`, `Uint8Array`), and gzip, deflate, brotli or zstd
 * compression. Opening records the layers it peeled off; closing puts the same layers back on, so a
 * gzipped base64 body leaves gzipped and base64-encoded, a BOM stays, a Buffer stays a Buffer.
 *
 * @module
 */
import { headerOf } from './http-body.js';
import { parseJson } from './lossless-json.js';

/** One layer peeled off while opening, in the order it was peeled. */
export type Layer =
  | { readonly kind: 'base64' }
  | { readonly kind: 'bytes'; readonly buffer: boolean }
  | { readonly kind: 'compressed'; readonly encoding: Compression }
  | { readonly kind: 'utf8' }
  | { readonly kind: 'bom' }
  | { readonly kind: 'json' }
  | { readonly kind: 'bufferJson' };

/** The content codings HTTP responses use (`Content-Encoding`). */
export type Compression = 'gzip' | 'deflate' | 'br' | 'zstd';

/** What opening gave: the inner value and the layers around it. */
export interface Opening {
  readonly value: unknown;
  readonly layers: readonly Layer[];
  /** The JSON text the value was parsed from (the innermost one), when the last layer is JSON. */
  readonly text?: string;
}

/** A value that holds something it cannot be opened to: malformed JSON, binary, a broken stream of bytes. */
export class Unopenable {
  public constructor(
    public readonly reason: string,
    /** Bytes that are not text at all (an image): they hold no JSON field. */
    public readonly binary = false,
  ) {}
}

/** How many JSON strings inside JSON strings are opened before giving up (and withholding). */
const MAX_NESTED_JSON = 8;

/** Decompressed bodies larger than this are not opened (a decompression bomb costs no memory). */
export const MAX_DECODED_BYTES = 32 * 1024 * 1024;

/** Hints from where a value sits: an HTTP `body` says whether it is base64 and how it is compressed. */
export interface OpenHints {
  readonly base64: boolean;
  readonly encoding: Compression | undefined;
}

export const NO_HINTS: OpenHints = { base64: false, encoding: undefined };

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The first character code that is not JSON whitespace (after a BOM), or NaN. */
function firstSignificant(text: string): number {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (WHITESPACE.has(text.charCodeAt(i))) i++;
  return text.charCodeAt(i);
}

/** Whether a string's text starts like a JSON object, array or string (after a BOM and whitespace). */
export function looksLikeJson(text: string): boolean {
  const c = firstSignificant(text);
  return c === 0x7b || c === 0x5b || c === 0x22; // { [ "
}

/** Whether a string holds nothing at all (empty, or only whitespace): it provably holds no field. */
export function isBlank(text: string): boolean {
  return Number.isNaN(firstSignificant(text));
}

/**
 * Opens a string: base64 first when hinted, then a BOM, then JSON (and JSON strings inside it).
 * Returns `undefined` for plain text with nothing to peel (it is text, not a container).
 */
export function openString(text: string, hints: OpenHints): Opening | Unopenable | undefined {
  if (hints.base64) {
    return openBytes(Buffer.from(text, 'base64'), [{ kind: 'base64' }], hints.encoding);
  }
  return openText(text, []);
}

/** Opens bytes: decompressed as hinted (or when they carry the gzip magic), then UTF-8 text. */
export function openBytesValue(bytes: Uint8Array, hints: OpenHints): Opening | Unopenable {
  return openBytes(bytes, [{ kind: 'bytes', buffer: Buffer.isBuffer(bytes) }], hints.encoding);
}

function openBytes(
  bytes: Uint8Array,
  layers: Layer[],
  encoding: Compression | undefined,
): Opening | Unopenable {
  let data = bytes;
  const coding = encoding ?? (bytes[0] === 0x1f && bytes[1] === 0x8b ? 'gzip' : undefined);
  if (coding !== undefined) {
    try {
      data = decompress(data, coding);
    } catch {
      return new Unopenable(
        `a ${coding} body that does not decompress (or exceeds ${MAX_DECODED_BYTES} bytes)`,
      );
    }
    layers.push({ kind: 'compressed', encoding: coding });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch {
    return new Unopenable('binary data that is not UTF-8 text', true);
  }
  layers.push({ kind: 'utf8' });
  return openText(text, layers) ?? { value: text, layers };
}

function openText(text: string, layers: Layer[]): Opening | Unopenable | undefined {
  let body = text;
  let nested = 0;
  for (;;) {
    if (body.charCodeAt(0) === 0xfeff) {
      layers.push({ kind: 'bom' });
      body = body.slice(1);
    }
    if (!looksLikeJson(body)) return layers.length === 0 ? undefined : { value: body, layers };
    let parsed: unknown;
    try {
      parsed = parseJson(body);
    } catch {
      // NDJSON, a truncated document, JSON with comments: it looks like JSON and is not.
      return new Unopenable('text that starts like JSON but does not parse');
    }
    layers.push({ kind: 'json' });
    if (isBufferJson(parsed)) {
      // A Buffer serialized by JSON.stringify (`{"type":"Buffer","data":[…]}`): its bytes are the document.
      layers.push({ kind: 'bufferJson' });
      return openBytes(Buffer.from(parsed.data), layers, undefined);
    }
    if (typeof parsed !== 'string' || !looksLikeJson(parsed)) return { value: parsed, layers, text: body };
    if (++nested > MAX_NESTED_JSON)
      return new Unopenable(`JSON nested in JSON strings more than ${MAX_NESTED_JSON} times`);
    body = parsed;
  }
}

/** `{ type: 'Buffer', data: [bytes] }` and nothing else: what `JSON.stringify` makes of a Buffer. */
function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as { type?: unknown; data?: unknown };
  if (v.type !== 'Buffer' || !Array.isArray(v.data) || Object.keys(v).length !== 2) return false;
  for (const b of v.data) if (!Number.isInteger(b) || b < 0 || b > 255) return false;
  return true;
}

/** Whether the last layer was JSON: the opened value is what the JSON held (a scalar provably has no fields). */
export function endsWithJson(layers: readonly Layer[]): boolean {
  return layers.length > 0 && layers[layers.length - 1].kind === 'json';
}

/** Puts the layers back on `value`, innermost first. */
export function close(value: unknown, layers: readonly Layer[]): unknown {
  let v: unknown = value;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    switch (layer.kind) {
      case 'json':
        v = JSON.stringify(v);
        break;
      case 'bom':
        v = `\uFEFF${v as string}`;
        break;
      case 'utf8':
        v = Buffer.from(v as string, 'utf8');
        break;
      case 'compressed':
        v = compress(v as Buffer, layer.encoding);
        break;
      case 'bytes':
        v = layer.buffer ? v : new Uint8Array(v as Buffer);
        break;
      case 'base64':
        v = (v as Buffer).toString('base64');
        break;
      case 'bufferJson':
        v = { type: 'Buffer', data: Array.from(v as Buffer) };
        break;
    }
  }
  return v;
}

/** `Content-Encoding` of an HTTP response's headers, when it is one we can open. */
export function compressionOf(headers: unknown): Compression | undefined {
  const coding = headerOf(headers, 'content-encoding');
  if (coding === undefined) return undefined;
  const c = coding.trim().toLowerCase();
  if (c === 'gzip' || c === 'x-gzip') return 'gzip';
  if (c === 'deflate' || c === 'br' || c === 'zstd') return c;
  // identity, or a coding we cannot open: treated as none (the bytes then have to be text to open).
  return undefined;
}

const limits = { maxOutputLength: MAX_DECODED_BYTES };

/** zlib, loaded on the first compressed body: most functions never see one, and cold start pays nothing. */
let zlibModule: typeof import('node:zlib') | undefined;
function zlibOf(): typeof import('node:zlib') {
  zlibModule ??= process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
  return zlibModule;
}

function decompress(data: Uint8Array, coding: Compression): Buffer {
  const zlib = zlibOf();
  switch (coding) {
    case 'gzip':
      return zlib.gunzipSync(data, limits);
    case 'deflate':
      try {
        return zlib.inflateSync(data, limits);
      } catch {
        return zlib.inflateRawSync(data, limits);
      }
    case 'br':
      return zlib.brotliDecompressSync(data, limits);
    case 'zstd': {
      const z = zlib as unknown as { zstdDecompressSync?: (d: Uint8Array, o: object) => Buffer };
      if (z.zstdDecompressSync === undefined) throw new Error('zstd is not available');
      return z.zstdDecompressSync(data, limits);
    }
  }
}

function compress(data: Buffer, coding: Compression): Buffer {
  const zlib = zlibOf();
  switch (coding) {
    case 'gzip':
      return zlib.gzipSync(data);
    case 'deflate':
      return zlib.deflateSync(data);
    case 'br':
      return zlib.brotliCompressSync(data);
    case 'zstd':
      return (zlib as unknown as { zstdCompressSync: (d: Uint8Array) => Buffer }).zstdCompressSync(data);
  }
}
