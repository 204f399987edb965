/**
 * The RFC 9535 function extensions (§2.4.4–2.4.8): their declared types, checked by the parser, and
 * their behaviour, called by the evaluator.
 *
 * @module
 */
import type { FunctionType } from './ast.js';
import { compileIRegexp } from './iregexp.js';
import { isContainer, NOTHING } from './values.js';

/** A function's signature and implementation. Arguments arrive evaluated for their declared types. */
export interface FunctionDefinition {
  readonly params: readonly FunctionType[];
  readonly result: FunctionType;
  readonly call: (args: unknown[]) => unknown;
}

const regexCall = (anchored: boolean) => (args: unknown[]) => {
  const [value, pattern] = args;
  if (typeof value !== 'string' || typeof pattern !== 'string') return false;
  const re = compileIRegexp(pattern, anchored);
  return re?.test(value) === true;
};

export const FUNCTIONS: Readonly<
  Record<'length' | 'count' | 'match' | 'search' | 'value', FunctionDefinition>
> = {
  length: {
    params: ['value'],
    result: 'value',
    call: ([value]) => {
      if (typeof value === 'string') {
        // Unicode scalar values, not UTF-16 code units.
        let n = 0;
        for (let i = 0; i < value.length; i++) {
          const c = value.charCodeAt(i);
          if (c < 0xdc00 || c > 0xdfff) n++;
        }
        return n;
      }
      if (Array.isArray(value)) return value.length;
      if (isContainer(value)) return Object.keys(value).length;
      return NOTHING;
    },
  },
  count: { params: ['nodes'], result: 'value', call: ([nodes]) => (nodes as unknown[]).length },
  match: { params: ['value', 'value'], result: 'logical', call: regexCall(true) },
  search: { params: ['value', 'value'], result: 'logical', call: regexCall(false) },
  value: {
    params: ['nodes'],
    result: 'value',
    call: ([nodes]) => ((nodes as unknown[]).length === 1 ? (nodes as unknown[])[0] : NOTHING),
  },
};
