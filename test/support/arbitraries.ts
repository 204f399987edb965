/** fast-check generators of JSON documents and RFC 9535 queries over the same small key set. */
import fc from 'fast-check';

const key = fc.constantFrom('a', 'b', 'c', 'name', 'card', 'x y', "it's", '0');
const leaf = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom('a', 'b', 'A', 'ab', ''),
  fc.boolean(),
  fc.constant(null),
);
export const jsonDocument = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).value;

const quote = (k: string) => `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const literal = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.constantFrom('"a"', "'b'", 'true', 'false', 'null', '1.5', '-0'),
);
const relPath = fc
  .array(
    fc.oneof(
      key.map((k) => `[${quote(k)}]`),
      fc.integer({ min: -3, max: 3 }).map((i) => `[${i}]`),
    ),
    {
      minLength: 1,
      maxLength: 2,
    },
  )
  .map((segs) => `@${segs.join('')}`);
const comparison = fc
  .tuple(relPath, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), fc.oneof(literal, relPath))
  .map(([l, op, r]) => `${l} ${op} ${r}`);
// No match()/search(): json-p3 stringifies a non-string argument (match(["a"], "a.*") is true there),
// where RFC 9535 §2.4.6 makes it false; the compliance suite and a unit test cover them instead.
const test_ = fc.oneof(
  relPath,
  comparison,
  relPath.map((p) => `length(${p}) > 1`),
  relPath.map((p) => `count(${p}) == 1`),
);
const logical = fc.oneof(
  test_,
  fc.tuple(test_, fc.constantFrom('&&', '||'), test_).map(([a, op, b]) => `${a} ${op} ${b}`),
  test_.map((t) => `!(${t})`),
);
const selector = fc.oneof(
  key.map(quote),
  fc.constant('*'),
  fc.integer({ min: -4, max: 4 }).map(String),
  fc
    .tuple(
      fc.option(fc.integer({ min: -4, max: 4 })),
      fc.option(fc.integer({ min: -4, max: 4 })),
      fc.option(fc.integer({ min: -3, max: 3 })),
    )
    .map(([a, b, c]) => `${a ?? ''}:${b ?? ''}${c === null ? '' : `:${c}`}`),
  logical.map((l) => `?${l}`),
);
const segment = fc.oneof(
  fc.array(selector, { minLength: 1, maxLength: 2 }).map((s) => `[${s.join(', ')}]`),
  fc.constantFrom('.a', '.b', '.*', '..a', '..*', '..card'),
  fc.array(selector, { minLength: 1, maxLength: 2 }).map((s) => `..[${s.join(',')}]`),
);
export const jsonPathQuery = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `$${s.join('')}`);
