/**
 * Known secret values (an API key loaded from SSM, a database password) masked wherever they appear, as
 * a whole string or inside one: one Aho–Corasick automaton over all of them, so a string is scanned
 * once, in time linear in its length, however many secrets there are.
 *
 * @module
 */
import type { Detector } from '../detectors/detector.js';
import { DataMaskingUnsupportedTypeError } from '../errors.js';

/** Shorter values would mask ordinary text (`id`, `200`): refused at configuration. */
export const MIN_SECRET_LENGTH = 4;

interface State {
  readonly next: Map<number, State>;
  fail: State | null;
  /** The length of the longest secret that ends here (this state's own, or one reached by `fail`), or 0. */
  longest: number;
}

const newState = (): State => ({ next: new Map(), fail: null, longest: 0 });

/**
 * A detector for literal secrets. Every occurrence of every secret is masked; overlapping or adjacent
 * occurrences become one mask, so no part of any secret stays visible.
 *
 * @throws {DataMaskingUnsupportedTypeError} for anything but an array of strings of at least
 * {@link MIN_SECRET_LENGTH} characters (the message never quotes a secret).
 */
export function secretsDetector(secrets: readonly string[], option = 'secrets'): Detector {
  if (!Array.isArray(secrets))
    throw new DataMaskingUnsupportedTypeError(`'${option}' must be an array of strings`);
  const root = newState();
  secrets.forEach((secret: unknown, index) => {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new DataMaskingUnsupportedTypeError(
        `'${option}' entry ${index} must be a string of at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    let state = root;
    for (let i = 0; i < secret.length; i++) {
      const c = secret.charCodeAt(i);
      let next = state.next.get(c);
      if (next === undefined) {
        next = newState();
        state.next.set(c, next);
      }
      state = next;
    }
    state.longest = secret.length;
  });
  // Failure links, breadth first: each state's fail is the longest proper suffix that is a prefix.
  const queue: State[] = [];
  for (const child of root.next.values()) {
    child.fail = root;
    queue.push(child);
  }
  for (let q = 0; q < queue.length; q++) {
    const state = queue[q];
    const fail = state.fail as State;
    if (state.longest === 0) state.longest = fail.longest;
    for (const [c, child] of state.next) {
      let f: State | null = fail;
      while (f !== null && !f.next.has(c)) f = f.fail;
      child.fail = f === null ? root : (f.next.get(c) as State);
      if (child.fail === child) child.fail = root;
      queue.push(child);
    }
  }
  return Object.freeze({
    name: 'secrets',
    redact(text: string, mask: string): string {
      if (secrets.length === 0) return text;
      // Spans to mask, as they end; a longer match may reach back over several earlier spans (secrets
      // `ab`, `xy` and `abqxy` in `abqxy`): those merge into it, so no character of any match is kept.
      const starts: number[] = [];
      const ends: number[] = [];
      let state = root;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        let next = state.next.get(c);
        while (next === undefined && state !== root) {
          state = state.fail as State;
          next = state.next.get(c);
        }
        state = next ?? root;
        if (state.longest === 0) continue;
        let start = i + 1 - state.longest;
        while (ends.length > 0 && (ends.at(-1) as number) >= start) {
          start = Math.min(start, starts.pop() as number);
          ends.pop();
        }
        starts.push(start);
        ends.push(i + 1);
      }
      if (starts.length === 0) return text;
      let out = '';
      let copied = 0;
      for (let k = 0; k < starts.length; k++) {
        out += text.slice(copied, starts[k]) + mask;
        copied = ends[k];
      }
      return out + text.slice(copied);
    },
  });
}
