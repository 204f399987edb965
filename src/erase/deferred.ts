/**
 * Values that are not there yet: promises (any thenable) and streams (Node `Readable`s and web
 * `ReadableStream`s). The synchronous walkers refuse them; the middleware awaits or reads them first.
 *
 * @module
 */

/** A promise, or anything with a `then` method (knex, Mongoose, Bluebird). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Which kind of stream `value` is, if it is one. */
export function streamKind(value: unknown): 'node' | 'web' | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (typeof (value as { pipe?: unknown }).pipe === 'function') return 'node';
  if (typeof (value as { getReader?: unknown }).getReader === 'function') return 'web';
  return undefined;
}
