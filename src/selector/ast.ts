/**
 * The syntax tree of a parsed field expression (RFC 9535 JSONPath, with the Powertools shorthand
 * already rewritten into it).
 *
 * @module
 */

/** A JSON value as the filter language sees it. */
export type JsonLike = unknown;

export interface NameSelector {
  readonly kind: 'name';
  readonly name: string;
}
/**
 * Powertools shorthand only: `items.0` names key `"0"` of an object or index 0 of an array, the way
 * the Powertools dot-notation does. RFC expressions never produce it.
 */
export interface NameOrIndexSelector {
  readonly kind: 'nameOrIndex';
  readonly name: string;
  readonly index: number;
}
export interface WildcardSelector {
  readonly kind: 'wildcard';
}
export interface IndexSelector {
  readonly kind: 'index';
  readonly index: number;
}
export interface SliceSelector {
  readonly kind: 'slice';
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly step: number | undefined;
}
export interface FilterSelector {
  readonly kind: 'filter';
  readonly expr: LogicalExpr;
}
export type Selector =
  | NameSelector
  | NameOrIndexSelector
  | WildcardSelector
  | IndexSelector
  | SliceSelector
  | FilterSelector;

export interface Segment {
  readonly descendant: boolean;
  readonly selectors: readonly Selector[];
}

export interface Query {
  readonly type: 'query';
  /** `$` (absolute) or `@` (relative to the current node of a filter). */
  readonly relative: boolean;
  readonly segments: readonly Segment[];
  /** Only name and index child segments with one selector each: yields at most one node. */
  readonly singular: boolean;
}

export interface Literal {
  readonly type: 'literal';
  readonly value: string | number | boolean | null;
}

/** RFC 9535 §2.4.1 function types. */
export type FunctionType = 'value' | 'logical' | 'nodes';

export interface FunctionCall {
  readonly type: 'function';
  readonly name: string;
  readonly args: readonly FunctionArg[];
  readonly resultType: FunctionType;
}

export type FunctionArg = Literal | Query | FunctionCall | LogicalExpr;

export type Comparable = Literal | Query | FunctionCall;

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Comparison {
  readonly type: 'compare';
  readonly op: ComparisonOp;
  readonly left: Comparable;
  readonly right: Comparable;
}
export interface Not {
  readonly type: 'not';
  readonly expr: LogicalExpr;
}
export interface And {
  readonly type: 'and';
  readonly exprs: readonly LogicalExpr[];
}
export interface Or {
  readonly type: 'or';
  readonly exprs: readonly LogicalExpr[];
}
/** An existence test of a query, or a LogicalType / NodesType function used as a test. */
export interface Test {
  readonly type: 'test';
  readonly operand: Query | FunctionCall;
}

export type LogicalExpr = Comparison | Not | And | Or | Test;
