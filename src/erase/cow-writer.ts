/**
 * Writes replacements into a copy of the input, copying only the containers on the path to each
 * replaced node (copy-on-write, as @pinojs/redact and Middy's input-output-logger do). The input is only
 * read: nodes are selected on it, and their replacements land in the copies.
 *
 * @module
 */
import type { Location } from '../selector/compile.js';
import { REMOVE } from './constants.js';
import { setMember, shallowCopy } from './map-leaves.js';

type Container = Record<string | number, unknown>;

/** One erase run's result under construction. */
export class CowWriter {
  /** The result so far: the input itself until something is replaced. */
  public result: unknown;
  readonly #owned = new Set<object>();
  readonly #compact = new Set<unknown[]>();
  #rootCopied = false;
  #rootReplaced = false;

  public constructor(input: unknown) {
    this.result = input;
  }

  /**
   * Replaces the node at `loc` with `value` (or removes it, for {@link REMOVE}). A node already replaced —
   * itself, or through an ancestor — keeps its first replacement, so the first rule to claim a node wins
   * and a replaced ancestor covers everything below it.
   */
  public replace(loc: Location, value: unknown): void {
    if (loc.parent === null) {
      if (this.#rootReplaced) return;
      this.#rootReplaced = true;
      this.result = value === REMOVE ? undefined : value;
      return;
    }
    const container = this.#writable(loc.parent);
    if (container === null) return;
    const current = container[loc.key];
    if (!Object.is(current, loc.value) && !this.#isOwned(current)) return;
    if (value !== REMOVE) {
      setMember(container, loc.key, value);
    } else if (Array.isArray(container)) {
      // Removing now would shift the indices later locations point at: mark, and compact at the end.
      container[loc.key as number] = REMOVE;
      this.#compact.add(container);
    } else {
      delete container[loc.key];
    }
  }

  /** The result, with removed array elements compacted away. */
  public finish(): unknown {
    for (const array of this.#compact) {
      let w = 0;
      for (let r = 0; r < array.length; r++) if (array[r] !== REMOVE) array[w++] = array[r];
      array.length = w;
    }
    this.#compact.clear();
    return this.result;
  }

  #isOwned(value: unknown): boolean {
    return value !== null && typeof value === 'object' && this.#owned.has(value);
  }

  /** The mutable copy standing for `loc`'s container in the result, or `null` when it was replaced. */
  #writable(loc: Location): Container | null {
    // Climb to the nearest location whose copy is known, then copy downwards (iterative: any depth).
    const chain: Location[] = [];
    let top: Location = loc;
    while (top.copy === undefined && top.parent !== null) {
      chain.push(top);
      top = top.parent;
    }
    let container: Container | null;
    if (top.copy !== undefined) {
      container = top.copy as Container | null;
    } else {
      container = this.#rootCopy();
      top.copy = container;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i];
      if (container !== null) {
        const current = container[link.key];
        if (Object.is(current, link.value)) {
          const copy = shallowCopy(link.value as object) as Container;
          this.#owned.add(copy);
          setMember(container, link.key, copy);
          container = copy;
        } else {
          container = this.#isOwned(current) ? (current as Container) : null;
        }
      }
      link.copy = container;
    }
    return container;
  }

  #rootCopy(): Container | null {
    if (this.#rootReplaced) return null;
    if (!this.#rootCopied) {
      this.#rootCopied = true;
      const copy = shallowCopy(this.result as object);
      this.#owned.add(copy);
      this.result = copy;
    }
    return this.result as Container;
  }
}
