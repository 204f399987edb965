/**
 * The erase invariants, on random documents and generated RFC 9535 expressions.
 */
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import { DEFAULT_MASK } from '../../src/erase/constants.js';
import { compileSelector } from '../../src/selector/selector.js';
import { jsonDocument, jsonPathQuery } from '../support/arbitraries.js';
import { deepFreeze } from '../support/deep-freeze.js';

const masker = new DataMasking({ throwOnMissingField: false });
const runs = { numRuns: Number(process.env.FC_RUNS ?? 1000) };

/** Follows keys into `data`; stops early (true) when it meets a mask, which covers everything below. */
function maskedAt(data: unknown, keys: (string | number)[]): boolean {
  let node = data;
  for (const key of keys) {
    if (node === DEFAULT_MASK) return true;
    node = (node as Record<string | number, unknown>)[key];
  }
  if (node === DEFAULT_MASK) return true;
  return Array.isArray(node) && node.every((x) => x === DEFAULT_MASK);
}

describe('erase invariants', () => {
  test('nothing selected keeps its original value', () => {
    fc.assert(
      fc.property(jsonDocument, fc.array(jsonPathQuery, { minLength: 1, maxLength: 3 }), (data, fields) => {
        const out = masker.erase(data, { fields });
        for (const expression of fields) {
          compileSelector(expression).forEach(data, (loc) => {
            expect(maskedAt(out, loc.keys())).toBe(true);
          });
        }
      }),
      runs,
    );
  });

  test('the input is never mutated, and deep-frozen input works', () => {
    fc.assert(
      fc.property(
        jsonDocument,
        jsonPathQuery,
        fc.constantFrom<object>({}, { hash: 'sha256' }, { remove: true }, { dynamicMask: true }),
        (data, expression, rule) => {
          const before = structuredClone(data);
          deepFreeze(data);
          masker.erase(data, { fields: [expression], ...rule });
          expect(data).toEqual(before);
        },
      ),
      runs,
    );
  });

  test('an expression that selects nothing leaves the data as it was (the same reference)', () => {
    fc.assert(
      fc.property(jsonDocument, jsonPathQuery, (data, expression) => {
        fc.pre(compileSelector(expression).paths(data).length === 0);
        expect(masker.erase(data, { fields: [expression] })).toBe(data);
      }),
      runs,
    );
  });

  test('what is not selected is kept: unselected leaves keep their values', () => {
    fc.assert(
      fc.property(jsonDocument, jsonPathQuery, (data, expression) => {
        const out = masker.erase(data, { fields: [expression] });
        const selected = new Set(compileSelector(expression).paths(data));
        compileSelector('$..*').forEach(data, (loc) => {
          const path = compileSelector('$').paths(null) && loc.keys();
          const covered = [...selected].some((p) => pathStartsWith(path, p));
          if (covered || (loc.value !== null && typeof loc.value === 'object')) return;
          let node: unknown = out;
          for (const key of path) node = (node as Record<string | number, unknown>)[key];
          expect(node).toEqual(loc.value);
        });
      }),
      runs,
    );
  });
});

/** Whether `keys` is at or below the normalized path `prefix`. */
function pathStartsWith(keys: (string | number)[], prefix: string): boolean {
  let path = '$';
  if (path === prefix) return true;
  for (const key of keys) {
    path += typeof key === 'number' ? `[${key}]` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
    if (path === prefix) return true;
  }
  return false;
}
