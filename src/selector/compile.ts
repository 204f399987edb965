/**
 * Compiles a parsed query into a tree of closures, once; evaluation walks the data with them and never
 * looks at the expression text again. No `eval`, no `new Function`.
 *
 * Only own enumerable properties of arrays and plain objects are ever read, so no expression reaches a
 * prototype through `__proto__`, `constructor` or `prototype`; an own `__proto__` key (as `JSON.parse`
 * makes) is an ordinary member. Cycles are not followed: a descendant walk never re-enters an ancestor.
 *
 * @module
 */
import type { Comparable, FunctionArg, LogicalExpr, Query, Segment, Selector } from './ast.js';
import { FUNCTIONS } from './functions.js';
import { isContainer, isPlainObject, jsonEqual, jsonLess, NOTHING } from './values.js';

/**
 * A node reached by a query: its value, the key it sits under and the location of its parent. Locations
 * form a chain back to the root, so a path is only built when someone asks for it.
 */
export class Location {
  /** Scratch slot for the copy-on-write writer: this node's copy in the result, or `null` when replaced. */
  public copy: object | null | undefined = undefined;

  public constructor(
    public readonly parent: Location | null,
    public readonly key: string | number,
    public readonly value: unknown,
  ) {}

  /** Keys from the root down to this node. */
  public keys(): (string | number)[] {
    const keys: (string | number)[] = [];
    for (let loc: Location | null = this; loc?.parent; loc = loc.parent) keys.push(loc.key);
    return keys.reverse();
  }
}

/** What a running query needs besides the current location. */
export interface RunContext {
  /** The document root, for `$` inside filters. */
  readonly root: unknown;
  /** Receives every selected location in document order. */
  readonly emit: (loc: Location) => void;
  /**
   * Told about every value a step has to look into (`inside`) and every string or non-plain object a
   * descendant walk passes (`below`), so a caller can stop and open what is not plain JSON data.
   */
  readonly watch?: {
    readonly inside: (value: unknown) => void;
    readonly below: (value: unknown, key: string | number, parent: object) => void;
  };
}

/** One compiled step: applies a segment (and all after it) to a location. */
export type Step = (loc: Location, ctx: RunContext) => void;

/** A compiled filter test of the current node `@` against the document root `$`. */
type Predicate = (current: unknown, root: unknown) => boolean;
/** A compiled comparable: a value, or {@link NOTHING}. */
type ValueOf = (current: unknown, root: unknown) => unknown;
/** A compiled query in a filter: the values of the nodes it selects. */
type NodesOf = (current: unknown, root: unknown) => unknown[];

/** Compiles a query's segments into the step that runs them; the last step emits. */
export function compileSegments(segments: readonly Segment[]): Step {
  let next: Step = (loc, ctx) => ctx.emit(loc);
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    const child = compileSelectors(segment.selectors, next);
    next = segment.descendant ? descendantStep(child) : child;
  }
  return next;
}

function compileSelectors(selectors: readonly Selector[], next: Step): Step {
  const steps = selectors.map((s) => compileSelector(s, next));
  if (steps.length === 1) return steps[0];
  return (loc, ctx) => {
    for (const step of steps) step(loc, ctx);
  };
}

function compileSelector(selector: Selector, next: Step): Step {
  switch (selector.kind) {
    case 'name': {
      const { name } = selector;
      return (loc, ctx) => {
        const v = loc.value as Record<string, unknown>;
        ctx.watch?.inside(v);
        if (
          typeof v === 'object' &&
          v !== null &&
          Object.hasOwn(v, name) &&
          !Array.isArray(v) &&
          isPlainObject(v)
        ) {
          next(new Location(loc, name, v[name]), ctx);
        }
      };
    }
    case 'nameOrIndex': {
      const { name, index } = selector;
      return (loc, ctx) => {
        const v = loc.value as Record<string, unknown>;
        ctx.watch?.inside(v);
        if (Array.isArray(v)) {
          if (index < v.length) next(new Location(loc, index, v[index]), ctx);
        } else if (typeof v === 'object' && v !== null && Object.hasOwn(v, name) && isPlainObject(v)) {
          next(new Location(loc, name, v[name]), ctx);
        }
      };
    }
    case 'index': {
      const { index } = selector;
      return (loc, ctx) => {
        const v = loc.value;
        ctx.watch?.inside(v);
        if (!Array.isArray(v)) return;
        const i = index < 0 ? v.length + index : index;
        if (i >= 0 && i < v.length) next(new Location(loc, i, v[i]), ctx);
      };
    }
    case 'wildcard':
      return (loc, ctx) => {
        const v = loc.value;
        ctx.watch?.inside(v);
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) next(new Location(loc, i, v[i]), ctx);
        } else if (isPlainObject(v)) {
          for (const k of Object.keys(v)) next(new Location(loc, k, v[k]), ctx);
        }
      };
    case 'slice': {
      const { start, end, step } = selector;
      return (loc, ctx) => {
        const v = loc.value;
        ctx.watch?.inside(v);
        if (!Array.isArray(v)) return;
        for (const i of sliceIndices(v.length, start, end, step)) next(new Location(loc, i, v[i]), ctx);
      };
    }
    case 'filter': {
      const test = compileLogical(selector.expr);
      return (loc, ctx) => {
        const v = loc.value;
        const watch = ctx.watch;
        if (watch !== undefined) {
          watch.inside(v);
          // A filter looks at each child: one that holds JSON has to be opened for the test to see it.
          if (isContainer(v))
            for (const child of Object.values(v)) if (typeof child === 'string') watch.below(child, '', v);
        }
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            if (test(v[i], ctx.root)) next(new Location(loc, i, v[i]), ctx);
          }
        } else if (isPlainObject(v)) {
          for (const k of Object.keys(v)) {
            if (test(v[k], ctx.root)) next(new Location(loc, k, v[k]), ctx);
          }
        }
      };
    }
  }
}

/** RFC 9535 §2.3.4.2 slice bounds. */
export function sliceIndices(
  len: number,
  start: number | undefined,
  end: number | undefined,
  step: number | undefined,
): number[] {
  const s = step ?? 1;
  const out: number[] = [];
  if (s === 0) return out;
  const norm = (i: number) => (i >= 0 ? i : len + i);
  if (s > 0) {
    const lower = Math.min(Math.max(norm(start ?? 0), 0), len);
    const upper = Math.min(Math.max(norm(end ?? len), 0), len);
    for (let i = lower; i < upper; i += s) out.push(i);
  } else {
    const upper = Math.min(Math.max(norm(start ?? len - 1), -1), len - 1);
    const lower = Math.min(Math.max(norm(end ?? -len - 1), -1), len - 1);
    for (let i = upper; lower < i; i += s) out.push(i);
  }
  return out;
}

/** Below this depth an ancestor check scans the path; deeper, a Set keeps it linear. */
const SCAN_DEPTH = 32;

/**
 * `..`: the selectors applied to the node, then to each descendant, in document order (pre-order).
 * Iterative, so 20,000 levels of nesting cost time, not stack; a container already on the current path
 * (a cycle) is not entered again.
 */
function descendantStep(child: Step): Step {
  return (start, ctx) => {
    child(start, ctx);
    if (!isContainer(start.value)) {
      ctx.watch?.inside(start.value);
      return;
    }
    const locs: Location[] = [start];
    const keys: (string[] | null)[] = [Array.isArray(start.value) ? null : Object.keys(start.value)];
    const next: number[] = [0];
    let deep: Set<unknown> | undefined;
    while (locs.length > 0) {
      const top = locs.length - 1;
      const parent = locs[top];
      const pv = parent.value as Record<string | number, unknown>;
      const pk = keys[top];
      const i = next[top];
      if (i >= (pk === null ? (pv as unknown as unknown[]).length : pk.length)) {
        if (top >= SCAN_DEPTH) deep?.delete(pv);
        locs.pop();
        keys.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const key = pk === null ? i : pk[i];
      const cv = pv[key];
      if (cv === null || typeof cv !== 'object') {
        if (typeof cv === 'string') ctx.watch?.below(cv, key, pv);
        continue;
      }
      const isArray = Array.isArray(cv);
      if (!isArray && !isPlainObject(cv)) {
        ctx.watch?.below(cv, key, pv);
        continue;
      }
      if (isAncestor(cv, locs, deep)) continue;
      const loc = new Location(parent, key, cv);
      child(loc, ctx);
      if (locs.length >= SCAN_DEPTH) {
        deep ??= new Set();
        deep.add(cv);
      }
      locs.push(loc);
      keys.push(isArray ? null : Object.keys(cv));
      next.push(0);
    }
  };
}

function isAncestor(value: unknown, locs: Location[], deep: Set<unknown> | undefined): boolean {
  const n = Math.min(locs.length, SCAN_DEPTH);
  for (let i = 0; i < n; i++) if (locs[i].value === value) return true;
  return deep?.has(value) === true;
}

// ---- filters ------------------------------------------------------------------------------------

/** Compiles a filter's logical expression. */
export function compileLogical(expr: LogicalExpr): Predicate {
  switch (expr.type) {
    case 'and': {
      const parts = expr.exprs.map(compileLogical);
      return (cur, root) => {
        for (const p of parts) if (!p(cur, root)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = expr.exprs.map(compileLogical);
      return (cur, root) => {
        for (const p of parts) if (p(cur, root)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileLogical(expr.expr);
      return (cur, root) => !inner(cur, root);
    }
    case 'test': {
      const { operand } = expr;
      if (operand.type === 'query') {
        if (operand.singular) {
          const get = compileSingular(operand);
          return (cur, root) => get(cur, root) !== NOTHING;
        }
        const nodes = compileNodes(operand);
        return (cur, root) => nodes(cur, root).length > 0;
      }
      const call = compileFunction(operand.name, operand.args);
      if (operand.resultType === 'nodes') return (cur, root) => (call(cur, root) as unknown[]).length > 0;
      return (cur, root) => call(cur, root) === true;
    }
    case 'compare': {
      const left = compileComparable(expr.left);
      const right = compileComparable(expr.right);
      switch (expr.op) {
        case '==':
          return (cur, root) => jsonEqual(left(cur, root), right(cur, root));
        case '!=':
          return (cur, root) => !jsonEqual(left(cur, root), right(cur, root));
        case '<':
          return (cur, root) => jsonLess(left(cur, root), right(cur, root));
        case '>':
          return (cur, root) => jsonLess(right(cur, root), left(cur, root));
        case '<=':
          return (cur, root) => {
            const a = left(cur, root);
            const b = right(cur, root);
            return jsonLess(a, b) || jsonEqual(a, b);
          };
        case '>=':
          return (cur, root) => {
            const a = left(cur, root);
            const b = right(cur, root);
            return jsonLess(b, a) || jsonEqual(a, b);
          };
      }
    }
  }
}

function compileComparable(c: Comparable): ValueOf {
  if (c.type === 'literal') {
    const { value } = c;
    return () => value;
  }
  if (c.type === 'query') return compileSingular(c);
  return compileFunction(c.name, c.args);
}

/** A singular query (names and indices only): a direct lookup, no allocation. */
function compileSingular(query: Query): ValueOf {
  const path = query.segments.map((s) => s.selectors[0]) as (
    | { kind: 'name'; name: string }
    | { kind: 'index'; index: number }
  )[];
  const relative = query.relative;
  return (cur, root) => {
    let v: unknown = relative ? cur : root;
    for (const sel of path) {
      if (sel.kind === 'name') {
        if (
          typeof v !== 'object' ||
          v === null ||
          Array.isArray(v) ||
          !Object.hasOwn(v, sel.name) ||
          !isPlainObject(v)
        ) {
          return NOTHING;
        }
        v = (v as Record<string, unknown>)[sel.name];
      } else {
        if (!Array.isArray(v)) return NOTHING;
        const i = sel.index < 0 ? v.length + sel.index : sel.index;
        if (i < 0 || i >= v.length) return NOTHING;
        v = v[i];
      }
    }
    return v;
  };
}

/** Any query in a filter: the values it selects. */
function compileNodes(query: Query): NodesOf {
  const step = compileSegments(query.segments);
  const relative = query.relative;
  return (cur, root) => {
    const out: unknown[] = [];
    step(new Location(null, '', relative ? cur : root), { root, emit: (loc) => out.push(loc.value) });
    return out;
  };
}

function compileFunction(name: string, args: readonly FunctionArg[]): ValueOf {
  const def = FUNCTIONS[name as keyof typeof FUNCTIONS];
  const evaluators = args.map((arg, i): ValueOf => {
    const param = def.params[i];
    if (param === 'nodes') {
      if (arg.type === 'query') return compileNodes(arg);
      if (arg.type === 'function') return compileFunction(arg.name, arg.args);
    }
    if (param === 'value' && (arg.type === 'literal' || arg.type === 'query' || arg.type === 'function')) {
      return compileComparable(arg);
    }
    return compileLogical(arg as LogicalExpr);
  });
  const call = def.call;
  return (cur, root) => call(evaluators.map((e) => e(cur, root)));
}
