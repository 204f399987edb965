/**
 * `pseudonymizationHandler`: the pseudonymization side of the AWS pseudonymization-service pattern
 * (SPEC §10) as a ready Lambda handler, for API Gateway and for Amazon Redshift Lambda UDFs.
 *
 * @module
 */
import {
  createTokenServiceHandler,
  type ServiceDirection,
  scalarKey,
  type TokenServiceHandler,
  type TokenServiceLimits,
} from './service-protocol.js';
import type { TokenKey } from './token-key.js';

/** Options of {@link pseudonymizationHandler}. */
export interface PseudonymizationHandlerOptions extends TokenServiceLimits {
  /** The key the pseudonyms are made with; its version is the one they carry. */
  key: TokenKey;
}

const PSEUDONYMIZATION: ServiceDirection = {
  name: 'pseudonymizationHandler',
  input: 'identifiers',
  output: 'pseudonyms',
  // Pseudonyms are made under one version: rotation adds keys on the re-identification side only.
  manyKeys: false,
  inputLength: (maxValueLength) => maxValueLength,
  converter: ([codec], maxLength) => ({
    keyOf: (value, where) => scalarKey(value, where, maxLength),
    // A request with nothing to pseudonymize makes no KMS call.
    ready: (values) => (values.length === 0 ? Promise.resolve() : codec.ready()),
    convert: (value) => codec.tokenize(value),
  }),
};

/**
 * A Lambda handler that pseudonymizes batches of identifiers: each becomes its token under `key`
 * (`tok_<version>_…`), deterministic, so the same identifier always gets the same pseudonym and joins,
 * counts and de-duplication work on pseudonymized data; only {@link reidentificationHandler}, with the
 * key, reverses it. Give it its own function and role, allowed `kms:Decrypt` of the key only.
 *
 * It answers two kinds of events:
 * - **API Gateway**, REST API (v1) or HTTP API (v2), base64 bodies too: a `POST` of
 *   `{ "identifiers": [...] }` — strings, numbers, booleans, `null` — is answered 200 with
 *   `{ "pseudonyms": [...] }`, in the same order, `null` kept, each distinct identifier computed once.
 *   Errors are `{ "message": "..." }`: 405 (not `POST`, with `Allow: POST`), 400 (not JSON, another shape,
 *   an object or an array among the identifiers), 413 (more than `maxValues` identifiers, one longer than
 *   `maxValueLength`, or a body larger than such a request can be, refused before it is parsed), 503 with
 *   `Retry-After` (KMS throttled or unreachable) and 500 (anything else, KMS refusing included). A message
 *   names a position (`identifiers[3]`), never a value.
 * - **Amazon Redshift Lambda UDF** (`CREATE EXTERNAL FUNCTION … RETURNS varchar … LAMBDA '…'`): the first
 *   argument of each row is pseudonymized, SQL NULL stays NULL, and the answer is
 *   `{ success: true, num_records, results }`; any failure is `{ success: false, error_msg }`, naming the
 *   row (`row 3: …`, counted from 0 as in `arguments`), never its value.
 *
 * Any other event fails the invocation with a `DataMaskingUnsupportedTypeError`. The key is unwrapped
 * (one KMS `Decrypt`) by the first request that has something to pseudonymize, once checked.
 *
 * @throws {DataMaskingUnsupportedTypeError} now, on an unknown option, a `key` that is not a `TokenKey`,
 * or a limit that is not a positive integer.
 *
 * @example
 * ```ts
 * import { pseudonymizationHandler, TokenKey } from 'middy-data-masking/tokens';
 *
 * export const handler = pseudonymizationHandler({ key: new TokenKey(JSON.parse(process.env.TOKEN_KEY ?? '')) });
 * // POST { "identifiers": ["jane@example.com", 42, null] }
 * // → 200 { "pseudonyms": ["tok_1_…", "tok_1_…", null] }
 * ```
 */
export function pseudonymizationHandler(options: PseudonymizationHandlerOptions): TokenServiceHandler {
  return createTokenServiceHandler(options, PSEUDONYMIZATION);
}
