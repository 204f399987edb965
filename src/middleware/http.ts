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
} from '../errors.js';

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

/** The HTTP view of an error: 403 for a context mismatch, 400 for a bad or plaintext ciphertext, else 500. */
export function statusCodeOf(error: unknown): number {
  if (error instanceof DataMaskingContextMismatchError) return 403;
  if (error instanceof DataMaskingDecryptValueError) return 400;
  return 500;
}

/**
 * Marks a typed error for `@middy/http-error-handler`: `statusCode`, and `expose` for 4xx only (their
 * messages name at most context keys, never values or plaintext; 5xx answer with a generic message).
 */
export function asHttpError(error: unknown): unknown {
  if (!(error instanceof DataMaskingError)) return error;
  const statusCode = statusCodeOf(error);
  Object.defineProperties(error, {
    statusCode: { value: statusCode, enumerable: true, configurable: true },
    expose: { value: statusCode < 500, enumerable: true, configurable: true },
  });
  return error;
}

/** The response that leaves instead of one that could not be masked. */
export function genericErrorResponse(): {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
} {
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
