/** Freezes a value and everything under it, so any write in the code under test throws. */
export function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const key of Reflect.ownKeys(value))
      deepFreeze((value as Record<string | symbol, unknown>)[key], seen);
    Object.freeze(value);
  }
  return value;
}
