/**
 * The public face of the field-expression engine: compile once, then select as often as needed.
 *
 * @module
 */

import type { Query, Segment } from './ast.js';
import { compileSegments, Location, type RunContext, type Step } from './compile.js';
import { normalizedPath } from './normalized-path.js';
import { type ParseOptions, parseExpression } from './parse.js';
import { isPlainObject } from './values.js';

/** Options of {@link compileSelector}. */
export type CompileSelectorOptions = ParseOptions;

/**
 * A field expression parsed and compiled once. Evaluating it never re-parses, and it can be shared
 * across invocations and concurrent requests (it holds no per-run state).
 */
export class CompiledSelector {
  /** The expression as written. */
  public readonly expression: string;
  /** The parsed query. */
  public readonly query: Query;
  readonly #step: Step;
  /** One step per segment, compiled the first time {@link CompiledSelector.missingIn} needs them. */
  #segmentSteps: Step[] | undefined;

  /** @internal Use {@link compileSelector}. */
  public constructor(expression: string, query: Query) {
    this.expression = expression;
    this.query = query;
    this.#step = compileSegments(query.segments);
  }

  /**
   * Calls `visit` with the location of every node the expression selects in `data`, in document order.
   * A node reachable by several routes of the expression is visited once per route, as RFC 9535 says.
   */
  public forEach(data: unknown, visit: (location: Location) => void, watch?: RunContext['watch']): void {
    this.#step(new Location(null, '', data), { root: data, emit: visit, watch });
  }

  /**
   * Whether this expression, having selected nothing in `data`, found its field missing. It did unless
   * every route it took ended at a wildcard, slice or filter over an empty array or object: an empty list
   * is a match with no items, as in Powertools (`orders[*].card` over `{ "orders": [] }` is not a missing
   * field, `orders[*].card` over `{ "orders": [{}] }` is). Only called when nothing was selected, so it
   * costs nothing on the common path.
   */
  public missingIn(data: unknown): boolean {
    const segments = this.query.segments;
    this.#segmentSteps ??= segments.map((segment) => compileSegments([segment]));
    const steps = this.#segmentSteps;
    let frontier: unknown[] = [data];
    for (let i = 0; i < steps.length && frontier.length > 0; i++) {
      const listsItems = listsItemsOnly(segments[i]);
      const next: unknown[] = [];
      const ctx: RunContext = { root: data, emit: (loc) => next.push(loc.value) };
      for (const value of frontier) {
        const before = next.length;
        steps[i](new Location(null, '', value), ctx);
        if (next.length === before && !(listsItems && isEmptyContainer(value))) return true;
      }
      frontier = next;
    }
    return false;
  }

  /** The RFC 9535 normalized paths (`$['a'][0]`) of the selected nodes, in document order. */
  public paths(data: unknown): string[] {
    const out: string[] = [];
    this.forEach(data, (loc) => out.push(normalizedPath(loc.keys())));
    return out;
  }

  /** The values of the selected nodes, in document order. */
  public values(data: unknown): unknown[] {
    const out: unknown[] = [];
    this.forEach(data, (loc) => out.push(loc.value));
    return out;
  }
}

/** A child segment of wildcards, slices and filters: over an empty container it lists no items. */
function listsItemsOnly(segment: Segment): boolean {
  return (
    !segment.descendant &&
    segment.selectors.every((s) => s.kind === 'wildcard' || s.kind === 'slice' || s.kind === 'filter')
  );
}

const isEmptyContainer = (value: unknown): boolean =>
  Array.isArray(value) ? value.length === 0 : isPlainObject(value) && Object.keys(value).length === 0;

/**
 * Parses and compiles a field expression: RFC 9535 JSONPath when it starts with `$`, otherwise the
 * Powertools shorthand (`address.street` means `$.address.street`).
 *
 * @throws {DataMaskingInvalidSelectorError} when the expression does not parse or is not well-typed.
 */
export function compileSelector(expression: string, options?: CompileSelectorOptions): CompiledSelector {
  return new CompiledSelector(expression, parseExpression(expression, options));
}

const recent = new Map<string, CompiledSelector>();
const RECENT_LIMIT = 128;

/**
 * The RFC 9535 normalized paths of the nodes `expression` selects in `data`, in document order: for
 * checking what a configuration will hit. Compiled expressions are kept in a small cache.
 *
 * @example
 * ```ts
 * selectPaths({ address: [{ street: 'a' }, { street: 'b' }] }, 'address[*].street');
 * // ["$['address'][0]['street']", "$['address'][1]['street']"]
 * ```
 * @throws {DataMaskingInvalidSelectorError} when the expression does not parse.
 */
export function selectPaths(data: unknown, expression: string): string[] {
  let compiled = recent.get(expression);
  if (compiled === undefined) {
    compiled = compileSelector(expression);
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(expression, compiled);
  }
  return compiled.paths(data);
}
