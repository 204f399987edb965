/**
 * A recursive-descent parser for RFC 9535 JSONPath queries, including the function-expression type rules
 * of §2.4.3, plus the Powertools shorthand (`address.street`, `items[*].id`, `headers.x-api-key`).
 *
 * Runs once per expression, at configuration time; evaluation never re-parses.
 *
 * @module
 */
import { DataMaskingInvalidSelectorError } from '../errors.js';
import type {
  Comparable,
  ComparisonOp,
  FunctionArg,
  FunctionCall,
  Literal,
  LogicalExpr,
  Query,
  Segment,
  Selector,
} from './ast.js';
import { FUNCTIONS } from './functions.js';

/** The largest integer JSON can carry exactly (I-JSON, RFC 7493), the bound of RFC 9535 indices. */
const MAX_SAFE = 2 ** 53 - 1;
/** How deeply parentheses, `!` and function calls may nest in one filter: a configuration, not data. */
const MAX_NESTING = 128;

type Bare = Literal | Query | FunctionCall;
type Parsed = LogicalExpr | Bare;

const isBare = (e: Parsed): e is Bare => e.type === 'literal' || e.type === 'query' || e.type === 'function';

/** Options of `compileSelector` (and the parser behind it). */
export interface ParseOptions {
  /**
   * Accept the Powertools shorthand (an expression not starting with `$` means `$.` + expression, and
   * dot-names may hold `-` and start with a digit). Default `true`; the conformance run and RFC users may
   * turn it off.
   */
  shorthand?: boolean;
}

/**
 * Parses a field expression into its query tree.
 *
 * @throws {DataMaskingInvalidSelectorError} naming the expression and the offset of the first error.
 */
export function parseExpression(expression: string, options: ParseOptions = {}): Query {
  if (typeof expression !== 'string') {
    throw new DataMaskingInvalidSelectorError(String(expression), 0, 'a field expression must be a string');
  }
  const shorthand = options.shorthand !== false && !expression.startsWith('$');
  return new Parser(expression, shorthand).parseRoot();
}

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly text: string;

  public constructor(
    private readonly expression: string,
    private readonly shorthand: boolean,
  ) {
    this.text = expression;
  }

  // ---- errors and low-level scanning ------------------------------------------------------------

  private fail(reason: string, at = this.pos): never {
    throw new DataMaskingInvalidSelectorError(this.expression, at, reason);
  }

  private peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  private code(offset = 0): number {
    return this.text.charCodeAt(this.pos + offset);
  }

  private eof(): boolean {
    return this.pos >= this.text.length;
  }

  private skipBlank(): boolean {
    const start = this.pos;
    while (!this.eof()) {
      const c = this.code();
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
    return this.pos > start;
  }

  private expect(token: string, what = `'${token}'`): void {
    if (!this.text.startsWith(token, this.pos)) this.fail(`expected ${what}`);
    this.pos += token.length;
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) this.fail(`filter nests deeper than ${MAX_NESTING} levels`);
  }

  private leave(): void {
    this.depth--;
  }

  // ---- queries ----------------------------------------------------------------------------------

  public parseRoot(): Query {
    let segments: Segment[];
    if (this.shorthand) {
      if (this.eof()) this.fail('empty field expression');
      segments = this.parseShorthandSegments();
    } else {
      this.expect('$', "'$' at the start of the expression");
      segments = this.parseSegments();
    }
    if (!this.eof()) this.fail(`unexpected '${this.peek()}'`);
    return makeQuery(false, segments);
  }

  /** `a.b[0]`, `.a`, `[0]`, `..a`, `*`: the first segment has no leading `$`. */
  private parseShorthandSegments(): Segment[] {
    const c = this.peek();
    const segments: Segment[] = [];
    if (c !== '.' && c !== '[') {
      // A bare first name: `address.street` means `$.address.street`.
      segments.push(this.parseDotSegmentBody(false));
    }
    segments.push(...this.parseSegments());
    return segments;
  }

  private parseSegments(): Segment[] {
    const segments: Segment[] = [];
    for (;;) {
      const mark = this.pos;
      this.skipBlank();
      const c = this.peek();
      if (c === '[') {
        segments.push({ descendant: false, selectors: this.parseBracketed() });
      } else if (c === '.') {
        this.pos++;
        if (this.peek() === '.') {
          this.pos++;
          if (this.peek() === '[') segments.push({ descendant: true, selectors: this.parseBracketed() });
          else segments.push(this.parseDotSegmentBody(true));
        } else {
          segments.push(this.parseDotSegmentBody(false));
        }
      } else {
        // Blank space belongs to whatever follows the query (an operator, a comma, a bracket).
        this.pos = mark;
        return segments;
      }
    }
  }

  /** After `.` or `..`: `*` or a member name (RFC member-name-shorthand, or the Powertools one). */
  private parseDotSegmentBody(descendant: boolean): Segment {
    if (this.peek() === '*') {
      this.pos++;
      return { descendant, selectors: [{ kind: 'wildcard' }] };
    }
    const start = this.pos;
    if (this.shorthand) {
      while (!this.eof() && isShorthandNameChar(this.code())) this.pos++;
      if (this.pos === start) this.fail('expected a member name or *');
      const name = this.text.slice(start, this.pos);
      if (/^(0|[1-9][0-9]{0,15})$/.test(name) && Number(name) <= MAX_SAFE) {
        return { descendant, selectors: [{ kind: 'nameOrIndex', name, index: Number(name) }] };
      }
      return { descendant, selectors: [{ kind: 'name', name }] };
    }
    if (this.eof() || !isNameFirst(this.code())) this.fail('expected a member name or *');
    this.pos++;
    while (!this.eof() && isNameChar(this.code())) this.pos++;
    return { descendant, selectors: [{ kind: 'name', name: this.text.slice(start, this.pos) }] };
  }

  private parseBracketed(): Selector[] {
    this.expect('[');
    const selectors: Selector[] = [];
    for (;;) {
      this.skipBlank();
      selectors.push(this.parseSelector());
      this.skipBlank();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      this.expect(']', "',' or ']'");
      return selectors;
    }
  }

  private parseSelector(): Selector {
    const c = this.peek();
    if (c === "'" || c === '"') return { kind: 'name', name: this.parseString() };
    if (c === '*') {
      this.pos++;
      return { kind: 'wildcard' };
    }
    if (c === '?') {
      this.pos++;
      this.skipBlank();
      return { kind: 'filter', expr: this.parseLogical() };
    }
    if (c === ':' || c === '-' || isDigit(this.code())) return this.parseIndexOrSlice();
    return this.fail('expected a selector');
  }

  private parseIndexOrSlice(): Selector {
    let start: number | undefined;
    if (this.peek() !== ':') {
      start = this.parseInt();
      this.skipBlank();
      if (this.peek() !== ':') return { kind: 'index', index: start };
    }
    this.expect(':');
    this.skipBlank();
    let end: number | undefined;
    let step: number | undefined;
    if (this.peek() === '-' || isDigit(this.code())) {
      end = this.parseInt();
      this.skipBlank();
    }
    if (this.peek() === ':') {
      this.pos++;
      this.skipBlank();
      if (this.peek() === '-' || isDigit(this.code())) step = this.parseInt();
    }
    return { kind: 'slice', start, end, step };
  }

  /** RFC 9535 `int`: `0`, or an optional `-` and digits without a leading zero, within ±(2^53-1). */
  private parseInt(): number {
    const start = this.pos;
    if (this.peek() === '-') this.pos++;
    if (this.peek() === '0') {
      this.pos++;
      if (this.pos - start === 2) this.fail('-0 is not an integer index', start);
      if (isDigit(this.code())) this.fail('leading zeros are not allowed', start);
    } else {
      if (!isDigit(this.code())) this.fail('expected an integer');
      while (isDigit(this.code())) this.pos++;
    }
    const value = Number(this.text.slice(start, this.pos));
    if (!Number.isSafeInteger(value)) this.fail('integer out of the range ±(2^53-1)', start);
    return value;
  }

  private parseString(): string {
    const quote = this.peek();
    const start = this.pos;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.eof()) this.fail('unterminated string literal', start);
      const c = this.code();
      if (c < 0x20) this.fail('control character in string literal; escape it');
      if (this.peek() === quote) {
        out += this.text.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        out += this.text.slice(chunk, this.pos);
        this.pos++;
        out += this.parseEscape(quote);
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private parseEscape(quote: string): string {
    const e = this.peek();
    this.pos++;
    switch (e) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '/':
        return '/';
      case '\\':
        return '\\';
      case "'":
      case '"':
        if (e !== quote) this.fail(`\\${e} is not an escape inside ${quote}-quoted strings`, this.pos - 2);
        return e;
      case 'u': {
        const high = this.parseHex4();
        if (high >= 0xdc00 && high <= 0xdfff) this.fail('lone low surrogate in \\u escape', this.pos - 6);
        if (high >= 0xd800 && high <= 0xdbff) {
          if (!this.text.startsWith('\\u', this.pos)) this.fail('high surrogate without a low surrogate');
          this.pos += 2;
          const low = this.parseHex4();
          if (low < 0xdc00 || low > 0xdfff) this.fail('high surrogate without a low surrogate', this.pos - 6);
          return String.fromCharCode(high, low);
        }
        return String.fromCharCode(high);
      }
      default:
        return this.fail('invalid escape sequence', this.pos - 2);
    }
  }

  private parseHex4(): number {
    const hex = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('expected 4 hex digits');
    this.pos += 4;
    return Number.parseInt(hex, 16);
  }

  // ---- filter expressions -----------------------------------------------------------------------

  /** A logical expression in test position: bare literals are refused, queries become existence tests. */
  private parseLogical(): LogicalExpr {
    const start = this.pos;
    return this.asLogical(this.parseOr(), start);
  }

  private asLogical(e: Parsed, at: number): LogicalExpr {
    if (!isBare(e)) return e;
    if (e.type === 'query') return { type: 'test', operand: e };
    if (e.type === 'function') {
      if (e.resultType === 'value') this.fail(`${e.name}() returns a value; compare it to something`, at);
      return { type: 'test', operand: e };
    }
    return this.fail('a literal is not a test; compare it to something', at);
  }

  private parseOr(): Parsed {
    return this.parseChain('||', 'or', () => this.parseAnd());
  }

  private parseAnd(): Parsed {
    return this.parseChain('&&', 'and', () => this.parseBasic());
  }

  /** `operand *(S op S operand)`: one operand is returned as it is, several are joined as logical tests. */
  private parseChain(op: '||' | '&&', type: 'or' | 'and', operand: () => Parsed): Parsed {
    const start = this.pos;
    const first = operand();
    const exprs: LogicalExpr[] = [];
    for (;;) {
      const mark = this.pos;
      this.skipBlank();
      if (!this.text.startsWith(op, this.pos)) {
        this.pos = mark;
        break;
      }
      if (exprs.length === 0) exprs.push(this.asLogical(first, start));
      this.pos += 2;
      this.skipBlank();
      const at = this.pos;
      exprs.push(this.asLogical(operand(), at));
    }
    return exprs.length === 0 ? first : type === 'or' ? { type: 'or', exprs } : { type: 'and', exprs };
  }

  /** paren-expr, comparison-expr or test-expr; a bare comparable is returned as is for the caller to type. */
  private parseBasic(): Parsed {
    const c = this.peek();
    if (c === '!') {
      this.pos++;
      this.skipBlank();
      const at = this.pos;
      this.enter();
      let inner: LogicalExpr;
      if (this.peek() === '(') {
        inner = this.parseParen();
      } else {
        const operand = this.parseComparable();
        if (operand.type === 'literal') this.fail('! applies to a test or a parenthesized expression', at);
        inner = this.asLogical(operand, at);
      }
      this.leave();
      return { type: 'not', expr: inner };
    }
    if (c === '(') return this.parseParen();

    const leftAt = this.pos;
    const left = this.parseComparable();
    const mark = this.pos;
    this.skipBlank();
    const op = this.parseComparisonOp();
    if (op === undefined) {
      this.pos = mark;
      return left;
    }
    this.skipBlank();
    const rightAt = this.pos;
    const right = this.parseComparable();
    this.checkComparable(left, leftAt);
    this.checkComparable(right, rightAt);
    return { type: 'compare', op, left, right };
  }

  private parseParen(): LogicalExpr {
    this.enter();
    this.expect('(');
    this.skipBlank();
    const inner = this.parseLogical();
    this.skipBlank();
    this.expect(')');
    this.leave();
    return inner;
  }

  private parseComparisonOp(): ComparisonOp | undefined {
    const two = this.text.slice(this.pos, this.pos + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      this.pos += 2;
      return two;
    }
    const one = this.peek();
    if (one === '<' || one === '>') {
      this.pos++;
      return one;
    }
    return undefined;
  }

  private checkComparable(e: Comparable, at: number): void {
    if (e.type === 'query' && !e.singular) this.fail('only a singular query can be compared', at);
    if (e.type === 'function' && e.resultType !== 'value') {
      this.fail(`${e.name}() does not return a comparable value`, at);
    }
  }

  /** A literal, a query (`@…` or `$…`) or a function call. */
  private parseComparable(): Comparable {
    const c = this.peek();
    if (c === '@' || c === '$') {
      this.pos++;
      return makeQuery(c === '@', this.parseSegments());
    }
    if (c === "'" || c === '"') return { type: 'literal', value: this.parseString() };
    if (c === '-' || isDigit(this.code())) return { type: 'literal', value: this.parseNumber() };
    const word = /^[a-z][a-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 64))?.[0] ?? '';
    if (word === 'true' || word === 'false' || word === 'null') {
      if (this.peek(word.length) !== '(') {
        this.pos += word.length;
        return { type: 'literal', value: word === 'null' ? null : word === 'true' };
      }
    }
    if (word !== '' && this.peek(word.length) === '(') return this.parseFunction(word);
    return this.fail('expected a query, a literal or a function call');
  }

  /** RFC 9535 `number`: JSON's number grammar, with `-0` allowed; `e` or `E`. */
  private parseNumber(): number {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (!m) return this.fail('expected a number');
    const value = Number(m[0]);
    this.pos += m[0].length;
    return value;
  }

  private parseFunction(name: string): FunctionCall {
    const at = this.pos;
    const def = FUNCTIONS[name as keyof typeof FUNCTIONS];
    if (def === undefined || !Object.hasOwn(FUNCTIONS, name)) this.fail(`unknown function ${name}()`, at);
    this.pos += name.length;
    this.expect('(');
    this.enter();
    this.skipBlank();
    const args: FunctionArg[] = [];
    if (this.peek() !== ')') {
      for (;;) {
        const argAt = this.pos;
        const param = def.params[args.length];
        if (param === undefined) this.fail(`${name}() takes ${def.params.length} argument(s)`, argAt);
        args.push(this.parseArgument(param, argAt));
        this.skipBlank();
        if (this.peek() === ',') {
          this.pos++;
          this.skipBlank();
          continue;
        }
        break;
      }
    }
    this.expect(')', "',' or ')'");
    this.leave();
    if (args.length !== def.params.length) this.fail(`${name}() takes ${def.params.length} argument(s)`, at);
    return { type: 'function', name, args, resultType: def.result };
  }

  /** RFC 9535 §2.4.3: an argument must be well-typed for its declared parameter type. */
  private parseArgument(param: 'value' | 'logical' | 'nodes', at: number): FunctionArg {
    const arg = this.parseOr();
    switch (param) {
      case 'value':
        if (arg.type === 'literal') return arg;
        if (arg.type === 'query' && arg.singular) return arg;
        if (arg.type === 'function' && arg.resultType === 'value') return arg;
        return this.fail('expected a value: a literal, a singular query or a value function', at);
      case 'nodes':
        if (arg.type === 'query') return arg;
        if (arg.type === 'function' && arg.resultType === 'nodes') return arg;
        return this.fail('expected a query', at);
      default:
        if (arg.type === 'literal') return this.fail('expected a logical expression', at);
        if (arg.type === 'function' && arg.resultType === 'value') {
          return this.fail('expected a logical expression', at);
        }
        return this.asLogical(arg, at);
    }
  }
}

function makeQuery(relative: boolean, segments: Segment[]): Query {
  const singular = segments.every(
    (s) =>
      !s.descendant &&
      s.selectors.length === 1 &&
      (s.selectors[0].kind === 'name' || s.selectors[0].kind === 'index'),
  );
  return { type: 'query', relative, segments, singular };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** RFC 9535 name-first: ALPHA / "_" / any non-ASCII (surrogate pairs arrive as two code units ≥ 0x80). */
function isNameFirst(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}

function isNameChar(c: number): boolean {
  return isNameFirst(c) || isDigit(c);
}

/** The Powertools dot-notation also takes `-` (`headers.x-api-key`) and leading digits (`items.0`). */
function isShorthandNameChar(c: number): boolean {
  return isNameChar(c) || c === 0x2d;
}
