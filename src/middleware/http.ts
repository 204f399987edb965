/**
 * What the middleware needs to know about HTTP: whether an event came through API Gateway, a Function URL
 * or an ALB, and how each typed error maps to a status code that `@middy/http-error-handler` can answer
 * with without leaking anything.
 *
 * @module
 */
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptValueError,
  DataMaskingError,
  DataMaskingFieldNotFoundError,
  DataMaskingProviderUnavailableError,
} from '../errors.js';

/** The message (and so the body) of the 503 an HTTP client gets when KMS is throttled or unreachable. */
export const SERVICE_UNAVAILABLE_MESSAGE = 'Service Unavailable';

/** API Gateway REST (v1) and HTTP (v2), Lambda Function URLs and ALB all carry these. */
export function isHttpEvent(event: unknown): boolean {
  if (event === null || typeof event !== 'object') return false;
  const e = event as Record<string, unknown>;
  return (
    typeof e.httpMethod === 'string' ||
    (typeof e.requestContext === 'object' && e.requestContext !== null && 'http' in e.requestContext) ||
    (typeof e.requestContext === 'object' && e.requestContext !== null && 'elb' in e.requestContext) ||
    typeof e.routeKey === 'string'
  );
}

/**
 * The HTTP view of an error: 403 for a context mismatch (or no context for the caller), 400 for a bad or
 * plaintext ciphertext, 503 for a throttled or unreachable KMS, else 500.
 */
export function statusCodeOf(error: unknown): number {
  if (error instanceof DataMaskingContextMismatchError) return 403;
  // A context mapped to no KMS key (a `keys` function of the context): the caller's tenant has no key.
  if (error instanceof DataMaskingError && error.statusCode === 403) return 403;
  if (error instanceof DataMaskingDecryptValueError) return 400;
  if (error instanceof DataMaskingProviderUnavailableError) return 503;
  return 500;
}

/** The headers of a 503: `Retry-After`, in seconds. */
const retryAfter = (): Record<string, string> => ({
  'Retry-After': String(DataMaskingProviderUnavailableError.retryAfterSeconds),
});

/**
 * Makes a typed error ready for `@middy/http-error-handler`, which answers an error with `expose: true`
 * with its `statusCode`, its `message` as the body and its `headers`, and any other error with a generic
 * 500:
 * - 403 and 400 keep their message (it names at most context keys, never values or plaintext);
 * - a throttled or unreachable KMS becomes a new {@link DataMaskingProviderUnavailableError} whose message
 *   is just `Service Unavailable` (the client learns nothing of the backend), with `statusCode` 503,
 *   `expose: true` and `headers: { 'Retry-After': '1' }`; the original, with the KMS faults, is its
 *   `cause`, so logs keep the detail;
 * - every other typed error: `statusCode` 500, `expose: false` (a generic body).
 *
 * Anything that is not a {@link DataMaskingError} is returned as it is.
 */
export function asHttpError(error: unknown): unknown {
  if (!(error instanceof DataMaskingError)) return error;
  const statusCode = statusCodeOf(error);
  const out =
    statusCode === 503 && error.message !== SERVICE_UNAVAILABLE_MESSAGE
      ? new DataMaskingProviderUnavailableError(SERVICE_UNAVAILABLE_MESSAGE, { cause: error })
      : error;
  Object.defineProperties(out, {
    statusCode: { value: statusCode, enumerable: true, configurable: true, writable: true },
    expose: { value: statusCode !== 500, enumerable: true, configurable: true, writable: true },
  });
  if (statusCode === 503) {
    Object.defineProperty(out, 'headers', {
      value: retryAfter(),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return out;
}

/** A name safe to show: an identifier, never a message (a thrown value's name is all we keep of it). */
function kindOf(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause === null || (typeof cause !== 'object' && typeof cause !== 'function')) return typeof cause;
  let name: unknown;
  try {
    name = (cause as { name?: unknown }).name;
  } catch {
    // A getter that throws: no name.
  }
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : 'Error';
}

/**
 * The error for a request whose encryption context cannot be built: the context function found no tenant
 * or claim for the caller (it threw), or what it returned is not a valid context. A
 * {@link DataMaskingContextMismatchError} (403, exposed) whose message says the caller's encryption
 * context could not be built, naming at most the kind of the failure (`TypeError`, say).
 *
 * The failure itself is dropped, not kept as `cause`: a context function's error may quote the request
 * (a claim, an email), and no error of this library carries data.
 */
export function contextUnavailable(cause?: unknown): DataMaskingContextMismatchError {
  const kind = kindOf(cause);
  return new DataMaskingContextMismatchError([], {
    message: `The caller's encryption context could not be built${kind === undefined ? '' : ` (${kind})`}`,
  });
}

/**
 * The response that leaves instead of one that could not be masked: a generic 500, or, when given an error
 * that says KMS is throttled or unreachable, a generic 503 with `Retry-After`.
 */
export function genericErrorResponse(error?: unknown): {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
} {
  if (error !== undefined && statusCodeOf(error) === 503) {
    return {
      statusCode: 503,
      headers: { 'content-type': 'application/json', ...retryAfter() },
      body: JSON.stringify({ message: SERVICE_UNAVAILABLE_MESSAGE }),
    };
  }
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'Internal Server Error' }),
  };
}

/** A one-line description of a failure, without any data: for the log line when masking fails. */
export function describeFailure(error: unknown): string {
  if (error instanceof DataMaskingFieldNotFoundError) return `${error.name}: ${error.message}`;
  if (error instanceof DataMaskingError) return `${error.name}: ${error.message}`;
  // Anything else (a custom rule that threw, say) may carry data in its message: log only its type.
  return error instanceof Error ? error.name : typeof error;
}
