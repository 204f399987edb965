/**
 * The fast path of erase. Most configurations are lists of plain paths — `user.email`,
 * `items[*].orders[*].card`, `$..password` — and for those the expressions are merged into one trie,
 * walked once, copying a container only when something under it changes (as @pinojs/redact does). No
 * location objects, no callbacks per node.
 *
 * A configuration qualifies when every expression is a chain of single names, indices and wildcards,
 * optionally ending in one `..name`, and no two expressions can reach the same node by different
 * routes (at each step either distinct names, or a single edge). Anything else — filters, slices,
 * unions, overlaps — runs on the general evaluator, which gives the same results.
 *
 * @module
 */
import type { Segment, Selector } from '../selector/ast.js';
import { normalizedPath } from '../selector/normalized-path.js';
import { isPlainObject } from '../selector/values.js';
import { looksLikeJson } from './codecs.js';
import { DEFAULT_MASK, REMOVE } from './constants.js';
import { isHttpBody } from './http-body.js';
import { putMember, setMember } from './map-leaves.js';
import { type CompiledRule, DEFAULT_RULE } from './rule.js';

/** Past this depth the recursive walk hands the payload to the iterative general evaluator. */
const MAX_FAST_DEPTH = 400;

/** Thrown (and caught by the eraser) when the data is too deep for the recursive fast path. */
export const TOO_DEEP: unique symbol = Symbol('too deep for the fast path');

/**
 * Thrown (and caught by the eraser) when a path runs into something that has to be opened first: a
 * string, bytes, a class instance, an object with `toJSON`. The eraser then opens the data and runs again.
 */
export const NEEDS_OPEN: unique symbol = Symbol('a value on a path must be opened');

/** A value a path must look into that is not plain JSON data: it has to be opened (or withheld). */
export function mustOpen(value: unknown): boolean {
  if (typeof value === 'string') return value !== '';
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return false;
  const v = value as { toJSON?: unknown; then?: unknown };
  return !isPlainObject(value) || typeof v.toJSON === 'function' || typeof v.then === 'function';
}

/** {@link mayOpenBelow} behind a first-character test the common string (a name, an id) fails at once. */
function mayOpen(text: string, key: string | number, parent: object): boolean {
  const c = text.charCodeAt(0);
  return (
    (c <= 0x22 || c === 0x5b || c === 0x7b || c === 0xfeff || key === 'body') &&
    mayOpenBelow(text, key, parent)
  );
}

/**
 * A shallow copy of a plain object (a null prototype kept), from the spread site of its depth (modulo
 * 8). V8 caches the shapes an object spread has seen per code site; one site copying every kind of
 * object on every path goes megamorphic and becomes several times slower than a site that sees one
 * shape. Objects at the same depth of a payload mostly share a shape, so a site per depth stays
 * monomorphic. The sites are cases of one switch rather than eight small functions: a call through an
 * array of functions is not inlined, and that call cost as much as the copy.
 */
function copyAt(depth: number, obj: Record<string, unknown>): Record<string, unknown> {
  return Object.getPrototypeOf(obj) === null ? copyNullProto(obj) : spreadAt(depth, obj);
}

/** A copy of an object without prototype, still without one (a spread would give it Object.prototype). */
const copyNullProto = (obj: Record<string, unknown>): Record<string, unknown> =>
  Object.assign(Object.create(null), obj);

/** {@link copyAt} for an object known to have Object.prototype. */
function spreadAt(depth: number, obj: Record<string, unknown>): Record<string, unknown> {
  switch (depth & 7) {
    case 0:
      return { ...obj };
    case 1:
      return { ...obj };
    case 2:
      return { ...obj };
    case 3:
      return { ...obj };
    case 4:
      return { ...obj };
    case 5:
      return { ...obj };
    case 6:
      return { ...obj };
    default:
      return { ...obj };
  }
}

/**
 * Whether a plain object has a `toJSON` function, or (at the root, the value that may be awaited) a
 * `then` function. A nested thenable is serialized by its fields like any object, so it needs no check.
 */
function hasOwnHook(obj: Record<string, unknown>, root: boolean): boolean {
  return typeof obj.toJSON === 'function' || (root && typeof obj.then === 'function');
}

/** An own `toJSON` (what leaves is its result) or `then` (a thenable): the object must be opened. */
function isHook(key: string, value: unknown): boolean {
  return typeof value === 'function' && (key === 'toJSON' || key === 'then');
}

/**
 * Below `..`, a string is opened only when it may hold JSON (it starts like JSON, or is an HTTP body);
 * other text is a leaf. Checked on every string a descendant walk meets, so the common case is one
 * character comparison.
 */
export function mayOpenBelow(text: string, key: string | number, parent: object): boolean {
  const c = text.charCodeAt(0);
  if (c === 0x7b || c === 0x5b || c === 0x22) return true; // { [ "
  if (isHttpBody(parent, key)) return true;
  return (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) && looksLikeJson(text);
}

/** @internal */
export type Edge =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'nameOrIndex'; name: string; index: number }
  | { kind: 'wildcard' }
  | { kind: 'descendant'; name: string };

/** Where paths end: the rules of the targets that reach the node, in claim order, and those targets. */
/** @internal */
export interface Terminal {
  rules: CompiledRule[];
  targets: number[];
  /**
   * The one target that reaches the node when its rule is the default mask, else -1: the common case,
   * applied inline by the walk instead of through {@link hit}.
   */
  sole: number;
}

/** @internal A node of the merged trie of paths, shared by the walk over data and the one over JSON text. */
export interface PlanNode {
  /**
   * Set when a path ends here: the rules of the targets that reach this node, in claim order, and those
   * targets (for not-found checks).
   */
  terminal: Terminal | null;
  /** Name edges, when the node has only name edges. */
  names: Map<string, PlanNode> | null;
  /** The same name edges as two arrays, for the walk: indexing beats iterating a Map entry by entry. */
  nameList: string[];
  childList: PlanNode[];
  /** The single non-name edge, when the node has one. */
  edge: Edge | null;
  child: PlanNode | null;
}

/** The per-run state of a plan walk. */
interface Run {
  /** How many nodes each target selected. */
  readonly hits: number[];
  /** Keys from the root to the current node, kept only when a function rule will read them. */
  readonly keys: (string | number)[] | null;
  /** The normalized path of the current node, built on demand from {@link keys}. */
  readonly path: () => string;
  /**
   * Whether `Object.prototype` has no enumerable property, checked once per call: then `for…in` over a
   * plain object lists exactly its own keys, in `Object.keys` order.
   */
  readonly forIn: boolean;
}

/** A compiled static plan: erases `data`, counting what each target selected. */
export type StaticPlan = (data: unknown, hits: number[]) => unknown;

const newNode = (): PlanNode => ({
  terminal: null,
  names: null,
  nameList: [],
  childList: [],
  edge: null,
  child: null,
});

/**
 * The same string, internalized: a name parsed out of an expression is a fresh string, and comparing it
 * with an object's keys (or looking it up) compares characters; an internalized one compares by pointer.
 */
const internalized = (name: string): string => Object.keys({ [name]: 0 })[0] ?? name;

function edgeOf(segment: Segment, last: boolean): Edge | undefined {
  if (segment.selectors.length !== 1) return undefined;
  const s: Selector = segment.selectors[0];
  if (segment.descendant) {
    return last && s.kind === 'name' ? { kind: 'descendant', name: internalized(s.name) } : undefined;
  }
  switch (s.kind) {
    case 'name':
      return { kind: 'name', name: internalized(s.name) };
    case 'index':
      return { kind: 'index', index: s.index };
    case 'nameOrIndex':
      return { kind: 'nameOrIndex', name: s.name, index: s.index };
    case 'wildcard':
      return { kind: 'wildcard' };
    default:
      return undefined;
  }
}

const sameEdge = (a: Edge, b: Edge): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Merges `targets` (in claim order) into one trie, or returns `undefined` when the configuration does not
 * qualify.
 *
 * @internal
 */
export function buildPlanTree(
  targets: readonly { segments: readonly Segment[]; rule: CompiledRule }[],
): PlanNode | undefined {
  const root = newNode();
  for (let t = 0; t < targets.length; t++) {
    const { segments, rule } = targets[t];
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      const edge = edgeOf(segments[i], i === segments.length - 1);
      if (edge === undefined) return undefined;
      if (node.terminal !== null) return undefined; // a path through a node another path masks
      if (edge.kind === 'name' && node.edge === null) {
        node.names ??= new Map();
        let next = node.names.get(edge.name);
        if (next === undefined) {
          next = newNode();
          node.names.set(edge.name, next);
          node.nameList.push(edge.name);
          node.childList.push(next);
        }
        node = next;
      } else if (node.names === null && (node.edge === null || sameEdge(node.edge, edge))) {
        node.edge = edge;
        node.child ??= newNode();
        node = node.child;
      } else {
        return undefined; // two kinds of edge from one node could reach the same child twice
      }
    }
    if (node.names !== null || node.edge !== null) return undefined; // masks a node another path goes through
    if (node.terminal === null) {
      node.terminal = { rules: [rule], targets: [t], sole: rule === DEFAULT_RULE ? t : -1 };
    } else {
      // The same path twice: the first rule that changes the value claims it (see `hit`).
      node.terminal.rules.push(rule);
      node.terminal.sole = -1;
      node.terminal.targets.push(t);
    }
  }
  return root;
}

/**
 * Builds the plan for `targets` (in claim order), or returns `undefined` when the configuration does
 * not qualify.
 */
export function buildStaticPlan(
  targets: readonly { segments: readonly Segment[]; rule: CompiledRule }[],
  root: PlanNode | undefined = buildPlanTree(targets),
): StaticPlan | undefined {
  if (root === undefined) return undefined;
  const trackPath = targets.some((t) => t.rule.needsPath === true);
  return (data, hits) => {
    const keys = trackPath ? [] : null;
    const run: Run = {
      hits,
      keys,
      path: () => normalizedPath(keys ?? []),
      forIn: Object.keys(Object.prototype).length === 0,
    };
    if (root.terminal !== null) return hit(root, data, run);
    const out = visit(root, data, run, 0);
    return out === REMOVE ? undefined : out;
  };
}

function hit(node: PlanNode, value: unknown, run: Run): unknown {
  const terminal = node.terminal as Terminal;
  const targets = terminal.targets;
  for (let i = 0; i < targets.length; i++) run.hits[targets[i]]++;
  // A rule that leaves the value as it is (a `when` that does not match) has not claimed it: the next
  // rule for the same path gets its turn, as on the general evaluator.
  const rules = terminal.rules;
  let out = rules[0].apply(value, run.path);
  for (let i = 1; i < rules.length && Object.is(out, value); i++) out = rules[i].apply(value, run.path);
  return out;
}

/** The value of `node`'s child reached under `key`: masked if terminal, walked otherwise. */
function step(child: PlanNode, value: unknown, key: string | number, run: Run, depth: number): unknown {
  const keys = run.keys;
  keys?.push(key);
  const out = child.terminal !== null ? hit(child, value, run) : visit(child, value, run, depth + 1);
  keys?.pop();
  return out;
}

/**
 * Applies the plan below `node` to `value`; returns `value` itself when nothing changed. Here and below,
 * "changed" is `!==`, not `Object.is` (which V8 calls out of line): a NaN written back as NaN costs a
 * needless copy, nothing else.
 */
function visit(node: PlanNode, value: unknown, run: Run, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && value !== '') throw NEEDS_OPEN;
    return value;
  }
  if (depth > MAX_FAST_DEPTH) throw TOO_DEEP;
  // Not plain data: open first. A plain object's own `toJSON`/`then` matters where a name is missing
  // (its JSON form may hold it): checked there, and while reading keys, not on every node.
  if (!Array.isArray(value) && !isPlainObject(value)) throw NEEDS_OPEN;
  if (node.names !== null) {
    if (Array.isArray(value)) return value;
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    const names = node.nameList;
    const children = node.childList;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const child = children[i];
      if (!Object.hasOwn(obj, name)) {
        if (mustOpen(obj)) throw NEEDS_OPEN;
        continue;
      }
      const v = obj[name];
      const m = step(child, v, name, run, depth);
      if (m !== v) {
        // About to write a masked copy: an own toJSON (which may close over the original) or then
        // decides what leaves instead, so the object is opened first.
        if (out === undefined && hasOwnHook(obj, depth === 0)) throw NEEDS_OPEN;
        out ??= copyAt(depth, obj as Record<string, unknown>);
        putMember(out, name, m);
      }
    }
    return out ?? value;
  }
  const edge = node.edge as Edge;
  const child = node.child as PlanNode;
  switch (edge.kind) {
    case 'wildcard':
      if (Array.isArray(value)) return mapArray(value, child, run, depth);
      if (!isPlainObject(value)) return value;
      return mapObject(value, child, run, depth);
    case 'index':
    case 'nameOrIndex': {
      if (Array.isArray(value)) {
        const i = edge.index < 0 ? value.length + edge.index : edge.index;
        if (i < 0 || i >= value.length) return value;
        const v = value[i];
        const m = step(child, v, i, run, depth);
        if (m === v) return value;
        return m === REMOVE ? value.filter((_, j) => j !== i) : Object.assign(value.slice(), { [i]: m });
      }
      if (edge.kind === 'index' || !isPlainObject(value)) return value;
      if (!Object.hasOwn(value, edge.name)) {
        if (mustOpen(value)) throw NEEDS_OPEN;
        return value;
      }
      const v = value[edge.name];
      const m = step(child, v, edge.name, run, depth);
      if (m === v) return value;
      if (hasOwnHook(value, depth === 0)) throw NEEDS_OPEN;
      const out = copyAt(depth, value as Record<string, unknown>);
      putMember(out, edge.name, m);
      return out;
    }
    case 'descendant':
      return descend(edge.name, child, value, run, depth);
    default:
      return value;
  }
}

function mapArray(value: unknown[], child: PlanNode, run: Run, depth: number): unknown[] {
  let out: unknown[] | undefined;
  let removed = false;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    const m = step(child, v, i, run, depth);
    if (m !== v) {
      out ??= value.slice();
      out[i] = m;
      if (m === REMOVE) removed = true;
    }
  }
  if (out !== undefined && removed) return out.filter((x) => x !== REMOVE);
  return out ?? value;
}

function mapObject(value: Record<string, unknown>, child: PlanNode, run: Run, depth: number): unknown {
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (isHook(k, v)) throw NEEDS_OPEN;
    const m = step(child, v, k, run, depth);
    if (m !== v) {
      out ??= copyAt(depth, value as Record<string, unknown>);
      putMember(out, k, m);
    }
  }
  return out ?? value;
}

/**
 * `..name` from `value`: the member `name` of this node is masked, then every other member and element
 * is searched, in document order; the mask of a match covers what is below it. A cycle runs into the
 * depth limit and the payload goes to the general evaluator, which does not follow cycles.
 */
function descend(name: string, terminal: PlanNode, value: unknown, run: Run, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (run.keys === null && run.forIn) return sweep(name, terminal, value, run, depth);
  // Path-reading rules, or a polluted Object.prototype (whose keys `for…in` would list): the keyed walk.
  return descendInOrder(name, terminal, value, run, depth, run.keys ?? []);
}

/**
 * {@link descend} for function rules, which see their calls in document order and read the path: this
 * node's member first, then the subtrees, keys kept on the way.
 */
function descendInOrder(
  name: string,
  terminal: PlanNode,
  value: object,
  run: Run,
  depth: number,
  keys: (string | number)[],
): unknown {
  if (depth > MAX_FAST_DEPTH) throw TOO_DEEP;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v === null || typeof v !== 'object') {
        if (typeof v === 'string' && mayOpen(v, i, value)) throw NEEDS_OPEN;
        continue;
      }
      keys.push(i);
      const m = descend(name, terminal, v, run, depth + 1);
      keys.pop();
      if (m !== v) {
        copy ??= value.slice();
        copy[i] = m;
      }
    }
    return copy ?? value;
  }
  // Not plain data: open first. A plain object's own `toJSON`/`then` is caught below, where its keys are
  // read anyway (checking every object for them up front costs a lookup per node). The prototype is read
  // once, here, and tells the copy below whether to keep a null prototype.
  const proto = Object.getPrototypeOf(value);
  const nullProto = proto === null;
  if (proto !== Object.prototype && !(nullProto && isPlainObject(value))) throw NEEDS_OPEN;
  const obj = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  if (Object.hasOwn(obj, name)) {
    const v = obj[name];
    keys.push(name);
    let m = hit(terminal, v, run);
    // A match the rule leaves as it is (a `when` that does not match) is still searched inside.
    if (m === v) m = descend(name, terminal, v, run, depth + 1);
    keys.pop();
    if (m !== v) {
      copy = nullProto ? copyNullProto(obj) : spreadAt(depth, obj);
      putMember(copy, name, m);
    }
  }
  for (const k of Object.keys(obj)) {
    if (k === name) continue;
    const v = obj[k];
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'string' ? mayOpen(v, k, obj) : isHook(k, v)) throw NEEDS_OPEN;
      continue;
    }
    keys.push(k);
    const m = descend(name, terminal, v, run, depth + 1);
    keys.pop();
    if (m !== v) {
      copy ??= nullProto ? copyNullProto(obj) : spreadAt(depth, obj);
      setMember(copy, k, m);
    }
  }
  return copy ?? value;
}

/**
 * {@link descend} for rules whose call order cannot be observed (the common case): arrays and objects in
 * one function and one pass over each object's keys, the shape of a hand-written walker, with the checks
 * that keep it fail-closed — a non-plain object or a string that may hold JSON stops the walk (the eraser
 * opens the data and runs again), and so does depth.
 */
function sweep(name: string, terminal: PlanNode, value: object, run: Run, depth: number): object {
  if (depth > MAX_FAST_DEPTH) throw TOO_DEEP;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v !== null && typeof v === 'object') {
        const m = sweep(name, terminal, v, run, depth + 1);
        if (m !== v) {
          out ??= value.slice();
          out[i] = m;
        }
      } else if (typeof v === 'string' && mayOpen(v, i, value)) {
        throw NEEDS_OPEN;
      }
    }
    return out ?? value;
  }
  // Not plain data: open first. A plain object's own `toJSON`/`then` is caught below, where its keys are
  // read anyway. The prototype is read once, for this check and for the copy.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && !(proto === null && isPlainObject(value))) throw NEEDS_OPEN;
  const obj = value as Record<string, unknown>;
  const sole = (terminal.terminal as Terminal).sole;
  let out: Record<string, unknown> | undefined;
  // Two store sites, one per branch: the site that writes masks sees one key and the shapes that hold
  // it, so it stays fast; one shared site (keys and shapes of every level) was a tenth slower.
  // `for…in`, not Object.keys: V8 reads each value through the object's enum cache instead of a
  // megamorphic keyed load, which halves the walk. It lists own keys only because the prototype is
  // Object.prototype (checked clean for this call) or null.
  for (const k in obj) {
    const v = obj[k];
    if (k === name) {
      let m: unknown;
      if (sole >= 0 && !Array.isArray(v)) {
        // The default rule, inline: a call per match cost a tenth of the walk.
        run.hits[sole]++;
        m = DEFAULT_MASK;
      } else {
        m = hit(terminal, v, run);
        // A match the rule leaves as it is (a `when` that does not match) is still searched inside.
        if (m === v && v !== null && typeof v === 'object') m = sweep(name, terminal, v, run, depth + 1);
      }
      if (m !== v) {
        out ??= proto === null ? copyNullProto(obj) : spreadAt(depth, obj);
        // The rare removal and own `__proto__` key out of line: `delete` and defineProperty in this
        // function made every store slower.
        if (m === REMOVE || k === '__proto__') putMember(out, k, m);
        else out[k] = m;
      }
    } else if (v !== null && typeof v === 'object') {
      const m = sweep(name, terminal, v, run, depth + 1);
      if (m !== v) {
        out ??= proto === null ? copyNullProto(obj) : spreadAt(depth, obj);
        if (k === '__proto__') setMember(out, k, m);
        else out[k] = m;
      }
    } else if (typeof v === 'string' ? mayOpen(v, k, obj) : isHook(k, v)) {
      throw NEEDS_OPEN;
    }
  }
  return out ?? obj;
}
