/**
 * The walk over a whole payload for what is not a path: key names (`keys`), the allow-list (`allow`),
 * detectors and secrets. Copy-on-write like {@link mapLeaves}, whose key renaming it shares.
 *
 * - A member whose key is one of the `keys` is masked whole, objects and arrays too, wherever it is.
 * - In allow-list mode every leaf is masked unless an `allow` expression selected it (or a node above
 *   it) or it sits under an allowed key; keys and the shape of containers stay readable.
 * - Every string that is still readable is scanned by the detectors (secrets among them); so is every
 *   key name.
 *
 * A denial wins over an allowance: a secret key under an allowed node is masked.
 *
 * @module
 */
import { DataMaskingUnsupportedTypeError } from '../errors.js';
import { isPlainObject } from '../selector/values.js';
import { DEFAULT_MASK } from './constants.js';
import { CIRCULAR, MAX_WALK_DEPTH, putMember, renameKeys, shallowCopy } from './map-leaves.js';
import { redactLeaf } from './redact-leaf.js';

/** The nodes `allow` expressions selected: a trie of their keys; `ALLOWED` where all below is allowed. */
export interface AllowNode {
  readonly children: Map<string | number, AllowNode>;
  all: boolean;
}

/** What the whole walk does besides paths. */
export interface WholeWalk {
  /** Masks detected substrings (detectors and secrets) of a readable string. */
  readonly redact: ((text: string) => string) | undefined;
  /** Whether a member's value is masked whole for its key. */
  readonly secretKey: ((key: string) => boolean) | undefined;
  /** Whether a member's value is kept (allow-list mode) for its key. */
  readonly allowKey: ((key: string) => boolean) | undefined;
}

/** Everything allowed below: the state under an allowed node. */
const ALL: AllowNode = { children: new Map(), all: true };
/** Nothing allowed below (allow-list mode, off the allowed paths). */
const EMPTY: AllowNode = { children: new Map(), all: false };
/** The trie of the allowed locations (each a list of keys from the root). */
export function allowTrie(locations: readonly (readonly (string | number)[])[]): AllowNode {
  const root: AllowNode = { children: new Map(), all: false };
  for (const keys of locations) {
    let node = root;
    for (const key of keys) {
      if (node.all) break;
      let child = node.children.get(key);
      if (child === undefined) {
        child = { children: new Map(), all: false };
        node.children.set(key, child);
      }
      node = child;
    }
    node.all = true;
  }
  return root;
}

/**
 * `value` with the whole walk applied; the same reference when nothing changed. `allowed` is the allow
 * trie in allow-list mode, `undefined` otherwise.
 *
 * @throws {DataMaskingUnsupportedTypeError} when nesting exceeds {@link MAX_WALK_DEPTH}.
 */
export function wholeWalk(value: unknown, walk: WholeWalk, allowed: AllowNode | undefined): unknown {
  return visit(value, walk, allowed, []);
}

function leaf(value: unknown, walk: WholeWalk, allowed: AllowNode | undefined): unknown {
  if (allowed !== undefined && !allowed.all) return DEFAULT_MASK;
  return walk.redact === undefined ? value : redactLeaf(value, walk.redact);
}

function visit(
  value: unknown,
  walk: WholeWalk,
  allowed: AllowNode | undefined,
  ancestors: unknown[],
): unknown {
  const container =
    value !== null && typeof value === 'object' && (Array.isArray(value) || isPlainObject(value));
  if (!container) return leaf(value, walk, allowed);
  if (ancestors.includes(value)) return CIRCULAR;
  if (ancestors.length >= MAX_WALK_DEPTH) {
    throw new DataMaskingUnsupportedTypeError(`data nested deeper than ${MAX_WALK_DEPTH} levels`);
  }
  ancestors.push(value);
  const below = (key: string | number): AllowNode | undefined => {
    if (allowed === undefined || allowed.all) return allowed;
    return allowed.children.get(key) ?? (typeof key === 'string' && walk.allowKey?.(key) ? ALL : EMPTY);
  };
  let out: unknown;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const m = visit(v, walk, below(i), ancestors);
      if (!Object.is(m, v)) {
        copy ??= value.slice();
        copy[i] = m;
      }
    }
    out = copy ?? value;
  } else {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    // Symbol-keyed values cannot be scanned: never carried into a result.
    let copy =
      Object.getOwnPropertySymbols(obj).length > 0
        ? (shallowCopy(obj) as Record<string, unknown>)
        : undefined;
    let renamed: string[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = obj[k];
      const m = walk.secretKey?.(k) === true ? DEFAULT_MASK : visit(v, walk, below(k), ancestors);
      if (!Object.is(m, v)) {
        copy ??= shallowCopy(obj) as Record<string, unknown>;
        putMember(copy, k, m);
      }
      const name = walk.redact === undefined ? k : walk.redact(k);
      if (name !== k) {
        renamed ??= keys.slice();
        renamed[i] = name;
      }
    }
    out = renamed === undefined ? (copy ?? obj) : renameKeys(copy ?? obj, keys, renamed);
  }
  ancestors.pop();
  return out;
}
