/**
 * What the batch functions share per record: the record's encryption context, the base64 text payloads
 * carry, and the typed error a failed record is reported with.
 *
 * @module
 */
import { validateContext } from '../crypto/context.js';
import type { EncryptionContext } from '../crypto/encryption-provider.js';
import { TENANT_CONTEXT, tenantContext } from '../crypto/tenant-context.js';
import { parseJson } from '../erase/lossless-json.js';
import { DataMaskingEncryptionError, DataMaskingError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { contextUnavailable } from '../middleware/http.js';

/** The encryption context of one record: given, or read from the record (and the request, in Middy). */
export type RecordContext<TRequest = unknown> =
  | EncryptionContext
  /**
   * Lambda tenant isolation: exactly `{ tenant_id }` from `context.tenantId` — of the Middy request's
   * `context` in `batchMasking`, or of the Lambda context given to `maskRecords` as its `request`. None
   * fails the whole invocation (403): no record is decrypted or encrypted without a tenant.
   */
  | 'tenant'
  | ((
      record: Record<string, unknown>,
      request: TRequest | undefined,
    ) => EncryptionContext | Promise<EncryptionContext>);

/** The record's context; a function that cannot build it is a context failure for this record only. */
export async function contextOf<TRequest>(
  context: RecordContext<TRequest> | undefined,
  record: Record<string, unknown>,
  request: TRequest | undefined,
): Promise<EncryptionContext | undefined> {
  if (context === TENANT_CONTEXT) return tenantContext(lambdaContextOf(request));
  if (typeof context !== 'function') return context;
  try {
    const built = await context(record, request);
    return validateContext(built) as EncryptionContext;
  } catch (error) {
    throw contextUnavailable(error);
  }
}

/** The Lambda context in a request: a Middy request's `context`, or the request itself (a Lambda context). */
export function lambdaContextOf(request: unknown): unknown {
  if (request === null || typeof request !== 'object') return undefined;
  const inner = (request as { context?: unknown }).context;
  return inner !== null && typeof inner === 'object' ? inner : request;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Standard base64 of UTF-8 text, as Kinesis, Kafka and Firehose carry payloads; anything else fails. */
export function decodeBase64Text(payload: string): string {
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.toString('base64') !== payload) {
    throw new DataMaskingUnsupportedTypeError('the record payload is not standard base64');
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DataMaskingUnsupportedTypeError('the record payload is not UTF-8 text');
  }
}

/** Errors of this library pass as they are; anything else becomes a generic one, without its text. */
export function typedFailure(error: unknown): DataMaskingError {
  if (error instanceof DataMaskingError) return error;
  return new DataMaskingEncryptionError('masking the record failed');
}

/** The JSON text of a masked payload (lossless numbers written back verbatim). */
export function serializeRecord(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new DataMaskingUnsupportedTypeError('the masked record cannot be serialized');
  return json;
}

/**
 * A record's JSON text parsed (a leading BOM skipped, numbers kept exact).
 *
 * @throws {SyntaxError} when it is not JSON; its message quotes the text, so callers replace it.
 */
export function parseRecordJson(text: string): unknown {
  return parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
