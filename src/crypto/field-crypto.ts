/**
 * Applies an async transformation (encrypt, decrypt) to the nodes that field expressions select, writing
 * the results copy-on-write: the input is never mutated. Selection is linear in the nodes visited, and
 * the transformations run a few at a time and stop at the first failure, so a request holding hundreds
 * of forged ciphertexts costs one failure, not hundreds of KMS calls.
 *
 * @module
 */
import { CowWriter } from '../erase/cow-writer.js';
import { DataMaskingFieldNotFoundError } from '../errors.js';
import type { Location } from '../selector/compile.js';
import type { CompiledSelector } from '../selector/selector.js';

/** How many values are transformed at once; the provider's single-flight cache makes the rest hits. */
export const FIELD_CONCURRENCY = 16;

/**
 * Numbers the nodes a selection reached by their path (two routes to one node get one number), each in
 * constant time from its parent's number: no path strings, whatever the depth.
 */
class PathIds {
  readonly #ids = new Map<Location, number>();
  readonly #children = new Map<number, Map<string | number, number>>();
  #next = 1;

  public of(loc: Location): number {
    const chain: Location[] = [];
    let top: Location | null = loc;
    while (top !== null && !this.#ids.has(top)) {
      if (top.parent === null) {
        this.#ids.set(top, 0);
        break;
      }
      chain.push(top);
      top = top.parent;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i];
      const parentId = this.#ids.get(link.parent as Location) as number;
      let children = this.#children.get(parentId);
      if (children === undefined) {
        children = new Map();
        this.#children.set(parentId, children);
      }
      let id = children.get(link.key);
      if (id === undefined) {
        id = this.#next++;
        children.set(link.key, id);
      }
      this.#ids.set(link, id);
    }
    return this.#ids.get(loc) as number;
  }
}

/**
 * The locations the selectors pick in `data`, each once, without those under another selected location
 * (transforming `a` covers `a.b`). Every expression is resolved before anything is transformed, so a
 * missing field fails before the first KMS call.
 */
export function selectTargets(
  data: unknown,
  selectors: readonly CompiledSelector[],
  throwOnMissingField: boolean,
  onMissing?: (expression: string) => void,
): Location[] {
  const ids = new PathIds();
  const byId = new Map<number, Location>();
  for (const selector of selectors) {
    let selected = false;
    selector.forEach(data, (loc) => {
      selected = true;
      const id = ids.of(loc);
      if (!byId.has(id)) byId.set(id, loc);
    });
    // Nothing selected is a missing field unless the expression only met empty lists (SPEC §4.5).
    if (!selected && (throwOnMissingField || onMissing !== undefined) && selector.missingIn(data)) {
      if (throwOnMissingField) throw new DataMaskingFieldNotFoundError(selector.expression);
      onMissing?.(selector.expression);
    }
  }
  // Whether a location lies below a selected one, remembered per location: each is decided once.
  const below = new Map<Location, boolean>();
  const isBelowSelected = (loc: Location): boolean => {
    const chain: Location[] = [];
    let answer = false;
    for (let up = loc.parent; up !== null; up = up.parent) {
      const known = below.get(up);
      if (known !== undefined) {
        answer = known || byId.has(ids.of(up));
        break;
      }
      if (byId.has(ids.of(up))) {
        answer = true;
        break;
      }
      chain.push(up);
    }
    for (const link of chain) below.set(link, answer);
    return answer;
  };
  const targets: Location[] = [];
  for (const loc of byId.values()) if (!isBelowSelected(loc)) targets.push(loc);
  return targets;
}

/**
 * Transforms every target, {@link FIELD_CONCURRENCY} at a time, and returns the copy-on-write result.
 * After the first failure no further transformation starts; that failure is thrown.
 */
export async function transformTargets(
  data: unknown,
  targets: readonly Location[],
  transform: (value: unknown, index: number) => Promise<unknown>,
): Promise<unknown> {
  const values = new Array<unknown>(targets.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < targets.length) {
      const i = next++;
      try {
        values[i] = await transform(targets[i].value, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FIELD_CONCURRENCY, targets.length) }, worker));
  if (failure !== undefined) throw failure.error;
  const writer = new CowWriter(data);
  targets.forEach((loc, i) => {
    writer.replace(loc, values[i]);
  });
  return writer.finish();
}
