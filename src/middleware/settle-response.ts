/**
 * Turns a response into what would be sent, before masking: a promise (a thenable from knex, Mongoose
 * or Bluebird, or an `after` that forgot an `await`) is awaited; a streamed body (`streamifyResponse`: a
 * Node `Readable` or a web `ReadableStream`, as the response itself or as its `body`) is read into a
 * `Buffer`; a `body` getter is read once. After masking, a body that was a stream becomes a stream again.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { MAX_DECODED_BYTES } from '../erase/codecs.js';
import { isThenable, streamKind } from '../erase/deferred.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';

/** How many nested thenables are awaited before the response is refused. */
const MAX_AWAITS = 8;

/** A response ready to mask, and how to give the masked one its original form back. */
export interface SettledResponse {
  readonly response: unknown;
  readonly restore: (masked: unknown) => unknown;
  /**
   * The response is a bare result that HTTP sends as the body (a stream, a string, an object without
   * `statusCode`): besides masking it as a document (`$.email`), expressions that start at `body`
   * (`$.body.email`) apply to it as the body of a 200.
   */
  readonly bare?: boolean;
}

type StreamKind = 'node' | 'web';

const same = (masked: unknown) => masked;

export async function settleResponse(response: unknown, httpEvent = false): Promise<SettledResponse> {
  const value = await settle(response);
  const kind = streamKind(value);
  if (kind !== undefined) {
    const bytes = await readAll(value, kind);
    if (httpEvent) return asBody(bytes, (body) => toStream(body, kind));
    return { response: bytes, restore: (masked) => toStream(masked, kind) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('body' in value)) {
    // An HTTP API or Function URL result without `statusCode` is sent as the body itself (a string as
    // is, anything else as JSON).
    if (httpEvent && value !== undefined && !hasStatusCode(value)) return asBody(value, same);
    return { response: value, restore: same };
  }
  // Own enumerable fields read once each: a `body` getter (own or inherited, which Middy's streaming
  // mode reads too) is not run again by whoever sends it.
  const record = value as Record<string, unknown>;
  const descriptor = Object.getOwnPropertyDescriptor(record, 'body');
  const body = await settle(record.body);
  const bodyKind = streamKind(body);
  const plainBody =
    descriptor !== undefined && descriptor.get === undefined && descriptor.enumerable === true;
  if (bodyKind === undefined && body === record.body && plainBody) {
    return { response: value, restore: same };
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(record)) copy[key] = key === 'body' ? undefined : record[key];
  copy.body = bodyKind === undefined ? body : await readAll(body, bodyKind);
  return {
    response: copy,
    restore:
      bodyKind === undefined
        ? same
        : (masked) => {
            if (masked === null || typeof masked !== 'object' || !('body' in masked)) return masked;
            const m = masked as Record<string, unknown>;
            return { ...m, body: toStream(m.body, bodyKind) };
          },
  };
}

/** A bare result: masked as it is (and, for `body` expressions, as a body), handed back in its own shape. */
function asBody(value: unknown, rebuild: (body: unknown) => unknown): SettledResponse {
  return { response: value, bare: true, restore: rebuild };
}

function hasStatusCode(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'statusCode' in value;
}

async function settle(value: unknown): Promise<unknown> {
  let v = value;
  for (let i = 0; i < MAX_AWAITS && isThenable(v); i++) v = await v;
  if (isThenable(v)) {
    throw new DataMaskingUnsupportedTypeError(`the response is still a promise after ${MAX_AWAITS} awaits`);
  }
  return v;
}

/** Reads a stream to its end, refusing more than the opener would decode anyway. */
async function readAll(stream: unknown, kind: StreamKind): Promise<Buffer> {
  const source =
    kind === 'web'
      ? Readable.fromWeb(stream as import('node:stream/web').ReadableStream)
      : (stream as AsyncIterable<unknown>);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > MAX_DECODED_BYTES) {
      (source as { destroy?: () => void }).destroy?.();
      throw new DataMaskingUnsupportedTypeError(
        `a streamed body larger than ${MAX_DECODED_BYTES} bytes cannot be read for masking`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function toStream(body: unknown, kind: StreamKind): unknown {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  const node = Readable.from([typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body)]);
  return kind === 'web' ? Readable.toWeb(node) : node;
}
