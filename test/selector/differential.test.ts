/**
 * selectPaths against a conformant reference (json-p3, 703/703 on the compliance suite) on random
 * documents and generated expressions.
 */
import fc from 'fast-check';
import { type JSONValue, jsonpath } from 'json-p3';
import { selectPaths } from '../../src/selector/selector.js';
import { jsonDocument as doc, jsonPathQuery as query } from '../support/arbitraries.js';

describe('selectPaths agrees with a conformant reference', () => {
  test('random documents and generated expressions', () => {
    fc.assert(
      fc.property(doc, query, (data, expression) => {
        const ours = selectPaths(data, expression);
        const theirs = jsonpath.query(expression, data as JSONValue).nodes.map((n) => n.path);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 3000) },
    );
  });
});
