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
  /** Whether the last string skipped may hold an escape (then its raw text may not be its value). */
  escaped: boolean;
  /** The position of the next backslash or control character in the text, or past it: see skipString. */
  special: number;
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
      escaped: false,
      special: -1,
      out: UNCHANGED,
    };
    try {
      const start = ws(text, 0);
      const end = ws(text, walk(scan, root, start, 0));
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
function ws(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
  return i;
}

/**
 * Past the string that starts at `i` (a `"`); sets `scan.escaped`. Most strings hold neither an escape
 * nor a control character: their end is the next `"`, found natively, once the next such character in
 * the text is known to lie beyond it. The others are read character by character.
 */
function skipString(scan: Scan, i: number): number {
  const s = scan.s;
  const close = s.indexOf('"', i + 1);
  if (close < 0) throw GIVE_UP; // unterminated
  let special = scan.special;
  if (special <= i) {
    SPECIAL.lastIndex = i + 1;
    special = SPECIAL.test(s) ? SPECIAL.lastIndex - 1 : s.length;
    scan.special = special;
  }
  if (special > close) {
    scan.escaped = false;
    return close + 1;
  }
  return readString(scan, i);
}

/** A backslash or a control character: inside a string, the one needs reading, the other is not JSON. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point (JSON forbids them in strings).
const SPECIAL = /[\\\x00-\x1f]/g;

/** {@link skipString}, character by character. */
function readString(scan: Scan, i: number): number {
  const s = scan.s;
  const n = s.length;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x22) {
      scan.escaped = true;
      return j + 1;
    }
    if (c === 0x5c) j = skipEscape(s, j);
    else if (c < 0x20) throw GIVE_UP; // a raw control character
  }
  throw GIVE_UP; // unterminated
}

/** The index of the escape's last character (`\n`, `\u00e9`); anything else is not JSON. */
function skipEscape(s: string, j: number): number {
  const c = s.charCodeAt(j + 1);
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
    const h = s.charCodeAt(k) | 0x20; // lower case
    if (!((h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66))) throw GIVE_UP;
  }
  return j + 5;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Past a number, by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
function skipNumber(s: string, i: number): number {
  let j = i;
  if (s.charCodeAt(j) === 0x2d) j++;
  const first = s.charCodeAt(j);
  if (first === 0x30) j++;
  else if (first >= 0x31 && first <= 0x39) while (isDigit(s.charCodeAt(++j)));
  else throw GIVE_UP;
  if (s.charCodeAt(j) === 0x2e) {
    if (!isDigit(s.charCodeAt(++j))) throw GIVE_UP;
    while (isDigit(s.charCodeAt(++j)));
  }
  const e = s.charCodeAt(j);
  if (e === 0x65 || e === 0x45) {
    const sign = s.charCodeAt(++j);
    if (sign === 0x2b || sign === 0x2d) j++;
    if (!isDigit(s.charCodeAt(j))) throw GIVE_UP;
    while (isDigit(s.charCodeAt(++j)));
  }
  return j;
}

/** Past a number, `true`, `false` or `null`. */
function skipScalar(s: string, i: number): number {
  switch (s.charCodeAt(i)) {
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
      return skipNumber(s, i);
  }
}

/** Past the value at `i` (no whitespace before it), checked but not read: what no path touches. */
function skipValue(scan: Scan, i: number, depth: number): number {
  const c = scan.s.charCodeAt(i);
  if (c === 0x22) return skipString(scan, i);
  if (c === 0x7b) return skipObject(scan, i, depth);
  if (c === 0x5b) return skipArray(scan, i, depth);
  return skipScalar(scan.s, i);
}

function skipObject(scan: Scan, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const s = scan.s;
  let j = ws(s, i + 1);
  if (s.charCodeAt(j) === 0x7d) return j + 1;
  for (;;) {
    if (s.charCodeAt(j) !== 0x22) throw GIVE_UP;
    j = ws(s, skipString(scan, j));
    if (s.charCodeAt(j) !== 0x3a) throw GIVE_UP;
    j = ws(s, skipValue(scan, ws(s, j + 1), depth + 1));
    const c = s.charCodeAt(j);
    if (c === 0x7d) return j + 1;
    if (c !== 0x2c) throw GIVE_UP;
    j = ws(s, j + 1);
  }
}

function skipArray(scan: Scan, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const s = scan.s;
  let j = ws(s, i + 1);
  if (s.charCodeAt(j) === 0x5d) return j + 1;
  for (;;) {
    j = ws(s, skipValue(scan, j, depth + 1));
    const c = s.charCodeAt(j);
    if (c === 0x5d) return j + 1;
    if (c !== 0x2c) throw GIVE_UP;
    j = ws(s, j + 1);
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
  if (t.sole >= 0 && scan.s.charCodeAt(start) !== 0x5b) {
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
  const s = scan.s;
  const c = s.charCodeAt(i);
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
    if (s.charCodeAt(i + 1) === 0x22) return i + 2;
    throw GIVE_UP;
  }
  return skipScalar(s, i);
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
  const s = scan.s;
  let j = ws(s, i + 1);
  if (s.charCodeAt(j) === 0x7d) return j + 1;
  const removals = new Removals();
  for (;;) {
    if (s.charCodeAt(j) !== 0x22) throw GIVE_UP;
    const keyStart = j;
    const keyEnd = skipString(scan, j);
    j = ws(s, keyEnd);
    if (s.charCodeAt(j) !== 0x3a) throw GIVE_UP;
    const valueStart = ws(s, j + 1);
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
    j = ws(s, end);
    const c = s.charCodeAt(j);
    if (c === 0x7d) {
      removals.close(scan);
      return j + 1;
    }
    if (c !== 0x2c) throw GIVE_UP;
    j = ws(s, j + 1);
  }
}

/** Every element of an array, below a wildcard. */
function walkArray(scan: Scan, child: PlanNode, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const s = scan.s;
  let j = ws(s, i + 1);
  if (s.charCodeAt(j) === 0x5d) return j + 1;
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
    j = ws(s, end);
    const c = s.charCodeAt(j);
    if (c === 0x5d) {
      removals.close(scan);
      return j + 1;
    }
    if (c !== 0x2c) throw GIVE_UP;
    j = ws(s, j + 1);
  }
}

/**
 * One element of an array, by index (negative from the end). The array is checked whole first, with the
 * start of each element kept; then the chosen element is walked (its text is read twice: still linear).
 */
function walkIndex(scan: Scan, child: PlanNode, index: number, i: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const s = scan.s;
  const starts: number[] = [];
  const ends: number[] = [];
  let j = ws(s, i + 1);
  let close: number;
  if (s.charCodeAt(j) === 0x5d) {
    close = j + 1;
  } else {
    for (;;) {
      starts.push(j);
      const end = skipValue(scan, j, depth + 1);
      ends.push(end);
      j = ws(s, end);
      const c = s.charCodeAt(j);
      if (c === 0x5d) {
        close = j + 1;
        break;
      }
      if (c !== 0x2c) throw GIVE_UP;
      j = ws(s, j + 1);
    }
  }
  const k = index < 0 ? starts.length + index : index;
  if (k < 0 || k >= starts.length) return close;
  scan.special = -1; // the walk goes back: where the next special character is must be found again
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
  const c = s.charCodeAt(i);
  if (c === 0x22) {
    const end = skipString(scan, i);
    if (mayHoldJson(s, i)) throw GIVE_UP;
    return end;
  }
  if (c === 0x5b) {
    let j = ws(s, i + 1);
    if (s.charCodeAt(j) === 0x5d) return j + 1;
    for (;;) {
      j = ws(s, sweep(scan, name, node, j, depth + 1));
      const d = s.charCodeAt(j);
      if (d === 0x5d) return j + 1;
      if (d !== 0x2c) throw GIVE_UP;
      j = ws(s, j + 1);
    }
  }
  if (c !== 0x7b) return skipScalar(s, i);
  const t = (node.child as PlanNode).terminal as Terminal;
  let j = ws(s, i + 1);
  if (s.charCodeAt(j) === 0x7d) return j + 1;
  for (;;) {
    if (s.charCodeAt(j) !== 0x22) throw GIVE_UP;
    const keyStart = j;
    const keyEnd = skipString(scan, j);
    if (scan.escaped) throw GIVE_UP;
    j = ws(s, keyEnd);
    if (s.charCodeAt(j) !== 0x3a) throw GIVE_UP;
    const valueStart = ws(s, j + 1);
    const length = keyEnd - keyStart - 2;
    let end: number;
    if (length === name.length && s.startsWith(name, keyStart + 1)) {
      end = terminal(scan, t, valueStart, depth + 1);
      // The default mask (the only rule taken here) always changes the value: an array of masks, or one.
      if (typeof scan.out !== 'string') throw GIVE_UP;
      replace(scan, valueStart, end, scan.out);
    } else if (length === 4 && s.startsWith('body', keyStart + 1) && s.charCodeAt(valueStart) === 0x22) {
      end = skipString(scan, valueStart);
      if (end - valueStart > 2) throw GIVE_UP; // an HTTP body below `..` is opened by the parse path
    } else {
      end = sweep(scan, name, node, valueStart, depth + 1);
    }
    j = ws(s, end);
    const d = s.charCodeAt(j);
    if (d === 0x7d) return j + 1;
    if (d !== 0x2c) throw GIVE_UP;
    j = ws(s, j + 1);
  }
}

/**
 * Whether the string at `i` might hold JSON, by its first character, as the object walk judges strings
 * below `..` (and wider: an escape or a space first is left to the parse path too). Empty is a leaf.
 */
function mayHoldJson(s: string, i: number): boolean {
  const c = s.charCodeAt(i + 1);
  if (c === 0x22) return false;
  return c <= 0x22 || c === 0x5b || c === 0x7b || c === 0x5c || c === 0xfeff;
}
