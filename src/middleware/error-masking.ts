/**
 * Masks a thrown error before any `onError` middleware sees it. `@middy/http-error-handler` logs the
 * error it handles with `console.error`, outside any masking log formatter, so `throw new Error(\`no
 * account for ${email}\`)` would print the email. `dataMasking` runs its detectors over the error's
 * message, stack and cause chain (and an AggregateError's errors) the moment Middy records the error.
 *
 * Middy stores the error as `request.error = error` before it runs the `onError` middlewares; the
 * middleware's `before` (which runs first, `dataMasking` being used first) turns that property into an
 * accessor that masks what is stored. The error object keeps its identity, class and status fields.
 *
 * @module
 */
import {
  detectors as builtIns,
  type Detector,
  type DetectorName,
  redactString,
  resolveDetectors,
} from '../detectors/index.js';
import { DEFAULT_MASK } from '../erase/constants.js';
import { mapLeaves } from '../erase/map-leaves.js';
import { MIN_SECRET_LENGTH, secretsDetector } from '../policy/secret-matcher.js';

/** How deep a cause chain is followed. */
const MAX_CAUSES = 16;

/** Installs the masking accessor on a request. */
export interface ErrorMasking {
  /**
   * @param secrets the values to mask wherever they appear in an error (the plaintexts this request
   * decrypted), read when the error is stored
   */
  guard(request: object, secrets?: () => readonly string[]): void;
  /** Masks an error (or any thrown value) in place where it can, and returns what should be stored. */
  mask(error: unknown, secrets?: readonly string[]): unknown;
}

export function maskThrownErrors(configured: readonly (DetectorName | Detector)[] | undefined): ErrorMasking {
  // Every built-in detector, plus the configured ones: an error is free text whatever the response holds.
  const list = resolveDetectors([...(configured ?? []), ...(Object.keys(builtIns) as DetectorName[])]);
  let secrets: Detector | undefined;
  // Secrets first: a detector must not mask part of one and leave the rest readable.
  const text = (value: string) =>
    redactString(secrets === undefined ? value : secrets.redact(value, DEFAULT_MASK), list, DEFAULT_MASK);

  const mask = (error: unknown, seen = new Set<unknown>(), depth = 0): unknown => {
    if (typeof error === 'string') return text(error);
    if (error === null || typeof error !== 'object' || seen.has(error) || depth > MAX_CAUSES) return error;
    seen.add(error);
    if (!(error instanceof Error)) {
      try {
        return mapLeaves(error, (leaf) => (typeof leaf === 'string' ? text(leaf) : leaf));
      } catch {
        return '[withheld: a thrown value that could not be masked]';
      }
    }
    const record = error as unknown as Record<string, unknown>;
    const changes = new Map<string, unknown>();
    for (const key of ['message', 'stack'] as const) {
      const value = record[key];
      if (typeof value !== 'string') continue;
      const masked = text(value);
      if (masked !== value) changes.set(key, masked);
    }
    for (const key of ['cause', 'originalError'] as const) {
      if (!(key in record)) continue;
      const inner = record[key];
      const masked = mask(inner, seen, depth + 1);
      if (masked !== inner) changes.set(key, masked);
    }
    // Its own fields too (`Object.assign(new Error(), { details: { email } })`, `this.email` in a class).
    for (const key of Object.keys(record)) {
      if (key === 'cause' || key === 'originalError' || key === 'errors' || changes.has(key)) continue;
      const inner = record[key];
      const masked = typeof inner === 'string' ? text(inner) : mask(inner, seen, depth + 1);
      if (masked !== inner) changes.set(key, masked);
    }
    if (error instanceof AggregateError && Array.isArray(error.errors)) {
      const errors = error.errors.map((e) => mask(e, seen, depth + 1));
      if (errors.some((e, i) => e !== error.errors[i])) changes.set('errors', errors);
    }
    let inPlace = true;
    for (const [key, value] of changes) inPlace = overwrite(error, key, value) && inPlace;
    if (inPlace) return error;
    // A frozen error cannot be masked in place: a masked copy of it is stored instead.
    const copy = Object.create(Object.getPrototypeOf(error)) as Record<string, unknown>;
    for (const key of Reflect.ownKeys(error)) {
      if (typeof key !== 'string') continue;
      const value = changes.has(key) ? changes.get(key) : record[key];
      Object.defineProperty(copy, key, {
        value,
        writable: true,
        enumerable: key !== 'stack' && key !== 'message',
        configurable: true,
      });
    }
    for (const [key, value] of changes) if (!Object.hasOwn(copy, key)) copy[key] = value;
    return copy;
  };

  /** Masking is synchronous: the secrets of one request are in place for exactly one call. */
  const withSecrets = <T>(given: readonly string[], fn: () => T): T => {
    // Shorter plaintexts (a flag, a small number) would mask ordinary text: skipped, not refused.
    const long = given.filter((s) => s.length >= MIN_SECRET_LENGTH);
    secrets = long.length === 0 ? undefined : secretsDetector(long, 'the plaintexts');
    try {
      return fn();
    } finally {
      secrets = undefined;
    }
  };

  return {
    mask: (error, given = []) => withSecrets(given, () => mask(error)),
    guard(request, secretsOf = () => []) {
      // A thrown value that cannot even be read (a Proxy that throws, say) is replaced, never passed on.
      const safely = (error: unknown): unknown => {
        try {
          return withSecrets(secretsOf(), () => mask(error));
        } catch {
          return new Error('[withheld: a thrown value that could not be masked]');
        }
      };
      let current = (request as { error?: unknown }).error;
      if (current !== undefined) current = safely(current);
      Object.defineProperty(request, 'error', {
        get: () => current,
        set: (error: unknown) => {
          current = safely(error);
        },
        enumerable: true,
        configurable: true,
      });
    },
  };
}

/** Sets a property even when it is a non-writable own data property; `false` when the object refuses. */
function overwrite(target: object, key: string, value: unknown): boolean {
  try {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: descriptor?.enumerable ?? false,
      configurable: true,
    });
    return (target as Record<string, unknown>)[key] === value;
  } catch {
    return false;
  }
}

/** The strings a decrypted value shows in text: its string and number leaves, longest first. */
export function plaintextsOf(values: readonly unknown[]): string[] {
  const out = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') out.add(value);
    else if (typeof value === 'number' || typeof value === 'bigint') out.add(String(value));
    else if (value !== null && typeof value === 'object' && depth < 32) {
      for (const v of Object.values(value)) visit(v, depth + 1);
    }
  };
  for (const value of values) visit(value, 0);
  return [...out].sort((a, b) => b.length - a.length);
}
