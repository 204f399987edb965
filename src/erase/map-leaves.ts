/**
 * A copy-on-write map over every leaf of a value: only the containers on the way to a changed leaf are
 * copied, everything else is shared with the input, and the input is never written.
 *
 * @module
 */
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { isPlainObject } from '../selector/values.js';
import { REMOVE } from './constants.js';

/** How deeply whole-payload walks (rules without fields, detectors) follow nesting before refusing. */
export const MAX_WALK_DEPTH = 2000;

/** What a back-reference to an ancestor (a cycle) becomes in a result. */
export const CIRCULAR = '[Circular]';

/**
 * Returns `value` with `fn` applied to every leaf (any value that is not an array or a plain object).
 * Returns the very same reference when nothing changed. A leaf mapped to {@link REMOVE} is deleted (array
 * elements are removed). A reference back to an ancestor becomes {@link CIRCULAR} so no unmasked copy
 * of the input stays reachable from the result.
 *
 * @throws {DataMaskingUnsupportedTypeError} when nesting exceeds {@link MAX_WALK_DEPTH}.
 */
export function mapLeaves(value: unknown, fn: (leaf: unknown) => unknown): unknown {
  return walk(value, fn, []);
}

function walk(value: unknown, fn: (leaf: unknown) => unknown, ancestors: unknown[]): unknown {
  if (Array.isArray(value)) {
    if (ancestors.includes(value)) return CIRCULAR;
    enter(ancestors, value);
    let out: unknown[] | undefined;
    let removed = false;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const m =
        v !== null && typeof v === 'object' && (Array.isArray(v) || isPlainObject(v))
          ? walk(v, fn, ancestors)
          : fn(v);
      if (!Object.is(m, v)) {
        out ??= value.slice();
        out[i] = m;
        if (m === REMOVE) removed = true;
      }
    }
    ancestors.pop();
    if (out !== undefined && removed) return out.filter((x) => x !== REMOVE);
    return out ?? value;
  }
  if (isPlainObject(value)) {
    if (ancestors.includes(value)) return CIRCULAR;
    enter(ancestors, value);
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(value)) {
      const v = value[k];
      const m =
        v !== null && typeof v === 'object' && (Array.isArray(v) || isPlainObject(v))
          ? walk(v, fn, ancestors)
          : fn(v);
      if (!Object.is(m, v)) {
        out ??= shallowCopy(value) as Record<string, unknown>;
        putMember(out, k, m);
      }
    }
    ancestors.pop();
    return out ?? value;
  }
  return fn(value);
}

function enter(ancestors: unknown[], value: unknown): void {
  if (ancestors.length >= MAX_WALK_DEPTH) {
    throw new DataMaskingUnsupportedTypeError(`data nested deeper than ${MAX_WALK_DEPTH} levels`);
  }
  ancestors.push(value);
}

/** A shallow copy that keeps a null prototype and copies an own `__proto__` key as data. */
export function shallowCopy(value: object): object {
  if (Array.isArray(value)) return value.slice();
  if (Object.getPrototypeOf(value) === null) return Object.assign(Object.create(null), value);
  return { ...value };
}

/** Sets a member without ever invoking the `__proto__` setter. */
export function setMember(
  target: Record<string | number, unknown>,
  key: string | number,
  value: unknown,
): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Writes a replacement into a copy: {@link REMOVE} deletes the member, anything else is set as data. */
export function putMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === REMOVE) delete target[key];
  else setMember(target, key, value);
}
