/**
 * An error's `stack` repeats its message (`Error: <message>\n    at …`), and a stack that embeds its
 * causes' stacks (`Caused by: …`) repeats theirs. When masking changes a message, every occurrence of
 * the original text in the stack must change with it, or the stack prints what the message no longer
 * does. This module holds the replacement pairs (`original → masked`) and applies them to stacks, both
 * during the log masker's walk and after field expressions ran over the walked entry.
 *
 * @module
 */
import { DEFAULT_MASK } from '../erase/constants.js';
import { setMember } from '../erase/map-leaves.js';
import { isContainer } from '../selector/values.js';

/** A message as it was, and as it is printed now. */
export type StackPair = readonly [original: string, masked: string];

/**
 * How many distinct messages (an error's and its nested errors') are replaced in one stack. Beyond this
 * the stack is masked whole: fail closed, and the cost stays bounded.
 */
export const MAX_STACK_PAIRS = 64;

/** A `stack` as a formatter writes it: a string, or (Powertools in dev mode) an array of lines. */
export function isStackValue(value: unknown): value is string | string[] {
  return typeof value === 'string' || (Array.isArray(value) && value.every((l) => typeof l === 'string'));
}

/**
 * Whether `record` is an error as printed: it has a `stack` (a string or an array of lines). Formatted
 * `Error`s are, and so are errors a library already turned into plain objects (`serialize-error`, a
 * formatted `cause`).
 */
export function isErrorLike(record: Record<string, unknown>): boolean {
  return Object.hasOwn(record, 'stack') && isStackValue(record.stack);
}

/** The pair for a message that masking changed, or `undefined` when it did not change. */
export function pairOf(original: unknown, masked: unknown): StackPair | undefined {
  if (typeof original !== 'string' || original === '' || masked === original) return undefined;
  return [original, typeof masked === 'string' ? masked : DEFAULT_MASK];
}

/**
 * `text` with every occurrence of each pair's original replaced by its masked form, longest original
 * first (a message that contains a cause's message is replaced whole). Returns `text` itself when
 * nothing occurs in it.
 */
export function applyPairs(text: string, pairs: readonly StackPair[]): string {
  if (pairs.length === 0) return text;
  const byOriginal = new Map<string, string>();
  for (const [original, masked] of pairs) if (!byOriginal.has(original)) byOriginal.set(original, masked);
  if (byOriginal.size > MAX_STACK_PAIRS) return DEFAULT_MASK;
  let out = text;
  for (const original of [...byOriginal.keys()].sort((a, b) => b.length - a.length)) {
    if (out.includes(original)) out = out.split(original).join(byOriginal.get(original) as string);
  }
  return out;
}

/** {@link applyPairs} over a stack; an array of lines is joined first, so a multi-line message is found. */
export function applyStackPairs(
  stack: string | readonly string[],
  pairs: readonly StackPair[],
): string | readonly string[] {
  if (pairs.length === 0) return stack;
  if (typeof stack === 'string') return applyPairs(stack, pairs);
  const joined = stack.join('\n');
  const fixed = applyPairs(joined, pairs);
  return fixed === joined ? stack : fixed.split('\n');
}

const NONE: unique symbol = Symbol('none');

/**
 * After field expressions and rules ran over the walked entry (`walked` → `erased`): wherever they
 * changed an error's message (masked it, removed it, applied a rule, masked the error or a cause whole),
 * the original text is replaced in that error's stack and in the stacks and messages of the errors
 * around it. Only the paths that erasing changed are visited (unchanged subtrees are the same objects),
 * so the cost is linear in what changed.
 */
export function reconcileStacks(walked: unknown, erased: unknown): unknown {
  return reconcile(walked, erased, [], 0);
}

function reconcile(w: unknown, e: unknown, out: StackPair[], depth: number): unknown {
  if (w === e || !isContainer(w)) return e;
  if (!isContainer(e) || Array.isArray(w) !== Array.isArray(e)) {
    // Masked whole (or replaced by a rule): every message below it is gone from the line.
    collectMessages(w, out, depth);
    return e;
  }
  if (Array.isArray(w)) return reconcileArray(w, e as unknown[], out, depth);
  const wr = w as Record<string, unknown>;
  const er = e as Record<string, unknown>;
  const errorLike = isErrorLike(wr);
  const mine: StackPair[] = [];
  const target = errorLike ? mine : out;
  let copy: Record<string, unknown> | undefined;
  const set = (key: string, value: unknown) => {
    copy ??= Object.assign(Object.getPrototypeOf(er) === null ? Object.create(null) : {}, er);
    setMember(copy as Record<string, unknown>, key, value);
  };
  for (const key of Object.keys(er)) {
    if (errorLike && (key === 'message' || key === 'stack')) continue;
    const before = Object.hasOwn(wr, key) ? wr[key] : NONE;
    if (before === NONE) continue;
    const after = reconcile(before, er[key], target, depth + 1);
    if (after !== er[key]) set(key, after);
  }
  for (const key of Object.keys(wr)) {
    if (!Object.hasOwn(er, key)) collectMessages(wr[key], target, depth + 1);
  }
  if (!errorLike) return copy ?? e;
  let message: unknown = Object.hasOwn(er, 'message') ? er.message : NONE;
  if (typeof message === 'string' && mine.length > 0) {
    // The message may quote a cause's message ("lookup failed: <cause>"): replace it there too.
    const fixed = applyPairs(message, mine);
    if (fixed !== message) {
      set('message', fixed);
      message = fixed;
    }
  }
  const own = pairOf(wr.message, message === NONE ? DEFAULT_MASK : message);
  if (own !== undefined) mine.push(own);
  if (mine.length > 0 && Object.hasOwn(er, 'stack') && isStackValue(er.stack)) {
    const fixed = applyStackPairs(er.stack, mine);
    if (fixed !== er.stack) set('stack', fixed);
  }
  for (const pair of mine) out.push(pair);
  return copy ?? e;
}

/** Arrays of equal length pair by index; a shorter one (elements removed by a rule) pairs greedily. */
function reconcileArray(w: unknown[], e: unknown[], out: StackPair[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  let i = 0;
  for (let j = 0; j < e.length; j++) {
    // Skip the walked elements a rule removed: they are neither the same object nor the same error.
    while (i < w.length && w.length - i > e.length - j && w[i] !== e[j] && !sameError(w[i], e[j])) {
      collectMessages(w[i], out, depth + 1);
      i++;
    }
    if (i >= w.length) break;
    const after = reconcile(w[i], e[j], out, depth + 1);
    if (after !== e[j]) {
      copy ??= e.slice();
      copy[j] = after;
    }
    i++;
  }
  for (; i < w.length; i++) collectMessages(w[i], out, depth + 1);
  return copy ?? e;
}

function sameError(a: unknown, b: unknown): boolean {
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) || Array.isArray(b)) return false;
  const sa = (a as Record<string, unknown>).stack;
  const sb = (b as Record<string, unknown>).stack;
  if (!isStackValue(sa) || !isStackValue(sb)) return false;
  return (typeof sa === 'string' ? sa : sa.join('\n')) === (typeof sb === 'string' ? sb : sb.join('\n'));
}

/**
 * Every error message below `value` (now masked whole or removed), paired with the mask: of errors as
 * printed (records with a `stack`) and of `Error` objects not yet formatted (their causes and inner
 * errors too).
 */
export function collectMessages(
  value: unknown,
  out: StackPair[],
  depth = 0,
  seen = new Set<unknown>(),
): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || depth > 4096) return;
  seen.add(value);
  if (value instanceof Error) {
    const pair = pairOf(value.message, DEFAULT_MASK);
    if (pair !== undefined) out.push(pair);
    collectMessages(value.cause, out, depth + 1, seen);
    collectMessages((value as { errors?: unknown }).errors, out, depth + 1, seen);
    return;
  }
  if (!isContainer(value)) return;
  if (Array.isArray(value)) {
    for (const item of value) collectMessages(item, out, depth + 1, seen);
    return;
  }
  if (isErrorLike(value)) {
    const pair = pairOf(value.message, DEFAULT_MASK);
    if (pair !== undefined) out.push(pair);
  }
  for (const key of Object.keys(value)) collectMessages(value[key], out, depth + 1, seen);
}
