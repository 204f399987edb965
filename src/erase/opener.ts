/**
 * Opens what field expressions have to look into, or refuses (SPEC §4.7). A configured expression such
 * as `$.body.email` must find `email` whatever `body` is: an object, a JSON string (with a byte-order
 * mark, with leading whitespace, JSON inside JSON), a base64 body, gzip/deflate/br/zstd bytes, a
 * `Buffer`, a class instance or an object with `toJSON` (what leaves is its JSON form). Each of those
 * is opened into a working copy of the data; after masking, {@link Opener.close} puts every layer back
 * on (a string stays a string, gzip stays gzip, an untouched value comes back byte for byte). A value
 * that cannot be opened — XML, a form-encoded body, NDJSON, binary bytes, a promise, a stream — is never
 * taken for "field missing": the caller gets a typed error and the data is withheld.
 *
 * One walk, guided by the expressions (a set of automaton states per node), so opening is linear in
 * the size of the data, whatever the number of strings or the nesting.
 *
 * In `decrypt` mode it is stricter still, because a value the expression cannot reach would reach the
 * handler as if it had been decrypted: a scalar where the path goes on (`cards[*]` when the client sends
 * one string), an object keyed `"0"` where an index is expected, an array where a numeric name is, and
 * any text that is not JSON (a form-encoded body) are refused.
 *
 * @module
 */

import { type DetectorName, detectors, redactString, resolveDetectors } from '../detectors/index.js';
import { DataMaskingDecryptValueError, DataMaskingUnsupportedTypeError } from '../errors.js';
import type { Segment, Selector } from '../selector/ast.js';
import { compileLogical } from '../selector/compile.js';
import type { CompiledSelector } from '../selector/selector.js';
import { isContainer, isPlainObject } from '../selector/values.js';
import {
  close as closeLayers,
  compressionOf,
  endsWithJson,
  isBlank,
  type Layer,
  looksLikeJson,
  NO_HINTS,
  type OpenHints,
  type Opening,
  openBytesValue,
  openString,
  Unopenable,
} from './codecs.js';
import { DEFAULT_MASK } from './constants.js';
import { isThenable, streamKind } from './deferred.js';
import { headerOf, isHttpBody } from './http-body.js';
import { setMember, shallowCopy } from './map-leaves.js';

const ALL_DETECTORS = resolveDetectors(Object.keys(detectors) as DetectorName[]);

/** `erase` withholds what it cannot open; `decrypt` also refuses near misses that would pass plaintext. */
export type OpenMode = 'erase' | 'decrypt';

/** Options of {@link Opener}. */
export interface OpenerOptions {
  /** Open every value in the data, not only those on the expressions' paths (detectors look at every string). */
  readonly everywhere?: boolean;
  /** Default `'erase'`. */
  readonly mode?: OpenMode;
}

/** Nesting beyond this is refused rather than walked (the walk is recursive). */
export const MAX_OPEN_DEPTH = 2000;

type Test = (current: unknown, root: unknown) => boolean;

interface CompiledQuery {
  readonly expression: string;
  readonly segments: readonly Segment[];
  /** Per segment, per selector: the compiled filter test, for filter selectors. */
  readonly tests: readonly (readonly (Test | undefined)[])[];
}

/** Where the walk opened something, and how to close it; only ancestors of opened values have one. */
interface Plan {
  children?: Map<string | number, Plan>;
  /** For an array with planned children: its length in the working copy (a removal shifts indices). */
  arrayLength?: number;
  /** For a container: the input's container, and the copy the opener made of it (if it made one). */
  source?: object;
  copy?: object;
  /** Set where a value was opened (or projected to its JSON form). */
  opened?: {
    readonly original: unknown;
    readonly layers: readonly Layer[] | null; // null: a projection (class instance, toJSON), kept as JSON data
    /** The opened value as the walk left it (values opened inside it included): compared by identity. */
    readonly working: unknown;
    /** What was opened inside the opened value. */
    readonly inner: Plan | undefined;
    /** The working value replaces the original even when masking leaves it as it is (scanned text). */
    readonly replace?: boolean;
    /** The JSON text the opened value was parsed from, and what it parsed to (before anything inside opened). */
    readonly text?: string;
    readonly parsed?: unknown;
  };
}

/** The working copy and how to close it. */
export interface OpenedData {
  readonly working: unknown;
  /** `undefined` when nothing was opened: the working copy is the data itself. */
  readonly plan: Plan | undefined;
}

/** A state of the walk: query `q` has matched its first `k` segments at this node. */
type State = number;

export class Opener {
  readonly #queries: CompiledQuery[];
  readonly #everywhere: boolean;
  readonly #mode: OpenMode;
  /** State number → [query, segment]. */
  readonly #stateQuery: number[] = [];
  readonly #stateSegment: number[] = [];
  readonly #initial: State[] = [];

  public constructor(selectors: readonly CompiledSelector[], options: OpenerOptions = {}) {
    this.#everywhere = options.everywhere === true;
    this.#mode = options.mode ?? 'erase';
    this.#queries = selectors.map((s) => ({
      expression: s.expression,
      segments: s.query.segments,
      tests: s.query.segments.map((seg) =>
        seg.selectors.map((sel) => (sel.kind === 'filter' ? compileLogical(sel.expr) : undefined)),
      ),
    }));
    for (let q = 0; q < this.#queries.length; q++) {
      const n = this.#queries[q].segments.length;
      if (n === 0) continue; // `$` selects the root: nothing to look into
      this.#initial.push(this.#stateQuery.length);
      for (let k = 0; k <= n; k++) {
        this.#stateQuery.push(q);
        this.#stateSegment.push(k);
      }
    }
  }

  /** Whether opening can ever change anything (some expression looks below the root, or detectors). */
  public get active(): boolean {
    return this.#everywhere || this.#initial.length > 0;
  }

  /**
   * The data with everything the expressions must look into opened, in a copy (the input is never
   * written).
   *
   * @throws {DataMaskingUnsupportedTypeError} (`erase`) or {@link DataMaskingDecryptValueError} (`decrypt`)
   * for a value that must be looked into and cannot be opened.
   */
  public open(data: unknown): OpenedData {
    const run: Run = { root: data, ancestors: new Set(), selected: 0, texts: 0 };
    try {
      const [working, plan] = this.#walk(data, this.#initial, null, '', 0, run, false);
      return { working, plan };
    } catch (error) {
      // Called deep in someone else's stack, the walk can run out of stack before its own limit.
      if (error instanceof RangeError) {
        throw new DataMaskingUnsupportedTypeError('data nested too deeply to be opened for masking');
      }
      throw error;
    }
  }

  /** Puts every opened layer back on in `result` (the masked working copy); untouched values come back as they were. */
  public close(result: unknown, opened: OpenedData): unknown {
    return opened.plan === undefined ? result : closePlan(result, opened.plan);
  }

  #next(state: State): State {
    return state + 1;
  }

  #isFinal(state: State): boolean {
    const q = this.#stateQuery[state];
    return this.#stateSegment[state] === this.#queries[q].segments.length;
  }

  #segment(state: State): Segment {
    return this.#queries[this.#stateQuery[state]].segments[this.#stateSegment[state]];
  }

  #fail(states: readonly State[], reason: string): never {
    const expressions = [...new Set(states.map((s) => this.#queries[this.#stateQuery[s]].expression))];
    const what = expressions.length > 0 ? expressions.map((e) => JSON.stringify(e)).join(', ') : 'detectors';
    if (this.#mode === 'decrypt') {
      throw new DataMaskingDecryptValueError(
        `${what} must look into a value that is ${reason}: refused, so no plaintext reaches the handler`,
      );
    }
    throw new DataMaskingUnsupportedTypeError(
      `${what} must look into a value that is ${reason}; it cannot be opened, so the data is withheld`,
    );
  }

  /**
   * Walks `value` under `states`; returns its working form and the plan below it. `strictBody` says the
   * value is an HTTP body: text there is withheld even below `..`.
   */
  #walk(
    value: unknown,
    states: readonly State[],
    parent: unknown,
    key: string | number,
    depth: number,
    run: Run,
    forceOpen: boolean,
  ): [unknown, Plan | undefined] {
    const live = states.filter((s) => !this.#isFinal(s));
    if (live.length < states.length) run.selected++;
    if (live.length === 0 && !this.#everywhere && !forceOpen) return [value, undefined];
    const explicit = live.some((s) => !this.#segment(s).descendant);
    if (depth > MAX_OPEN_DEPTH) {
      throw new DataMaskingUnsupportedTypeError(`data nested deeper than ${MAX_OPEN_DEPTH} levels`);
    }
    const body = isHttpBody(parent, key) ? bodyKindOf(parent) : NOT_A_BODY;

    if (typeof value === 'string') {
      if (isBlank(value)) return [value, undefined];
      if (this.#everywhere) run.texts++;
      const hints = body === NOT_A_BODY ? NO_HINTS : hintsOf(parent);
      const opening = openString(value, hints);
      return this.#opened(value, opening, live, explicit, body, parent, key, depth, run, forceOpen);
    }
    if (value === null || typeof value !== 'object') {
      if (this.#mode === 'decrypt' && explicit && value !== undefined && value !== null) {
        this.#fail(live, `a ${typeof value}, not a document`);
      }
      return [value, undefined];
    }
    if (value instanceof Uint8Array) {
      const opening = openBytesValue(value, body === NOT_A_BODY ? NO_HINTS : hintsOf(parent));
      return this.#opened(
        value,
        opening,
        live,
        explicit,
        body === NOT_A_BODY ? 'unknown' : body,
        parent,
        key,
        depth,
        run,
        forceOpen,
      );
    }
    if (isThenable(value)) this.#fail(live, 'a promise (await it before masking)');
    if (streamKind(value) !== undefined) this.#fail(live, 'a stream (read it into a Buffer before masking)');
    if (Array.isArray(value)) return this.#container(value, live, depth, run);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function' || !isPlainObject(value)) {
      // What leaves is the JSON form: `toJSON()`'s result, or a class instance's own enumerable fields.
      const projected =
        typeof toJSON === 'function' ? toJSON.call(value, String(key)) : snapshot(value as object);
      if (projected === value) return this.#container(value as Record<string, unknown>, live, depth, run);
      // A `toJSON` may move a configured field under another name (`{ mail: this.email }`): where a value
      // the expressions select on the object shows up in its JSON form, that form is refused.
      if (
        typeof toJSON === 'function' &&
        this.#movesSelected(live, value as Record<string, unknown>, projected)
      ) {
        this.#fail(live, 'an object whose toJSON puts a selected field under another name');
      }
      const [working, inner] = this.#walk(projected, states, parent, key, depth + 1, run, true);
      return [working, { opened: { original: value, layers: null, working, inner } }];
    }
    return this.#container(value as Record<string, unknown>, live, depth, run);
  }

  /** Whether a value that a live name step selects on `original` appears in `projected` under another name. */
  #movesSelected(live: readonly State[], original: Record<string, unknown>, projected: unknown): boolean {
    const moved: string[] = [];
    const projectedHas = (name: string) =>
      projected !== null && typeof projected === 'object' && Object.hasOwn(projected, name);
    for (const state of live) {
      for (const selector of this.#segment(state).selectors) {
        if (selector.kind !== 'name' && selector.kind !== 'nameOrIndex') continue;
        const { name } = selector;
        if (!(name in original) || projectedHas(name)) continue;
        const v = original[name];
        if (typeof v === 'string' ? v.length >= 4 : typeof v === 'number') moved.push(String(v));
      }
    }
    return moved.length > 0 && containsText(projected, moved, 0);
  }

  /**
   * Continues the walk into what a string or bytes opened to, or decides that what did not open provably
   * holds no field (prose, an image), or refuses it (a document of another format, broken JSON).
   */
  #opened(
    value: unknown,
    opening: Opening | Unopenable | undefined,
    live: readonly State[],
    explicit: boolean,
    body: BodyKind,
    parent: unknown,
    key: string | number,
    depth: number,
    run: Run,
    forceOpen = false,
  ): [unknown, Plan | undefined] {
    const onPath = live.length > 0 && (explicit || body !== NOT_A_BODY);
    if (opening instanceof Unopenable) {
      // Binary that is not text holds no JSON field, unless the headers say it is JSON.
      if (opening.binary && body !== 'json' && body !== 'structured') return [value, undefined];
      if (onPath && body !== 'text') this.#fail(live, opening.reason);
      return [value, undefined]; // below `..`, free text that happens to start with a bracket
    }
    const inner = opening?.value;
    if (opening === undefined || (!isContainer(inner) && !endsWithJson(opening.layers))) {
      // Text. Prose provably holds no field. A document of another format (markup, a form, a body whose
      // content type says so) is refused rather than taken for "field missing"; decrypt also refuses any
      // text where its path goes on outside a body (`cards[*]` sent as one string).
      const text = (opening === undefined ? value : inner) as string;
      if (onPath && this.#refusesText(text, explicit, body)) this.#fail(live, 'text, not JSON');
      if (onPath && body === 'text') {
        // A text/plain body an expression must look into: we cannot find the field in prose, but a
        // serializer may have written it there (`email: jane@…`). Every built-in detector scans it.
        const scanned = redactString(text, ALL_DETECTORS, DEFAULT_MASK);
        if (scanned !== text) {
          const layers = opening === undefined ? [] : opening.layers;
          return [
            scanned,
            { opened: { original: value, layers, working: scanned, inner: undefined, replace: true } },
          ];
        }
      }
      if (opening === undefined || !this.#everywhere) return [value, undefined];
      return [
        inner,
        { opened: { original: value, layers: opening.layers, working: inner, inner: undefined } },
      ];
    }
    if (!isContainer(inner) && !this.#everywhere) {
      // A JSON scalar has no fields; decrypt still refuses it where its path goes on (`"4111…"` for `cards[*]`).
      if (this.#mode === 'decrypt' && live.length > 0 && inner !== null) {
        this.#fail(live, 'a JSON scalar, not a document');
      }
      return [value, undefined];
    }
    const before = run.selected + run.texts;
    const [working, innerPlan] = isContainer(inner)
      ? this.#walk(inner, live, parent, key, depth + 1, run, false)
      : [inner, undefined];
    // Nothing inside can be masked (no node selected, no text for detectors, nothing opened deeper): the
    // value stays as it came, and nothing is kept for it (a body of 200,000 `"[]"` costs no plans).
    if (isContainer(inner) && innerPlan === undefined && !forceOpen && run.selected + run.texts === before) {
      return [value, undefined];
    }
    return [
      working,
      {
        opened: {
          original: value,
          layers: opening.layers,
          working,
          inner: innerPlan,
          text: opening.text,
          parsed: inner,
        },
      },
    ];
  }

  #refusesText(text: string, explicit: boolean, body: BodyKind): boolean {
    // Decrypt trusts no label: a form sent as text/plain or image/png would reach a lenient parser.
    if (this.#mode === 'decrypt' && (explicit || body !== NOT_A_BODY)) return true;
    if (body === 'json' || body === 'structured') return true;
    if (body === 'text' || body === 'binary') return false;
    if (looksStructured(text)) return true;
    return this.#mode === 'decrypt' && explicit && body === NOT_A_BODY;
  }

  /** Walks the children of an array or plain object that some state must look into. */
  #container(
    value: Record<string, unknown> | unknown[],
    live: readonly State[],
    depth: number,
    run: Run,
  ): [unknown, Plan | undefined] {
    if (run.ancestors.has(value)) return [value, undefined]; // a cycle: its nodes are being walked already
    run.ancestors.add(value);
    let copy: Record<string | number, unknown> | undefined;
    let plan: Plan | undefined;
    const direct = this.#everywhere ? undefined : this.#directKeys(live, value);
    const keys: readonly (string | number)[] =
      direct !== undefined
        ? [...direct.keys()].filter((k) => Object.hasOwn(value, k))
        : Array.isArray(value)
          ? Array.from(value.keys())
          : Object.keys(value);
    const container = value as Record<string | number, unknown>;
    if (this.#everywhere && !Array.isArray(value)) run.texts += keys.length; // detectors scan keys too
    for (const childKey of keys) {
      const child = container[childKey];
      let childStates: State[];
      let force = false;
      if (direct !== undefined) childStates = direct.get(childKey) as State[];
      else [childStates, force] = this.#childStates(live, value, childKey, child, run);
      const [working, childPlan] = this.#walk(child, childStates, value, childKey, depth + 1, run, force);
      if (childPlan === undefined) continue;
      plan ??= { children: new Map(), ...(Array.isArray(value) ? { arrayLength: value.length } : {}) };
      plan.children?.set(childKey, childPlan);
      if (!Object.is(working, child)) {
        copy ??= shallowCopy(value) as Record<string | number, unknown>;
        setMember(copy, childKey, working);
      }
    }
    run.ancestors.delete(value);
    if (plan !== undefined && copy !== undefined) {
      (plan as Plan).source = value;
      (plan as Plan).copy = copy;
    }
    return [copy ?? value, plan];
  }

  /**
   * When every live state is a plain child step of names and indices, the keys to visit (the other
   * children need no look); `undefined` otherwise.
   */
  #directKeys(
    live: readonly State[],
    value: Record<string, unknown> | unknown[],
  ): Map<string | number, State[]> | undefined {
    const out = new Map<string | number, State[]>();
    const isArray = Array.isArray(value);
    for (const state of live) {
      const segment = this.#segment(state);
      if (segment.descendant) return undefined;
      for (const selector of segment.selectors) {
        let key: string | number;
        if (selector.kind === 'name') {
          if (isArray) return undefined; // decrypt must see near misses there
          key = selector.name;
        } else if (selector.kind === 'index') {
          if (!isArray) return undefined;
          key = selector.index < 0 ? value.length + selector.index : selector.index;
        } else if (selector.kind === 'nameOrIndex') {
          key = isArray ? selector.index : selector.name;
        } else {
          return undefined;
        }
        const next = this.#next(state);
        const states = out.get(key);
        if (states === undefined) out.set(key, [next]);
        else if (!states.includes(next)) states.push(next);
      }
    }
    return out;
  }

  /** The states a child enters, and whether it must be opened for a filter to see it. */
  #childStates(
    live: readonly State[],
    parent: Record<string, unknown> | unknown[],
    key: string | number,
    child: unknown,
    run: Run,
  ): [State[], boolean] {
    const out: State[] = [];
    let force = false;
    for (const state of live) {
      const segment = this.#segment(state);
      if (segment.descendant && !out.includes(state)) out.push(state);
      const q = this.#stateQuery[state];
      const tests = this.#queries[q].tests[this.#stateSegment[state]];
      for (let i = 0; i < segment.selectors.length; i++) {
        const selector = segment.selectors[i];
        let matches: boolean;
        if (selector.kind === 'filter') {
          const test = tests[i] as Test;
          // A filter sees what a JSON string holds: open it for the test (and in the working copy).
          let candidate = child;
          if (typeof child === 'string' && looksLikeJson(child)) {
            const opening = openString(child, NO_HINTS);
            if (opening !== undefined && !(opening instanceof Unopenable) && isContainer(opening.value)) {
              candidate = opening.value;
              force = true;
            }
          }
          matches = test(candidate, run.root);
        } else {
          matches = selects(selector, parent, key);
        }
        if (!matches) {
          if (this.#mode === 'decrypt' && !segment.descendant && nearMiss(selector, parent, key)) {
            this.#fail([state], 'an object where an array is expected, or an array where an object is');
          }
          continue;
        }
        const next = this.#next(state);
        if (!out.includes(next)) out.push(next);
      }
    }
    return [out, force];
  }
}

interface Run {
  readonly root: unknown;
  readonly ancestors: Set<unknown>;
  /** Nodes some expression selects, and strings detectors will scan, seen so far (to skip opening in vain). */
  selected: number;
  texts: number;
}

/** Whether a non-filter selector selects the child under `key` of `parent`. */
function selects(
  selector: Selector,
  parent: Record<string, unknown> | unknown[],
  key: string | number,
): boolean {
  const isArray = Array.isArray(parent);
  switch (selector.kind) {
    case 'name':
      return !isArray && key === selector.name;
    case 'nameOrIndex':
      return isArray ? key === selector.index : key === selector.name;
    case 'index': {
      if (!isArray) return false;
      const i = selector.index < 0 ? parent.length + selector.index : selector.index;
      return key === i;
    }
    case 'wildcard':
      return true;
    case 'slice':
      return isArray && inSlice(parent.length, key as number, selector.start, selector.end, selector.step);
    case 'filter':
      return false;
  }
}

/** An index selector meeting an object keyed by that index, or a numeric name meeting an array. */
function nearMiss(
  selector: Selector,
  parent: Record<string, unknown> | unknown[],
  key: string | number,
): boolean {
  // One item where an array was expected (or the reverse): a lenient handler would take it as the item.
  if ((selector.kind === 'index' || selector.kind === 'slice') && !Array.isArray(parent)) return key !== '';
  if (selector.kind === 'name' && Array.isArray(parent)) return true;
  return false;
}

function inSlice(
  len: number,
  i: number,
  start: number | undefined,
  end: number | undefined,
  step: number | undefined,
): boolean {
  const s = step ?? 1;
  if (s === 0) return false;
  const norm = (n: number) => (n >= 0 ? n : len + n);
  if (s > 0) {
    const lower = Math.min(Math.max(norm(start ?? 0), 0), len);
    const upper = Math.min(Math.max(norm(end ?? len), 0), len);
    return i >= lower && i < upper && (i - lower) % s === 0;
  }
  const upper = Math.min(Math.max(norm(start ?? len - 1), -1), len - 1);
  const lower = Math.min(Math.max(norm(end ?? -len - 1), -1), len - 1);
  return i <= upper && i > lower && (upper - i) % -s === 0;
}

/**
 * Text that reads as a document of another format: markup (`<`), or a form (`a=1&b=2`: no whitespace,
 * an `=`). Linear, one pass.
 */
function looksStructured(text: string): boolean {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text.charCodeAt(i) === 0x3c) return true; // <
  // A form has `=` followed by something other than more `=` (base64 padding is only trailing `=`).
  let pair = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return false;
    if (c === 0x3d && i + 1 < text.length && text.charCodeAt(i + 1) !== 0x3d) pair = true;
  }
  return pair;
}

/** What an HTTP body's `Content-Type` says it holds; `'unknown'` without one. */
type BodyKind = 'json' | 'text' | 'binary' | 'structured' | 'unknown' | typeof NOT_A_BODY;
const NOT_A_BODY = 'not a body';

function bodyKindOf(parent: unknown): BodyKind {
  const type = headerOf((parent as Record<string, unknown>).headers, 'content-type');
  if (type === undefined) return 'unknown';
  const t = type.split(';')[0].trim().toLowerCase();
  if (t === 'application/json' || t === 'text/json' || /^application\/[\w.+-]*\+json$/.test(t)) return 'json';
  if (t === 'text/plain') return 'text';
  if (
    /^(image|audio|video|font)\//.test(t) ||
    t === 'application/octet-stream' ||
    t === 'application/pdf' ||
    t === 'application/zip'
  ) {
    return 'binary';
  }
  return 'structured'; // XML, HTML, forms, multipart, NDJSON, CSV, YAML…: documents we cannot read
}

function hintsOf(parent: unknown): OpenHints {
  const p = parent as Record<string, unknown>;
  return { base64: p.isBase64Encoded === true, encoding: compressionOf(p.headers) };
}

/** A class instance's own enumerable fields, each read once (a getter is not run twice). */
function snapshot(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setMember(out, key, (value as Record<string, unknown>)[key]);
  return out;
}

/** Whether a string or number leaf of `value` contains one of `texts` (bounded depth). */
function containsText(value: unknown, texts: readonly string[], depth: number): boolean {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    return texts.some((t) => text.includes(t));
  }
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  for (const v of Object.values(value)) if (containsText(v, texts, depth + 1)) return true;
  return false;
}

/**
 * Whether the text an untouched JSON value was parsed from shows exactly what the value holds. JSON with a
 * duplicate key (`{"email":"jane…","email":"*****"}`) parses to the last member: its text holds more than
 * the value, and must not go out as it came. Keys are counted in the text (a string followed by `:`) and
 * in the value; one linear pass each.
 */
function restorable(text: string | undefined, working: unknown): boolean {
  if (text === undefined) return true;
  return keysInText(text) === keysInValue(working, 0);
}

function keysInText(text: string): number {
  let keys = 0;
  let inString = false;
  let afterString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) {
        inString = false;
        afterString = true;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      if (c === 0x3a && afterString) keys++;
      afterString = false;
    }
  }
  return keys;
}

function keysInValue(value: unknown, depth: number): number {
  if (value === null || typeof value !== 'object' || depth > MAX_OPEN_DEPTH) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const v of value) n += keysInValue(v, depth + 1);
    return n;
  }
  for (const k of Object.keys(value)) n += 1 + keysInValue((value as Record<string, unknown>)[k], depth + 1);
  return n;
}

/** Puts the opened layers back on along the plan. */
function closePlan(value: unknown, plan: Plan): unknown {
  const opened = plan.opened;
  if (opened !== undefined) {
    // Nothing inside changed: exactly as it came (unless opening itself had to change it).
    if (value === opened.working && opened.replace !== true && restorable(opened.text, opened.parsed)) {
      return opened.original;
    }
    const out = opened.inner === undefined ? value : closePlan(value, opened.inner);
    if (opened.layers === null) return out; // a projection stays JSON data
    const wasContainer = isContainer(opened.working);
    // Masked whole (a container became '*****'): the mask is what leaves, not an encoding of it.
    if (wasContainer !== isContainer(out)) return out;
    if (!wasContainer && typeof out !== typeof opened.working) return out;
    return closeLayers(out, opened.layers);
  }
  if (plan.children === undefined || !isContainer(value)) return value;
  if (plan.arrayLength !== undefined && (value as unknown[]).length !== plan.arrayLength) {
    throw new DataMaskingUnsupportedTypeError(
      'an array holding opened values lost elements while masking; it cannot be closed safely, so the data is withheld',
    );
  }
  let out: unknown = value;
  for (const [key, childPlan] of plan.children) {
    if (!Object.hasOwn(value, key)) continue; // removed by a rule
    const child = (value as Record<string | number, unknown>)[key];
    const closed = closePlan(child, childPlan);
    if (!Object.is(closed, child)) {
      if (out === value) out = shallowCopy(value);
      setMember(out as Record<string | number, unknown>, key, closed);
    }
  }
  // The opener's own copy, untouched by masking, with every child closed back to what it was: the
  // input's container is shared again (copy-on-write, SPEC §4.1).
  const source = plan.source;
  if (source !== undefined && value === plan.copy && isContainer(out)) {
    const o = out as Record<string | number, unknown>;
    const src = source as Record<string | number, unknown>;
    let same = true;
    for (const key of plan.children.keys()) if (!Object.is(o[key], src[key])) same = false;
    if (same) return source;
  }
  return out;
}
