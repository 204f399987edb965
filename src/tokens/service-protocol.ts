/**
 * What the pseudonymization and re-identification handlers share (SPEC §10): checking their options,
 * recognising the event (API Gateway REST or HTTP API, or the Amazon Redshift Lambda UDF JSON protocol),
 * reading the values out of it within the limits, computing each distinct value once, and answering —
 * errors included — without ever quoting a value, a token or the body.
 *
 * The direction (tokenize or detokenize) is the only part each handler brings, as a {@link ServiceDirection}.
 *
 * @module
 */
import { isRawJson, parseJson } from '../erase/lossless-json.js';
import { DataMaskingProviderUnavailableError, DataMaskingUnsupportedTypeError } from '../errors.js';
import { describeFailure, SERVICE_UNAVAILABLE_MESSAGE } from '../middleware/http.js';
import { assertKnownOptions } from '../options.js';
import { tokenKeyring } from './detokenize.js';
import type { TokenCodec } from './token-codec.js';

/** The limits both handlers take. */
export interface TokenServiceLimits {
  /**
   * The most values one request may carry (identifiers, pseudonyms or Redshift rows); more is refused
   * (HTTP 413, Redshift `success: false`). Default 10,000.
   */
  maxValues?: number;
  /**
   * The longest identifier, in characters (UTF-16 code units) for a string and in characters of its JSON
   * text for a number or a boolean; longer is refused (HTTP 413). The re-identification handler accepts
   * the pseudonyms such identifiers can have. Default 4,096.
   */
  maxValueLength?: number;
}

/** The HTTP response of a handler to an API Gateway event, errors included (a JSON body in both cases). */
export interface TokenServiceHttpResponse {
  /** 200, or 400, 403, 405, 413, 500, 503. */
  statusCode: number;
  /** `content-type: application/json`; `Allow` on a 405, `Retry-After` on a 503. */
  headers: Record<string, string>;
  /** `{ "pseudonyms": [...] }`, `{ "identifiers": [...] }`, or `{ "message": "..." }` on an error. */
  body: string;
}

/** An API Gateway proxy event as the handlers read it: REST API (v1) or HTTP API (v2). */
export interface TokenServiceHttpEvent {
  /** The method of a REST API (v1) event. */
  httpMethod?: string;
  /** HTTP API (v2) and Function URLs carry the method as `requestContext.http.method`. */
  requestContext?: object;
  /** The request body: JSON text, or its base64 when `isBase64Encoded`. */
  body?: string | null;
  isBase64Encoded?: boolean;
  /** Not read: the body is JSON whatever its `content-type` says. */
  headers?: Record<string, string | undefined> | null;
}

/**
 * An Amazon Redshift Lambda UDF invocation (`CREATE EXTERNAL FUNCTION … LAMBDA '…'`): a batch of rows,
 * each the function's arguments; `null` is SQL NULL (a whole row may be `null`).
 */
export interface RedshiftUdfEvent {
  request_id?: string;
  cluster?: string;
  user?: string;
  database?: string;
  external_function?: string;
  query_id?: number;
  /** How many rows `arguments` holds; a batch where it does not match is refused. */
  num_records: number;
  /** One row per record: the function's arguments, of which the handlers read the first. */
  arguments: readonly (readonly unknown[] | null)[];
}

/**
 * The answer to a Redshift Lambda UDF invocation: one result per row, in order, or a failure that fails
 * the query with `error_msg` (naming a row, never its value).
 */
export type RedshiftUdfResponse =
  | { success: true; num_records: number; results: unknown[] }
  | { success: false; error_msg: string };

/**
 * A pseudonymization or re-identification handler: answers API Gateway events with an HTTP response and
 * Redshift Lambda UDF events with a Redshift response. The types of `@types/aws-lambda`
 * (`APIGatewayProxyEvent`, `APIGatewayProxyEventV2`) pick the HTTP signature.
 *
 * No signature takes `unknown`: TypeScript would choose it before the HTTP one for an `APIGatewayProxyEventV2`
 * (overloads are first matched by subtype), and the response would lose its type. At run time any event is
 * read, and one that is neither rejects with a `DataMaskingUnsupportedTypeError` (the event is not quoted).
 */
export interface TokenServiceHandler {
  (event: RedshiftUdfEvent, context?: unknown): Promise<RedshiftUdfResponse>;
  (event: TokenServiceHttpEvent, context?: unknown): Promise<TokenServiceHttpResponse>;
}

/**
 * A request refused for what it carries: 400 (malformed), 403 (a token that does not authenticate) or 413
 * (over the limits). Its message names a position and a reason, never a value.
 *
 * @internal
 */
export class ServiceRefusal extends Error {
  public constructor(
    public readonly statusCode: 400 | 403 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceRefusal';
  }
}

/**
 * What one handler does to the values, checked first (no KMS call for a request that is refused) and then
 * converted, each distinct value once.
 *
 * @internal
 */
export interface ValueConverter {
  /**
   * Checks one value (never `null`) and returns the key that identifies it among the request's values:
   * values with the same key are converted once.
   *
   * @throws {ServiceRefusal} naming `where`.
   */
  keyOf(value: unknown, where: string): string;
  /** Gets ready the keys the checked values need (the KMS unwrap, shared by concurrent callers). */
  ready(values: readonly unknown[]): Promise<unknown>;
  /**
   * The output for one checked value.
   *
   * @throws {ServiceRefusal} naming `where` (a token that does not authenticate), or a library error (500).
   */
  convert(value: unknown, where: string): unknown;
}

/**
 * The direction of a handler: its name and fields, and how it converts.
 *
 * @internal
 */
export interface ServiceDirection {
  /** The handler's name, for configuration errors. */
  readonly name: string;
  /** The request field (`identifiers`, `pseudonyms`). */
  readonly input: string;
  /** The response field (`pseudonyms`, `identifiers`). */
  readonly output: string;
  /** Whether `key` may be an array of keys (picked by token version). */
  readonly manyKeys: boolean;
  /** The longest value the request may carry, in characters, for identifiers of `maxValueLength`. */
  inputLength(maxValueLength: number): number;
  /** The converter over the configured keys, accepting values up to `maxLength` characters. */
  converter(codecs: readonly TokenCodec[], maxLength: number): ValueConverter;
}

const OPTIONS = ['key', 'maxValues', 'maxValueLength'];
const DEFAULT_MAX_VALUES = 10_000;
const DEFAULT_MAX_VALUE_LENGTH = 4096;

/**
 * Per value, besides its JSON text, a body may hold its separator and some whitespace; and besides the
 * values, the object around them. Generous on purpose: the bound only has to make a flood cheap to refuse.
 */
const BODY_BYTES_PER_VALUE = 8;
const BODY_BYTES_AROUND = 1024;

const JSON_HEADERS = (): Record<string, string> => ({ 'content-type': 'application/json' });

/** The one key of a handler's options, checked: one codec, or (when `manyKeys`) one per distinct version. */
function keyCodecs(key: unknown, direction: ServiceDirection): TokenCodec[] {
  const where = `${direction.name} options`;
  if (!direction.manyKeys && Array.isArray(key)) {
    throw new DataMaskingUnsupportedTypeError(`'key' of ${where} must be one TokenKey`);
  }
  // Two keys of one version are refused: a token of that version could only be tried under one of them.
  return [...tokenKeyring(key, where).values()];
}

function limit(value: unknown, name: string, fallback: number, direction: ServiceDirection): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new DataMaskingUnsupportedTypeError(
      `'${name}' of ${direction.name} options must be a positive integer`,
    );
  }
  return value as number;
}

/**
 * A handler of `direction`, its options checked now.
 *
 * @throws {DataMaskingUnsupportedTypeError} on an unknown option, a key that is not a `TokenKey` (or, for
 * re-identification, two keys of one version), or a limit that is not a positive integer.
 * @internal
 */
export function createTokenServiceHandler(
  options: unknown,
  direction: ServiceDirection,
): TokenServiceHandler {
  assertKnownOptions(options, OPTIONS, `${direction.name} options`);
  if (options === undefined) throw new DataMaskingUnsupportedTypeError(`${direction.name} needs { key }`);
  const o = options as { key?: unknown; maxValues?: unknown; maxValueLength?: unknown };
  const codecs = keyCodecs(o.key, direction);
  const maxValues = limit(o.maxValues, 'maxValues', DEFAULT_MAX_VALUES, direction);
  const maxLength = direction.inputLength(
    limit(o.maxValueLength, 'maxValueLength', DEFAULT_MAX_VALUE_LENGTH, direction),
  );
  const converter = direction.converter(codecs, maxLength);
  // The largest body a request within the limits can have: any character of a JSON string may be written
  // as a six-character `\uXXXX` escape (Python's json.dumps escapes every non-ASCII one by default).
  const maxBodyBytes = maxValues * (6 * maxLength + 2 + BODY_BYTES_PER_VALUE) + BODY_BYTES_AROUND;
  const service: Service = { direction, converter, maxValues, maxBodyBytes };

  const handler = async (event: unknown): Promise<TokenServiceHttpResponse | RedshiftUdfResponse> => {
    const method = httpMethodOf(event);
    if (method !== undefined) return answerHttp(service, event as TokenServiceHttpEvent, method);
    if (isRedshiftEvent(event)) return answerRedshift(service, event);
    throw new DataMaskingUnsupportedTypeError(
      `${direction.name} answers API Gateway (REST or HTTP API) and Amazon Redshift Lambda UDF events only`,
    );
  };
  return handler as TokenServiceHandler;
}

/** A handler's configuration, once checked. */
interface Service {
  readonly direction: ServiceDirection;
  readonly converter: ValueConverter;
  readonly maxValues: number;
  readonly maxBodyBytes: number;
}

/** The HTTP method of an API Gateway REST (v1) or HTTP API (v2) event, else `undefined`. */
function httpMethodOf(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as { httpMethod?: unknown; requestContext?: { http?: { method?: unknown } } | null };
  if (typeof e.httpMethod === 'string') return e.httpMethod;
  const method = typeof e.requestContext === 'object' ? e.requestContext?.http?.method : undefined;
  return typeof method === 'string' ? method : undefined;
}

function isRedshiftEvent(event: unknown): event is RedshiftUdfEvent {
  return (
    event !== null &&
    typeof event === 'object' &&
    Array.isArray((event as { arguments?: unknown }).arguments) &&
    'num_records' in event
  );
}

/**
 * Checks every value, then gets the keys ready, then converts each distinct value once. `null` stays
 * `null` (SQL NULL, a missing value) and needs no key.
 */
async function convertAll(service: Service, values: readonly unknown[], where: (i: number) => string) {
  const { converter } = service;
  const keys = values.map((value, i) => (value === null ? undefined : converter.keyOf(value, where(i))));
  await converter.ready(values.filter((value) => value !== null));
  const done = new Map<string, unknown>();
  return values.map((value, i) => {
    const key = keys[i];
    if (key === undefined) return null;
    if (done.has(key)) return done.get(key);
    const out = converter.convert(value, where(i));
    done.set(key, out);
    return out;
  });
}

/** The status and message of a failure, without its details: what a client may see. */
function failureOf(service: Service, error: unknown): { statusCode: number; message: string } {
  if (error instanceof ServiceRefusal) return { statusCode: error.statusCode, message: error.message };
  // By name, not class: a key made by another copy of the package throws that copy's classes.
  const unavailable =
    error instanceof DataMaskingProviderUnavailableError ||
    (error as { name?: unknown } | null)?.name === 'DataMaskingProviderUnavailableError';
  // No value ever reaches these logs: the library's errors carry none, and of anything else only the type is kept.
  console.error(`${service.direction.name}: ${describeFailure(error)}`);
  return unavailable
    ? { statusCode: 503, message: SERVICE_UNAVAILABLE_MESSAGE }
    : { statusCode: 500, message: 'Internal Server Error' };
}

function httpAnswer(
  statusCode: number,
  body: unknown,
  headers?: Record<string, string>,
): TokenServiceHttpResponse {
  return { statusCode, headers: { ...JSON_HEADERS(), ...headers }, body: JSON.stringify(body) };
}

async function answerHttp(
  service: Service,
  event: TokenServiceHttpEvent,
  method: string,
): Promise<TokenServiceHttpResponse> {
  if (method.toUpperCase() !== 'POST') {
    return httpAnswer(405, { message: 'Method Not Allowed' }, { Allow: 'POST' });
  }
  const { input, output } = service.direction;
  try {
    const values = requestValues(service, event);
    const results = await convertAll(service, values, (i) => `${input}[${i}]`);
    return httpAnswer(200, { [output]: results });
  } catch (error) {
    const { statusCode, message } = failureOf(service, error);
    const headers: Record<string, string> | undefined =
      statusCode === 503
        ? { 'Retry-After': String(DataMaskingProviderUnavailableError.retryAfterSeconds) }
        : undefined;
    return httpAnswer(statusCode, { message }, headers);
  }
}

/** The values of an API Gateway request: its body, within the size limit, decoded, parsed and checked. */
function requestValues(service: Service, event: TokenServiceHttpEvent): unknown[] {
  const { input } = service.direction;
  const text = bodyText(event.body, event.isBase64Encoded === true, service.maxBodyBytes);
  let body: unknown;
  try {
    body = parseJson(text);
  } catch {
    // The parser's message quotes the text: it is dropped.
    throw new ServiceRefusal(400, 'the request body is not JSON');
  }
  const shape = `the request body must be { "${input}": [...] }`;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ServiceRefusal(400, shape);
  const keys = Object.keys(body);
  const values = (body as Record<string, unknown>)[input];
  if (keys.length !== 1 || keys[0] !== input || !Array.isArray(values)) throw new ServiceRefusal(400, shape);
  checkCount(values.length, service.maxValues, `values in ${input}`);
  return values;
}

function checkCount(count: number, maxValues: number, what: string): void {
  if (count > maxValues) throw new ServiceRefusal(413, `too many ${what}: ${count}, at most ${maxValues}`);
}

/**
 * The text of a body, refused (413) when larger than `maxBytes` before anything else is done with it, so
 * an oversized body costs neither a decode nor a parse.
 */
function bodyText(body: unknown, base64: boolean, maxBytes: number): string {
  if (typeof body !== 'string' || body.length === 0) throw new ServiceRefusal(400, 'the request has no body');
  const tooLarge = new ServiceRefusal(413, `the request body is larger than ${maxBytes} bytes`);
  if (!base64) {
    // UTF-8 takes at least one byte per UTF-16 code unit: the length alone can refuse without a scan.
    if (body.length > maxBytes || Buffer.byteLength(body, 'utf8') > maxBytes) throw tooLarge;
    return body;
  }
  // Four base64 characters carry three bytes.
  if (Math.floor(body.length / 4) * 3 > maxBytes + 3) throw tooLarge;
  const bytes = Buffer.from(body, 'base64');
  // Only canonical base64: Buffer skips what is not base64, and a body it cannot read back was not.
  if (bytes.toString('base64') !== body)
    throw new ServiceRefusal(400, 'the request body is not valid base64');
  if (bytes.length > maxBytes) throw tooLarge;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ServiceRefusal(400, 'the request body is not UTF-8 text');
  }
}

async function answerRedshift(service: Service, event: RedshiftUdfEvent): Promise<RedshiftUdfResponse> {
  try {
    const rows = event.arguments;
    if (event.num_records !== rows.length) {
      throw new ServiceRefusal(400, 'num_records does not match the number of rows in arguments');
    }
    checkCount(rows.length, service.maxValues, 'rows');
    // The first argument of each row; a row that is itself null is SQL NULL as well.
    const values = rows.map((row, i) => {
      if (row === null) return null;
      if (!Array.isArray(row) || row.length === 0) throw new ServiceRefusal(400, `row ${i}: no argument`);
      return row[0];
    });
    const results = await convertAll(service, values, (i) => `row ${i}`);
    return { success: true, num_records: results.length, results };
  } catch (error) {
    return { success: false, error_msg: failureOf(service, error).message };
  }
}

/**
 * Checks that a value is a JSON scalar (string, number, boolean; `null` is handled before) no longer than
 * `maxLength`, and returns its JSON text: the key under which equal values are computed once.
 *
 * @throws {ServiceRefusal} 400 for an object or an array, 413 for a value too long.
 * @internal
 */
export function scalarKey(value: unknown, where: string, maxLength: number): string {
  const type = typeof value;
  if (type !== 'string' && type !== 'number' && type !== 'boolean' && !isRawJson(value)) {
    throw new ServiceRefusal(400, `${where}: must be a string, a number, a boolean or null`);
  }
  // A number from JSON is finite, so its JSON text is never `null`.
  const json = JSON.stringify(value);
  const length = type === 'string' ? (value as string).length : json.length;
  if (length > maxLength) throw new ServiceRefusal(413, `${where}: longer than ${maxLength} characters`);
  return json;
}
