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
 * With `mapKey`, every own key of every plain object is mapped too (detectors find an e-mail address used
 * as a key). A key whose mapped form differs is renamed in place, keeping the order of the other keys
 * (integer-like keys still come first, as JavaScript orders them). No entry is lost: a renamed key that
 * lands on a name already taken (by a key that keeps its name, or by an earlier renamed key) gets the
 * first free suffix `' (2)'`, `' (3)'`…, deterministically.
 *
 * @throws {DataMaskingUnsupportedTypeError} when nesting exceeds {@link MAX_WALK_DEPTH}.
 */
export function mapLeaves(
  value: unknown,
  fn: (leaf: unknown) => unknown,
  mapKey?: (key: string) => string,
): unknown {
  return walk(value, fn, mapKey, []);
}

function walk(
  value: unknown,
  fn: (leaf: unknown) => unknown,
  mapKey: ((key: string) => string) | undefined,
  ancestors: unknown[],
): unknown {
  if (Array.isArray(value)) {
    if (ancestors.includes(value)) return CIRCULAR;
    enter(ancestors, value);
    let out: unknown[] | undefined;
    let removed = false;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const m =
        v !== null && typeof v === 'object' && (Array.isArray(v) || isPlainObject(v))
          ? walk(v, fn, mapKey, ancestors)
          : fn(v);
      if (!Object.is(m, v)) {
        out ??= value.slice();
        out[i] = m;
        if (m === REMOVE) removed = true;
      }
    }
    ancestors.pop();
    if (out !== undefined && removed) return out.filter((x) => x !== REMOVE);
    // Detectors cannot scan Symbol-keyed values: with keys mapped (detectors), no result carries one.
    if (out === undefined && mapKey !== undefined && hasSymbols(value)) return value.slice();
    return out ?? value;
  }
  if (isPlainObject(value)) {
    if (ancestors.includes(value)) return CIRCULAR;
    enter(ancestors, value);
    const keys = Object.keys(value);
    let out: Record<string, unknown> | undefined;
    let renamed: string[] | undefined;
    // Detectors cannot scan Symbol-keyed values: with keys mapped (detectors), no result carries one.
    if (mapKey !== undefined && hasSymbols(value)) out = shallowCopy(value) as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = value[k];
      const m =
        v !== null && typeof v === 'object' && (Array.isArray(v) || isPlainObject(v))
          ? walk(v, fn, mapKey, ancestors)
          : fn(v);
      if (!Object.is(m, v)) {
        out ??= shallowCopy(value) as Record<string, unknown>;
        putMember(out, k, m);
      }
      if (mapKey !== undefined) {
        const nk = mapKey(k);
        if (nk !== k) {
          renamed ??= keys.slice();
          renamed[i] = nk;
        }
      }
    }
    ancestors.pop();
    if (renamed !== undefined) return renameKeys(out ?? value, keys, renamed);
    return out ?? value;
  }
  return fn(value);
}

/**
 * A copy of `source` with `keys[i]` renamed to `names[i]`, in order. Keys that keep their name keep it;
 * a renamed key that collides gets the first free `' (n)'` suffix. Linear: each name's next suffix is
 * remembered, so a run of keys renamed to the same name does not probe from `(2)` every time.
 */
export function renameKeys(
  source: Record<string, unknown>,
  keys: readonly string[],
  names: readonly string[],
): Record<string, unknown> {
  const taken = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    if (names[i] === keys[i] && Object.hasOwn(source, keys[i])) taken.add(keys[i]);
  }
  const next = new Map<string, number>();
  const out: Record<string, unknown> = Object.getPrototypeOf(source) === null ? Object.create(null) : {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    // A member that the leaf function removed stays removed.
    if (!Object.hasOwn(source, k)) continue;
    let name = names[i];
    if (name !== k) {
      if (taken.has(name)) {
        let n = next.get(name) ?? 2;
        while (taken.has(`${name} (${n})`)) n++;
        next.set(name, n + 1);
        name = `${name} (${n})`;
      }
      taken.add(name);
    }
    setMember(out, name, source[k]);
  }
  return out;
}

function hasSymbols(value: object): boolean {
  return Object.getOwnPropertySymbols(value).length > 0;
}

function enter(ancestors: unknown[], value: unknown): void {
  if (ancestors.length >= MAX_WALK_DEPTH) {
    throw new DataMaskingUnsupportedTypeError(`data nested deeper than ${MAX_WALK_DEPTH} levels`);
  }
  ancestors.push(value);
}

/**
 * A shallow copy that keeps a null prototype and copies an own `__proto__` key as data. Only own
 * enumerable string keys are copied: a Symbol-keyed value is not JSON and may hold data, so it never
 * reaches a result (an array copy holds its elements only).
 */
export function shallowCopy(value: object): object {
  if (Array.isArray(value)) return value.slice();
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) setMember(out, keys[i], source[keys[i]]);
  return out;
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
