/**
 * The static plan over JSON text. A batch record arrives as JSON text and leaves as JSON text: parsing it
 * into objects and writing it back costs far more than masking four fields of it. This walks the text
 * once with the trie the object walk uses, checks every character as strictly as `JSON.parse`, and
 * splices the replacements into the text. What no path touches is never materialized and leaves exactly
 * as it came (whitespace, number spellings, escapes).
 *
 * It takes the common case and hands everything else back (`undefined`): text `JSON.parse` would refuse
 * (the parse path then reports it), a path that runs into a non-empty string (it may have to be opened),
 * a string below `..` that may hold JSON, nesting past 400, an own key spelled with escapes below `..`
 * that needs decoding. The caller then takes the parse path; the property tests hold both to the same
 * result.
 *
 * Duplicate keys: `JSON.parse` keeps the last one; here every occurrence a path selects is masked, so no
 * reader, whichever duplicate it keeps, sees an original value.
 *
 * @module
 */
import { DEFAULT_MASK, REMOVE } from './constants.js';
import { parseJson } from './lossless-json.js';
import type { CompiledRule } from './rule.js';
import type { PlanNode, Terminal } from './static-plan.js';

/** Masks JSON text, counting what each target selected; `undefined` when the parse path must do it. */
export type TextPlan = (text: string, hits: number[]) => string | undefined;

/** Thrown inside the walk, caught at its top: the parse path takes this text. */
const GIVE_UP: unique symbol = Symbol('take the parse path');
/** Deeper text goes to the parse path (whose general evaluator is iterative). */
const MAX_DEPTH = 400;
const MASK_JSON = JSON.stringify(DEFAULT_MASK);
/** A terminal's rules left the value as it was. */
const UNCHANGED: unique symbol = Symbol('unchanged');

/** The state of one walk over one text. */
interface Scan {
  readonly s: string;
  readonly hits: number[];
  /** The replacements, in text order: `[start, end)` becomes `texts[k]`. */
  readonly starts: number[];
  readonly ends: number[];
  readonly texts: string[];
  /** The text's UTF-16 code units, and a 0 after them (which no token accepts: the walk stops there). */
  readonly u: Uint16Array;
  /** Whether the last string skipped held an escape (then its raw text is not its value). */
  escaped: boolean;
  /** The JSON text of the last terminal's result; `undefined` when JSON has no text for it. */
  out: string | undefined | typeof REMOVE | typeof UNCHANGED;
}

/**
 * The text plan of a trie, or `undefined` when some rule needs what the text walk does not keep: the
 * path (function rules), the whole document (`$`), or a rule other than the default mask below `..`
 * (which may leave a match as it is, and then the match is searched inside: the object walk does that).
 */
export function buildTextPlan(root: PlanNode, rules: readonly CompiledRule[]): TextPlan | undefined {
  if (root.terminal !== null || rules.some((r) => r.needsPath === true) || !defaultBelowDescendants(root)) {
    return undefined;
  }
  return (text, hits) => {
    const scan: Scan = {
      s: text,
      hits,
      starts: [],
      ends: [],
      texts: [],
      u: unitsOf(text),
      escaped: false,
      out: UNCHANGED,
    };
    try {
      const start = ws(scan.u, 0);
      const end = ws(scan.u, walk(scan, root, start, 0));
      if (end !== text.length) return undefined;
    } catch (error) {
      if (error === GIVE_UP) return undefined;
      throw error;
    }
    return splice(scan);
  };
}

/** Whether every `..name` of the trie masks with the default mask alone (the rule the sweep takes). */
function defaultBelowDescendants(node: PlanNode): boolean {
  if (node.edge?.kind === 'descendant') return (node.child as PlanNode).terminal?.sole !== -1;
  if (node.child !== null && !defaultBelowDescendants(node.child)) return false;
  return node.childList.every(defaultBelowDescendants);
}

/** Texts up to this many code units share one buffer; a longer one gets its own, not kept. */
const SHARED_UNITS = 1 << 16;
let shared = new Uint16Array(4096);
let sharedBytes = Buffer.from(shared.buffer);

/**
 * The text's UTF-16 code units and a 0 after them, in a buffer shared by every walk (a walk runs to its
 * end synchronously, and no rule it calls starts another). Indexing code units is about twice as fast
 * as `charCodeAt`, whose every call checks what kind of string it reads.
 */
function unitsOf(text: string): Uint16Array {
  const n = text.length;
  if (n >= SHARED_UNITS) {
    const own = new Uint16Array(n + 1);
    Buffer.from(own.buffer).write(text, 0, 'utf16le');
    return own;
  }
  if (n >= shared.length) {
    shared = new Uint16Array(Math.min(SHARED_UNITS, 2 ** Math.ceil(Math.log2(n + 1))));
    sharedBytes = Buffer.from(shared.buffer);
  }
  sharedBytes.write(text, 0, 'utf16le');
  shared[n] = 0;
  return shared;
}

/** The text with every replacement written in; `undefined` (the parse path) if two would overlap. */
function splice(scan: Scan): string | undefined {
  const { s, starts, ends, texts } = scan;
  if (starts.length === 0) return s;
  let out = '';
  let from = 0;
  for (let k = 0; k < starts.length; k++) {
    // Replacements never overlap (each covers a value no other path reaches): checked, not assumed.
    if (starts[k] < from) return undefined;
    out += s.slice(from, starts[k]) + texts[k];
    from = ends[k];
  }
  return out + s.slice(from);
}

function replace(scan: Scan, start: number, end: number, text: string): void {
  scan.starts.push(start);
  scan.ends.push(end);
  scan.texts.push(text);
}

/** Past JSON whitespace (space, tab, line feed, carriage return: nothing else, as `JSON.parse`). */
function ws(u: Uint16Array, i: number): number {
  let c = u[i];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i];
  return i;
}

/** Past the string that starts at `i` (a `"`); sets `scan.escaped`. */
function skipString(scan: Scan, i: number): number {
  const u = scan.u;
  let escaped = false;
  let j = i + 1;
  for (;;) {
    const c = u[j];
    if (c === 0x22) break;
    if (c === 0x5c) {
      escaped = true;
      j = skipEscape(u, j);
    } else if (c < 0x20) {
      throw GIVE_UP; // a raw control character, or the end of the text: unterminated
    }
    j++;
  }
  scan.escaped = escaped;
  return j + 1;
}

/** The index of the escape's last character (`\n`, `\u00e9`); anything else is not JSON. */
function skipEscape(u: Uint16Array, j: number): number {
  const c = u[j + 1];
  // " \ / b f n r t
  if (
    c === 0x22 ||
    c === 0x5c ||
    c === 0x2f ||
    c === 0x62 ||
    c === 0x66 ||
    c === 0x6e ||
    c === 0x72 ||
    c === 0x74
  ) {
    return j + 1;
  }
  if (c !== 0x75) throw GIVE_UP;
  for (let k = j + 2; k < j + 6; k++) {
    const h = u[k] | 0x20; // lower case
    if (!((h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66))) throw GIVE_UP;
  }
  return j + 5;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Past a number, by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
function skipNumber(u: Uint16Array, i: number): number {
  let j = i;
  if (u[j] === 0x2d) j++;
  const first = u[j];
  if (first === 0x30) j++;
  else if (first >= 0x31 && first <= 0x39) while (isDigit(u[++j]));
  else throw GIVE_UP;
  if (u[j] === 0x2e) {
    if (!isDigit(u[++j])) throw GIVE_UP;
    while (isDigit(u[++j]));
  }
  const e = u[j];
  if (e === 0x65 || e === 0x45) {
    const sign = u[++j];
    if (sign === 0x2b || sign === 0x2d) j++;
    if (!isDigit(u[j])) throw GIVE_UP;
    while (isDigit(u[++j]));
  }
  return j;
}

/** Past a number, `true`, `false` or `null`. */
function skipScalar(scan: Scan, i: number): number {
  const s = scan.s;
  const u = scan.u;
  switch (u[i]) {
    case 0x74: // t
      if (s.startsWith('true', i)) return i + 4;
      throw GIVE_UP;
    case 0x66: // f
      if (s.startsWith('false', i)) return i + 5;
      throw GIVE_UP;
    case 0x6e: // n
      if (s.startsWith('null', i)) return i + 4;
      throw GIVE_UP;
    default:
      return skipNumber(u, i);
  }
}

/** Past the value at `i` (no whitespace before it), checked but not read: what no path touches. */
function skipValue(scan: Scan, i: number, depth: number): number {
  const c = scan.u[i];
  if (c === 0x22) return skipString(scan, i);
  if (c === 0x7b || c === 0x5b) return skipContainer(scan, i, depth);
  return skipScalar(scan, i);
}

function skipObject(scan: Scan, i: number, depth: number): number {
  return skipContainer(scan, i, depth);
}

function skipArray(scan: Scan, i: number, depth: number): number {
  return skipContainer(scan, i, depth);
}

/** What the container loop expects next. */
const KEY_OR_CLOSE = 0;
const KEY = 1;
const COLON = 2;
const VALUE_OR_CLOSE = 3;
const VALUE = 4;
const AFTER_VALUE = 5;
/** The open containers of {@link skipContainer}: 1 for an object, 0 for an array (no user code runs inside). */
const OPEN = new Uint8Array(MAX_DEPTH + 1);

/**
 * Past the object or array at `i`, checked but not read, in one loop over its tokens, with a stack of
 * the open containers and what comes next, rather than a call per token: untouched subtrees are most of
 * a record, and this is where the walk spends its time.
 */
function skipContainer(scan: Scan, i: number, depth: number): number {
  const u = scan.u;
  let top = 0;
  let j = i + 1;
  let state: number;
  if (u[i] === 0x7b) {
    OPEN[0] = 1;
    state = KEY_OR_CLOSE;
  } else {
    OPEN[0] = 0;
    state = VALUE_OR_CLOSE;
  }
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  for (;;) {
    const c = u[j];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      j++;
      continue;
    }
    switch (state) {
      case AFTER_VALUE:
        if (c === 0x2c) {
          state = OPEN[top] === 1 ? KEY : VALUE;
          j++;
          continue;
        }
        if (c !== (OPEN[top] === 1 ? 0x7d : 0x5d)) throw GIVE_UP;
        if (top === 0) return j + 1;
        top--;
        j++;
        continue;
      case KEY_OR_CLOSE:
      case KEY:
        if (c === 0x22) {
          j = skipString(scan, j);
          state = COLON;
          continue;
        }
        if (c !== 0x7d || state === KEY) throw GIVE_UP;
        if (top === 0) return j + 1;
        top--;
        j++;
        state = AFTER_VALUE;
        continue;
      case COLON:
        if (c !== 0x3a) throw GIVE_UP;
        j++;
        state = VALUE;
        continue;
      default: // VALUE_OR_CLOSE, VALUE
        if (c === 0x22) {
          j = skipString(scan, j);
        } else if (c === 0x7b || c === 0x5b) {
          if (depth + top + 1 >= MAX_DEPTH) throw GIVE_UP;
          top++;
          j++;
          if (c === 0x7b) {
            OPEN[top] = 1;
            state = KEY_OR_CLOSE;
          } else {
            OPEN[top] = 0;
            state = VALUE_OR_CLOSE;
          }
          continue;
        } else if (c === 0x5d && state === VALUE_OR_CLOSE) {
          if (top === 0) return j + 1;
          top--;
          j++;
        } else {
          j = skipScalar(scan, j);
        }
        state = AFTER_VALUE;
    }
  }
}

/** The rules never read the path here (function rules keep the parse path); asked anyway, give up. */
const noPath = (): string => {
  throw GIVE_UP;
};

/**
 * Applies a terminal to the value at `start`: its result goes to `scan.out` (the default mask inline,
 * other rules on the value parsed from its own text); returns the value's end.
 */
function terminal(scan: Scan, t: Terminal, start: number, depth: number): number {
  const end = skipValue(scan, start, depth);
  const { targets, rules } = t;
  for (let k = 0; k < targets.length; k++) scan.hits[targets[k]]++;
  if (t.sole >= 0 && scan.u[start] !== 0x5b) {
    scan.out = MASK_JSON;
    return end;
  }
  const value = parseJson(scan.s.slice(start, end));
  // The first rule that changes the value claims it, as on the object walk.
  let out = rules[0].apply(value, noPath);
  for (let k = 1; k < rules.length && Object.is(out, value); k++) out = rules[k].apply(value, noPath);
  if (Object.is(out, value)) scan.out = UNCHANGED;
  else if (out === REMOVE) scan.out = REMOVE;
  else {
    try {
      scan.out = JSON.stringify(out);
    } catch {
      throw GIVE_UP; // the parse path reports what cannot be written
    }
  }
  return end;
}

/**
 * Removal of members or elements with their separators, decided one by one in text order: a removed item
 * after a kept one takes the separator before it; a leading run of removed items takes the separators
 * after them, up to the first kept item (or the whole run when none is kept).
 */
class Removals {
  keptBefore = false;
  /** The start of the leading run of removed items, or -1. */
  runStart = -1;
  /** The end of the previous item. */
  prevEnd = -1;

  kept(scan: Scan, itemStart: number): void {
    if (this.runStart >= 0) {
      replace(scan, this.runStart, itemStart, '');
      this.runStart = -1;
    }
    this.keptBefore = true;
  }

  removed(scan: Scan, itemStart: number, itemEnd: number): void {
    if (this.keptBefore) replace(scan, this.prevEnd, itemEnd, '');
    else if (this.runStart < 0) this.runStart = itemStart;
  }

  close(scan: Scan): void {
    if (this.runStart >= 0) replace(scan, this.runStart, this.prevEnd, '');
  }
}

/**
 * Writes the result of a terminal for the item `[itemStart, end)` whose value starts at `valueStart`:
 * removal for {@link REMOVE} (and, in an object, for a result JSON cannot write, as `JSON.stringify`
 * drops such a member), `null` for one in an array, the replacement text otherwise.
 */
function writeTerminal(
  scan: Scan,
  removals: Removals,
  itemStart: number,
  valueStart: number,
  end: number,
  inArray: boolean,
): void {
  const out = scan.out;
  if (out === UNCHANGED) {
    removals.kept(scan, itemStart);
  } else if (out === REMOVE || (out === undefined && !inArray)) {
    removals.removed(scan, itemStart, end);
  } else {
    removals.kept(scan, itemStart);
    replace(scan, valueStart, end, out ?? 'null');
  }
}

/** The value at `i` below the non-terminal `node`; returns its end. */
function walk(scan: Scan, node: PlanNode, i: number, depth: number): number {
  const u = scan.u;
  const c = u[i];
  if (c === 0x7b) {
    const edge = node.edge;
    if (edge !== null && edge.kind === 'descendant') return sweep(scan, edge.name, node, i, depth);
    if (edge !== null && edge.kind === 'index') return skipObject(scan, i, depth);
    return walkObject(scan, node, i, depth);
  }
  if (c === 0x5b) {
    const edge = node.edge;
    if (edge === null || edge.kind === 'name') return skipArray(scan, i, depth);
    if (edge.kind === 'descendant') return sweep(scan, edge.name, node, i, depth);
    if (edge.kind === 'wildcard') return walkArray(scan, node.child as PlanNode, i, depth);
    return walkIndex(scan, node.child as PlanNode, edge.index, i, depth);
  }
  // A string on a path may hold JSON to open: the parse path decides. An empty one is a leaf.
  if (c === 0x22) {
    if (u[i + 1] === 0x22) return i + 2;
    throw GIVE_UP;
  }
  return skipScalar(scan, i);
}

/** The child of `node` for the key `[keyStart, keyEnd)` (quotes included), or `undefined`. */
function childFor(scan: Scan, node: PlanNode, keyStart: number, keyEnd: number): PlanNode | undefined {
  const edge = node.edge;
  if (edge !== null && edge.kind === 'wildcard') return node.child as PlanNode;
  const s = scan.s;
  if (scan.escaped) {
    const key = JSON.parse(s.slice(keyStart, keyEnd)) as string;
    if (edge !== null)
      return edge.kind === 'nameOrIndex' && key === edge.name ? (node.child as PlanNode) : undefined;
    return (node.names as Map<string, PlanNode>).get(key);
  }
  const length = keyEnd - keyStart - 2;
  if (edge !== null) {
    return edge.kind === 'nameOrIndex' && edge.name.length === length && s.startsWith(edge.name, keyStart + 1)
      ? (node.child as PlanNode)
      : undefined;
  }
  const names = node.nameList;
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (name.length === length && s.startsWith(name, keyStart + 1)) return node.childList[k];
  }
  return undefined;
}

/** An object below a node of names, a wildcard or a name-or-index edge. */
function walkObject(scan: Scan, node: PlanNode, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const u = scan.u;
  let j = ws(u, i + 1);
  if (u[j] === 0x7d) return j + 1;
  const removals = new Removals();
  for (;;) {
    if (u[j] !== 0x22) throw GIVE_UP;
    const keyStart = j;
    const keyEnd = skipString(scan, j);
    j = ws(u, keyEnd);
    if (u[j] !== 0x3a) throw GIVE_UP;
    const valueStart = ws(u, j + 1);
    const child = childFor(scan, node, keyStart, keyEnd);
    let end: number;
    if (child === undefined) {
      removals.kept(scan, keyStart);
      end = skipValue(scan, valueStart, depth + 1);
    } else if (child.terminal !== null) {
      end = terminal(scan, child.terminal, valueStart, depth + 1);
      writeTerminal(scan, removals, keyStart, valueStart, end, false);
    } else {
      removals.kept(scan, keyStart);
      end = walk(scan, child, valueStart, depth + 1);
    }
    removals.prevEnd = end;
    j = ws(u, end);
    const c = u[j];
    if (c === 0x7d) {
      removals.close(scan);
      return j + 1;
    }
    if (c !== 0x2c) throw GIVE_UP;
    j = ws(u, j + 1);
  }
}

/** Every element of an array, below a wildcard. */
function walkArray(scan: Scan, child: PlanNode, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const u = scan.u;
  let j = ws(u, i + 1);
  if (u[j] === 0x5d) return j + 1;
  const removals = new Removals();
  for (;;) {
    let end: number;
    if (child.terminal !== null) {
      end = terminal(scan, child.terminal, j, depth + 1);
      writeTerminal(scan, removals, j, j, end, true);
    } else {
      removals.kept(scan, j);
      end = walk(scan, child, j, depth + 1);
    }
    removals.prevEnd = end;
    j = ws(u, end);
    const c = u[j];
    if (c === 0x5d) {
      removals.close(scan);
      return j + 1;
    }
    if (c !== 0x2c) throw GIVE_UP;
    j = ws(u, j + 1);
  }
}

/**
 * One element of an array, by index (negative from the end). The array is checked whole first, with the
 * start of each element kept; then the chosen element is walked (its text is read twice: still linear).
 */
function walkIndex(scan: Scan, child: PlanNode, index: number, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const u = scan.u;
  const starts: number[] = [];
  const ends: number[] = [];
  let j = ws(u, i + 1);
  let close: number;
  if (u[j] === 0x5d) {
    close = j + 1;
  } else {
    for (;;) {
      starts.push(j);
      const end = skipValue(scan, j, depth + 1);
      ends.push(end);
      j = ws(u, end);
      const c = u[j];
      if (c === 0x5d) {
        close = j + 1;
        break;
      }
      if (c !== 0x2c) throw GIVE_UP;
      j = ws(u, j + 1);
    }
  }
  const k = index < 0 ? starts.length + index : index;
  if (k < 0 || k >= starts.length) return close;
  if (child.terminal === null) {
    walk(scan, child, starts[k], depth + 1);
    return close;
  }
  const end = terminal(scan, child.terminal, starts[k], depth + 1);
  const out = scan.out;
  if (out === UNCHANGED) return close;
  if (out !== REMOVE) {
    replace(scan, starts[k], end, out ?? 'null');
  } else if (k > 0) {
    replace(scan, ends[k - 1], end, ''); // with the separator before it
  } else {
    replace(scan, starts[k], k + 1 < starts.length ? starts[k + 1] : end, ''); // or the one after it
  }
  return close;
}

/**
 * `..name` from the value at `i`: every member called `name`, at any depth, gets the default mask (the
 * only rule the text walk takes below `..`, see {@link buildTextPlan}). A string that may hold
 * JSON, or a key spelled with escapes, goes to the parse path.
 */
function sweep(scan: Scan, name: string, node: PlanNode, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const s = scan.s;
  const u = scan.u;
  const c = u[i];
  if (c === 0x22) {
    const end = skipString(scan, i);
    if (mayHoldJson(u, i)) throw GIVE_UP;
    return end;
  }
  if (c === 0x5b) {
    let j = ws(u, i + 1);
    if (u[j] === 0x5d) return j + 1;
    for (;;) {
      j = ws(u, sweep(scan, name, node, j, depth + 1));
      const d = u[j];
      if (d === 0x5d) return j + 1;
      if (d !== 0x2c) throw GIVE_UP;
      j = ws(u, j + 1);
    }
  }
  if (c !== 0x7b) return skipScalar(scan, i);
  const t = (node.child as PlanNode).terminal as Terminal;
  let j = ws(u, i + 1);
  if (u[j] === 0x7d) return j + 1;
  for (;;) {
    if (u[j] !== 0x22) throw GIVE_UP;
    const keyStart = j;
    const keyEnd = skipString(scan, j);
    if (scan.escaped) throw GIVE_UP;
    j = ws(u, keyEnd);
    if (u[j] !== 0x3a) throw GIVE_UP;
    const valueStart = ws(u, j + 1);
    const length = keyEnd - keyStart - 2;
    let end: number;
    if (length === name.length && s.startsWith(name, keyStart + 1)) {
      end = terminal(scan, t, valueStart, depth + 1);
      // The default mask (the only rule taken here) always changes the value: an array of masks, or one.
      if (typeof scan.out !== 'string') throw GIVE_UP;
      replace(scan, valueStart, end, scan.out);
    } else if (length === 4 && s.startsWith('body', keyStart + 1) && u[valueStart] === 0x22) {
      end = skipString(scan, valueStart);
      if (end - valueStart > 2) throw GIVE_UP; // an HTTP body below `..` is opened by the parse path
    } else {
      end = sweep(scan, name, node, valueStart, depth + 1);
    }
    j = ws(u, end);
    const d = u[j];
    if (d === 0x7d) return j + 1;
    if (d !== 0x2c) throw GIVE_UP;
    j = ws(u, j + 1);
  }
}

/**
 * Whether the string at `i` might hold JSON, by its first character, as the object walk judges strings
 * below `..` (and wider: an escape or a space first is left to the parse path too). Empty is a leaf.
 */
function mayHoldJson(u: Uint16Array, i: number): boolean {
  const c = u[i + 1];
  if (c === 0x22) return false;
  return c <= 0x22 || c === 0x5b || c === 0x7b || c === 0x5c || c === 0xfeff;
}
