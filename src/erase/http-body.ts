/**
 * What the walkers need to know about HTTP: whether a `body` belongs to an HTTP request or response (its
 * text is then judged by its headers, and never taken for plain prose below `..`), and how to read a
 * header whatever its case.
 *
 * @module
 */

/** A `body` beside `statusCode`, `headers`, `isBase64Encoded`, `httpMethod` or `requestContext`. */
export function isHttpBody(parent: unknown, key: string | number): boolean {
  if (key !== 'body' || parent === null || typeof parent !== 'object') return false;
  const p = parent as Record<string, unknown>;
  return (
    'statusCode' in p ||
    'headers' in p ||
    'isBase64Encoded' in p ||
    'httpMethod' in p ||
    'requestContext' in p
  );
}

/** A header's value, matched case-insensitively; the first of several (multi-value headers). */
export function headerOf(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = (headers as Record<string, unknown>)[key];
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}
