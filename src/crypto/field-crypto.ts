/**
 * Applies an async transformation (encrypt, decrypt) to the nodes that field expressions select, all of
 * them concurrently, writing the results copy-on-write: the input is never mutated.
 *
 * @module
 */
import { CowWriter } from '../erase/cow-writer.js';
import { DataMaskingFieldNotFoundError } from '../errors.js';
import type { Location } from '../selector/compile.js';
import { normalizedPath } from '../selector/normalized-path.js';
import type { CompiledSelector } from '../selector/selector.js';

/**
 * The locations the selectors pick in `data`, each once, without those under another selected location
 * (transforming `a` covers `a.b`). Every expression is resolved before anything is transformed, so a
 * missing field fails before the first KMS call.
 */
export function selectTargets(
  data: unknown,
  selectors: readonly CompiledSelector[],
  throwOnMissingField: boolean,
): Location[] {
  const byPath = new Map<string, Location>();
  for (const selector of selectors) {
    let selected = false;
    selector.forEach(data, (loc) => {
      selected = true;
      const path = normalizedPath(loc.keys());
      if (!byPath.has(path)) byPath.set(path, loc);
    });
    if (!selected && throwOnMissingField) throw new DataMaskingFieldNotFoundError(selector.expression);
  }
  const targets: Location[] = [];
  for (const loc of byPath.values()) {
    let covered = false;
    for (let up = loc.parent; up !== null && !covered; up = up.parent)
      covered = byPath.has(normalizedPath(up.keys()));
    if (!covered) targets.push(loc);
  }
  return targets;
}

/** Transforms every target concurrently and returns the copy-on-write result. */
export async function transformTargets(
  data: unknown,
  targets: readonly Location[],
  transform: (value: unknown) => Promise<unknown>,
): Promise<unknown> {
  const values = await Promise.all(targets.map((loc) => transform(loc.value)));
  const writer = new CowWriter(data);
  targets.forEach((loc, i) => {
    writer.replace(loc, values[i]);
  });
  return writer.finish();
}
