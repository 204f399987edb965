/**
 * Makes field expressions reach into JSON held in strings: `$.body.card` works whether `event.body` is an
 * object (after a body parser) or the raw JSON string of API Gateway, and the string stays a string.
 *
 * Before masking, the strings an expression's path runs through are parsed ("opened") in a copy of the
 * data; after masking they are serialized back ("closed"). Only strings on a selected path are parsed: the
 * nodes a prefix of an expression selects, and, below a descendant segment (`..`), every string that holds
 * a JSON object or array. A string the masking left untouched is restored byte for byte.
 *
 * A `body` whose sibling `isBase64Encoded` is `true` is decoded first when it holds JSON, and encoded again
 * when closed; a base64 body that is not JSON (an image, a form) is left as it is.
 *
 * @module
 */

import type { Query, Segment } from '../selector/ast.js';
import { CompiledSelector, type compileSelector } from '../selector/selector.js';
import { isContainer } from '../selector/values.js';
import { setMember, shallowCopy } from './map-leaves.js';

type Keys = readonly (string | number)[];

/** A string parsed into the working copy: where, what it was, and what it became. */
interface Opened {
  readonly keys: Keys;
  readonly original: string;
  readonly parsed: unknown;
  readonly base64: boolean;
}

/** The working copy, with the strings that were opened in it. */
export interface OpenedData {
  readonly working: unknown;
  readonly opened: readonly Opened[];
}

/** How deeply JSON strings nested in JSON strings are opened. */
const MAX_NESTED_STRINGS = 8;

/** Compiled once per configuration: which prefixes to evaluate, and where descendant walks start. */
export class JsonStringOpener {
  /** Prefix selectors, shortest first, so a string inside an opened string is found on a later pass. */
  readonly #prefixes: CompiledSelector[];
  /** Selectors of the nodes below which every JSON string is opened (expressions with `..`). */
  readonly #descendantRoots: CompiledSelector[];

  /**
   * @param selectors the expressions whose paths may run through JSON strings
   * @param everywhere open every JSON string in the data (for detectors, which look at every string)
   */
  public constructor(selectors: readonly ReturnType<typeof compileSelector>[], everywhere = false) {
    const prefixes: { length: number; selector: CompiledSelector }[] = [];
    const roots: CompiledSelector[] = [];
    const seen = new Set<string>();
    for (const selector of selectors) {
      const segments = selector.query.segments;
      const firstDescendant = segments.findIndex((s) => s.descendant);
      const last = firstDescendant < 0 ? segments.length - 1 : firstDescendant;
      for (let k = 1; k <= last; k++) {
        const prefix = prefixSelector(segments.slice(0, k));
        if (!seen.has(prefix.expression)) {
          seen.add(prefix.expression);
          prefixes.push({ length: k, selector: prefix });
        }
      }
      if (firstDescendant >= 0) roots.push(prefixSelector(segments.slice(0, firstDescendant)));
    }
    if (everywhere) roots.push(prefixSelector([]));
    this.#prefixes = prefixes.sort((a, b) => a.length - b.length).map((p) => p.selector);
    this.#descendantRoots = roots;
  }

  /** Whether any expression can reach into a string at all. */
  public get active(): boolean {
    return this.#prefixes.length > 0 || this.#descendantRoots.length > 0;
  }

  /** Parses the JSON strings on the expressions' paths into a copy of `data`. */
  public open(data: unknown): OpenedData {
    const opened: Opened[] = [];
    const done = new Set<string>();
    let working = data;
    const openAt = (keys: Keys, value: string, parent: unknown): boolean => {
      const id = JSON.stringify(keys);
      if (done.has(id)) return false;
      done.add(id);
      const decoded = decode(value, keys, parent);
      if (decoded === undefined) return false;
      working = setIn(working, keys, decoded.parsed);
      opened.push({ keys, original: value, parsed: decoded.parsed, base64: decoded.base64 });
      return true;
    };
    for (let pass = 0; pass < MAX_NESTED_STRINGS; pass++) {
      let changed = false;
      for (const prefix of this.#prefixes) {
        const hits: { keys: Keys; value: string; parent: unknown }[] = [];
        prefix.forEach(working, (loc) => {
          if (typeof loc.value === 'string')
            hits.push({ keys: loc.keys(), value: loc.value, parent: loc.parent?.value });
        });
        for (const hit of hits) changed = openAt(hit.keys, hit.value, hit.parent) || changed;
      }
      for (const root of this.#descendantRoots) {
        const starts: Keys[] = [];
        root.forEach(working, (loc) => starts.push(loc.keys()));
        for (const start of starts) {
          for (const hit of jsonStringsBelow(getIn(working, start), start)) {
            changed = openAt(hit.keys, hit.value, hit.parent) || changed;
          }
        }
      }
      if (!changed) break;
    }
    return { working, opened };
  }

  /** Serializes the opened strings of a masked result back; deepest first, untouched ones restored as they were. */
  public close(result: unknown, opened: readonly Opened[]): unknown {
    let out = result;
    for (const item of [...opened].sort((a, b) => b.keys.length - a.keys.length)) {
      const value = getIn(out, item.keys);
      if (value === MISSING || !isContainer(value)) continue; // masked whole, or removed
      let text: string;
      if (value === item.parsed) {
        text = item.original;
      } else {
        const json = JSON.stringify(value);
        text = item.base64 ? Buffer.from(json, 'utf8').toString('base64') : json;
      }
      out = setIn(out, item.keys, text);
    }
    return out;
  }
}

function prefixSelector(segments: readonly Segment[]): CompiledSelector {
  const singular = segments.every(
    (s) =>
      !s.descendant &&
      s.selectors.length === 1 &&
      (s.selectors[0].kind === 'name' || s.selectors[0].kind === 'index'),
  );
  const query: Query = { type: 'query', relative: false, segments, singular };
  return new CompiledSelector(describe(segments), query);
}

/** A stable identity for a prefix, to evaluate each shared prefix once. */
function describe(segments: readonly Segment[]): string {
  return `$${JSON.stringify(segments)}`;
}

/** The JSON a string holds, if it holds an object or an array (base64-decoded first where flagged). */
function decode(
  value: string,
  keys: Keys,
  parent: unknown,
): { parsed: unknown; base64: boolean } | undefined {
  const base64 =
    keys[keys.length - 1] === 'body' &&
    parent !== null &&
    typeof parent === 'object' &&
    (parent as Record<string, unknown>).isBase64Encoded === true;
  const text = base64 ? Buffer.from(value, 'base64').toString('utf8') : value;
  const first = text.trimStart().charAt(0);
  if (first !== '{' && first !== '[') return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return isContainer(parsed) ? { parsed, base64 } : undefined;
  } catch {
    return undefined;
  }
}

/** Every string holding JSON below `value`, with its keys (not entering the opened ones' originals twice). */
function jsonStringsBelow(value: unknown, base: Keys): { keys: Keys; value: string; parent: unknown }[] {
  const out: { keys: Keys; value: string; parent: unknown }[] = [];
  const stack: { node: unknown; keys: Keys; depth: number }[] = [{ node: value, keys: base, depth: 0 }];
  const onPath = new Set<unknown>();
  while (stack.length > 0) {
    const { node, keys, depth } = stack.pop() as { node: unknown; keys: Keys; depth: number };
    if (!isContainer(node) || onPath.has(node) || depth > 2000) continue;
    onPath.add(node);
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((v, i) => [i, v])
      : Object.keys(node).map((k) => [k, (node as Record<string, unknown>)[k]]);
    for (const [key, child] of entries) {
      if (typeof child === 'string') {
        const c = child.trimStart().charAt(0);
        if (c === '{' || c === '[' || key === 'body')
          out.push({ keys: [...keys, key], value: child, parent: node });
      } else if (isContainer(child)) {
        stack.push({ node: child, keys: [...keys, key], depth: depth + 1 });
      }
    }
  }
  return out;
}

const MISSING: unique symbol = Symbol('missing');

function getIn(data: unknown, keys: Keys): unknown {
  let node = data;
  for (const key of keys) {
    if (!isContainer(node) || !Object.hasOwn(node, key)) return MISSING;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Sets `value` at `keys`, copying only the containers on the way (the input is never written). */
function setIn(data: unknown, keys: Keys, value: unknown, at = 0): unknown {
  if (at === keys.length) return value;
  const copy = shallowCopy(data as object) as Record<string | number, unknown>;
  setMember(copy, keys[at], setIn(copy[keys[at]], keys, value, at + 1));
  return copy;
}
