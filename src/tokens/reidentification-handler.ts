/**
 * `reidentificationHandler`: the re-identification side of the AWS pseudonymization-service pattern
 * (SPEC §10) as a ready Lambda handler, for API Gateway and for Amazon Redshift Lambda UDFs.
 *
 * @module
 */
import {
  createTokenServiceHandler,
  type ServiceDirection,
  ServiceRefusal,
  type TokenServiceHandler,
  type TokenServiceLimits,
} from './service-protocol.js';
import type { TokenCodec } from './token-codec.js';
import { parseToken, TOKEN_TAG } from './token-format.js';
import type { TokenKey } from './token-key.js';

/** Options of {@link reidentificationHandler}. */
export interface ReidentificationHandlerOptions extends TokenServiceLimits {
  /**
   * The key the pseudonyms were made with, or several (one per version, for rotation): each pseudonym is
   * opened with the key of its version.
   */
  key: TokenKey | readonly TokenKey[];
}

/** The sealed bytes of a token are a 16-byte synthetic IV, then as many bytes as the value's JSON text. */
const SIV_BYTES = 16;
const MAX_VERSION_LENGTH = 32;

/**
 * The longest token of an identifier of `maxValueLength` characters: its JSON text takes at most six
 * UTF-8 bytes per character (a control character or a lone surrogate is written `\uXXXX`) and two quotes,
 * sealed behind the IV, in base64url, after the tag and the longest version.
 */
function longestToken(maxValueLength: number): number {
  const sealed = SIV_BYTES + 6 * maxValueLength + 2;
  return TOKEN_TAG.length + MAX_VERSION_LENGTH + 1 + Math.ceil((sealed * 4) / 3);
}

/** The version of a token already checked by `keyOf` (the tag, then letters and digits up to `_`). */
const versionOf = (token: string): string =>
  token.slice(TOKEN_TAG.length, token.indexOf('_', TOKEN_TAG.length));

const REIDENTIFICATION: ServiceDirection = {
  name: 'reidentificationHandler',
  input: 'pseudonyms',
  output: 'identifiers',
  manyKeys: true,
  inputLength: longestToken,
  converter: (codecs, maxLength) => {
    const byVersion = new Map<string, TokenCodec>(codecs.map((codec) => [codec.version, codec]));
    return {
      keyOf: (value, where) => {
        if (typeof value !== 'string')
          throw new ServiceRefusal(400, `${where}: must be a pseudonym (a string) or null`);
        if (value.length > maxLength)
          throw new ServiceRefusal(413, `${where}: longer than ${maxLength} characters`);
        const parsed = parseToken(value);
        if (parsed === undefined) throw new ServiceRefusal(400, `${where}: not a well-formed pseudonym`);
        // Checked now, so that a request naming a retired or unknown version is refused before any KMS call.
        if (!byVersion.has(parsed.version)) {
          throw new ServiceRefusal(400, `${where}: no configured key has the pseudonym's version`);
        }
        return value;
      },
      // Only the keys of the versions present: a request of new pseudonyms needs no unwrap of a retired key.
      ready: (values) => {
        const versions = new Set(values.map((token) => versionOf(token as string)));
        return Promise.all([...versions].map((version) => byVersion.get(version)?.ready()));
      },
      convert: (value, where) => {
        const token = value as string;
        const codec = byVersion.get(versionOf(token)) as TokenCodec;
        try {
          return codec.detokenize(token);
        } catch (error) {
          // By name, not class: a key made by another copy of the package throws that copy's classes.
          const name = (error as { name?: unknown } | null)?.name;
          if (name === 'DataMaskingContextMismatchError') {
            throw new ServiceRefusal(
              403,
              `${where}: does not authenticate under the key of its version (another key or context, or altered)`,
            );
          }
          // Authentic, yet not the JSON text of a value: made with the key by something else than tokenize.
          if (name === 'DataMaskingDecryptValueError')
            throw new ServiceRefusal(400, `${where}: not a valid pseudonym`);
          throw error;
        }
      },
    };
  },
};

/**
 * A Lambda handler that re-identifies batches of pseudonyms made by {@link pseudonymizationHandler} (or a
 * `{ tokenize: key }` rule): each comes back as the identifier it was made from, with its JSON type (`42`
 * stays a number). Meant for a separate function and a more privileged role than pseudonymization.
 *
 * It answers two kinds of events:
 * - **API Gateway**, REST API (v1) or HTTP API (v2), base64 bodies too: a `POST` of
 *   `{ "pseudonyms": [...] }` (strings, or `null`) is answered 200 with `{ "identifiers": [...] }`, in the same
 *   order, `null` kept, each distinct pseudonym computed once. Errors are `{ "message": "..." }`: 405 (not
 *   `POST`, with `Allow: POST`), 400 (not JSON, another shape, a pseudonym that is not a well-formed token or
 *   whose version no key has), 403 (a pseudonym that does not authenticate: made under another key or
 *   context, or altered — indistinguishable by design), 413 (more than `maxValues` pseudonyms, one longer
 *   than any token of an identifier of `maxValueLength` characters, or a body larger than such a request can
 *   be, refused before it is parsed), 503 with `Retry-After` (KMS throttled or unreachable) and 500 (anything
 *   else, KMS refusing included). A message names a position (`pseudonyms[3]`), never a value or a token.
 * - **Amazon Redshift Lambda UDF**: the first argument of each row is re-identified, SQL NULL stays NULL,
 *   and the answer is `{ success: true, num_records, results }`; any failure is `{ success: false, error_msg }`,
 *   naming the row (`row 3: …`, counted from 0 as in `arguments`), never its value.
 *
 * Any other event fails the invocation with a `DataMaskingUnsupportedTypeError`. The keys of the
 * versions a request carries are unwrapped (one KMS `Decrypt` each, once) after the request is checked.
 *
 * @throws {DataMaskingUnsupportedTypeError} now, on an unknown option, a `key` that is not a `TokenKey` or
 * an array of them, two keys of one version, or a limit that is not a positive integer.
 *
 * @example
 * ```ts
 * import { reidentificationHandler, TokenKey } from 'middy-data-masking/tokens';
 *
 * // Version 2 makes the new pseudonyms; version 1's are still re-identified.
 * const keys = JSON.parse(process.env.TOKEN_KEYS ?? '[]').map((d: TokenKeyDescriptor) => new TokenKey(d));
 * export const handler = reidentificationHandler({ key: keys });
 * // POST { "pseudonyms": ["tok_2_…", "tok_1_…", null] }
 * // → 200 { "identifiers": ["jane@example.com", 42, null] }
 * ```
 */
export function reidentificationHandler(options: ReidentificationHandlerOptions): TokenServiceHandler {
  return createTokenServiceHandler(options, REIDENTIFICATION);
}
