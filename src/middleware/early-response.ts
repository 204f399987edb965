/**
 * Masks responses that other middlewares return early. Middy skips every `after` middleware when one
 * returns early (`request.earlyResponse`), so an `after` alone would let such a response leave unmasked.
 *
 * Middy core assigns `request.earlyResponse = value` and then returns `request.response`. While the
 * request has no own `earlyResponse`, that assignment goes to its prototype: a prototype whose only job
 * is to catch it replaces the value with the promise of its masked form, which Middy then returns. Every
 * other property behaves as before. It only sees early returns from middlewares whose `before` runs after
 * it, which is why `dataMasking()` goes before every middleware that can return early.
 *
 * @module
 */

/**
 * Catches early responses on `request` and hands them to `mask`, unless `isMasked(response)` says that
 * value is one the middleware already produced.
 */
export function guardEarlyResponses(
  request: object,
  mask: (response: unknown) => Promise<unknown>,
  isMasked: (response: unknown) => boolean,
): void {
  // Someone else changed the request's prototype: do not stack on it.
  if (Object.getPrototypeOf(request) !== Object.prototype) return;
  const catcher = new Proxy(Object.create(Object.prototype) as object, {
    set(target, property, value, receiver) {
      if (receiver !== request) return Reflect.set(target, property, value, receiver);
      const stored = property === 'earlyResponse' && !isMasked(value) ? mask(value) : value;
      return Reflect.defineProperty(request, property, {
        value: stored,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    },
  });
  Object.setPrototypeOf(request, catcher);
}
