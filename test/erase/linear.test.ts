/**
 * Issue 9, item 13 (§4.7 "Work is linear in the input"): growth tests. Four times the input must cost
 * well under eight times the time (quadratic is 16x, cubic 64x) for opening JSON strings (many strings,
 * deep nesting) and for selecting encrypt/decrypt targets (`selectTargets`, deep `$..card` chains).
 *
 * Robust on a loaded machine: each sample repeats the operation for at least a few milliseconds, samples
 * of both sizes are interleaved, and the medians are compared; a failing ratio is measured again before
 * it counts.
 */

import { selectTargets } from '../../src/crypto/field-crypto.js';
import { DataMasking } from '../../src/data-masking.js';
import { Opener } from '../../src/erase/opener.js';
import { compileSelector } from '../../src/selector/selector.js';

const RATIO = 8;
const SAMPLES = 7;
const MIN_SAMPLE_MS = 15;

/** Time per call of `fn`, averaged over enough calls to last `MIN_SAMPLE_MS`. */
function sample(fn: () => unknown): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_SAMPLE_MS);
  return elapsed / calls;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Median time of `large` over median time of `small`, interleaved; the better of two attempts. */
function growth(small: () => unknown, large: () => unknown): { ratio: number; small: number; large: number } {
  let best = { ratio: Infinity, small: 0, large: 0 };
  for (let attempt = 0; attempt < 2 && best.ratio >= RATIO; attempt++) {
    small();
    large(); // warm up (JIT, caches)
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      a.push(sample(small));
      b.push(sample(large));
    }
    const result = { ratio: median(b) / median(a), small: median(a), large: median(b) };
    if (result.ratio < best.ratio) best = result;
  }
  return best;
}

const expectLinear = (label: string, g: { ratio: number; small: number; large: number }) => {
  if (g.ratio >= RATIO) {
    throw new Error(
      `${label}: 4x the input took ${g.ratio.toFixed(1)}x the time (${g.small.toFixed(2)} ms -> ${g.large.toFixed(2)} ms)`,
    );
  }
};

const EMPTY_ARRAYS = (n: number) =>
  JSON.stringify({ x: 'jane@example.com', items: Array.from({ length: n }, () => '[]') });

function cardChain(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = { card: value, p: 'padding' };
  return value;
}
function deepCard(depth: number): unknown {
  let value: unknown = { card: 'x' };
  for (let i = 1; i < depth; i++) value = { a: value, p: 'padding' };
  return value;
}
function nestedArrays(depth: number): unknown {
  let value: unknown = { x: 1 };
  for (let i = 0; i < depth; i++) value = [value, '[]'];
  return value;
}

describe('opening is linear', () => {
  test('many "[]" strings in a body, under $..x (6k -> 24k strings)', () => {
    const opener = new Opener([compileSelector('$..x')]);
    const small = { statusCode: 200, headers: {}, body: EMPTY_ARRAYS(6_000) };
    const large = { statusCode: 200, headers: {}, body: EMPTY_ARRAYS(24_000) };
    expectLinear(
      'Opener.open, strings',
      growth(
        () => opener.open(small),
        () => opener.open(large),
      ),
    );
  });

  test('many "[]" strings, every string opened (detectors mode, 6k -> 24k)', () => {
    const opener = new Opener([], { everywhere: true });
    const small = { body: EMPTY_ARRAYS(6_000) };
    const large = { body: EMPTY_ARRAYS(24_000) };
    expectLinear(
      'Opener.open everywhere',
      growth(
        () => opener.open(small),
        () => opener.open(large),
      ),
    );
  });

  test('deep nesting in a JSON string body under $..card (200 -> 800 levels)', () => {
    const opener = new Opener([compileSelector('$..card')], { mode: 'decrypt' });
    const small = { body: JSON.stringify(deepCard(200)) };
    const large = { body: JSON.stringify(deepCard(800)) };
    expectLinear(
      'Opener.open, depth',
      growth(
        () => opener.open(small),
        () => opener.open(large),
      ),
    );
  });

  test('deep arrays holding "[]" strings under $..x (200 -> 800 levels)', () => {
    const opener = new Opener([compileSelector('$..x')]);
    const small = nestedArrays(200);
    const large = nestedArrays(800);
    expectLinear(
      'Opener.open, deep arrays of strings',
      growth(
        () => opener.open(small),
        () => opener.open(large),
      ),
    );
  });

  test('DataMasking.erase end to end on the "[]" body (4k -> 16k strings)', () => {
    const m = new DataMasking();
    const options = { fields: ['$..x'] };
    const small = { statusCode: 200, headers: {}, body: EMPTY_ARRAYS(4_000) };
    const large = { statusCode: 200, headers: {}, body: EMPTY_ARRAYS(16_000) };
    expectLinear(
      'erase',
      growth(
        () => m.erase(small, options),
        () => m.erase(large, options),
      ),
    );
  });
});

describe('selectTargets is linear', () => {
  test('card inside card, every level selected by $..card (200 -> 800 levels)', () => {
    const selectors = [compileSelector('$..card')];
    const small = cardChain(200);
    const large = cardChain(800);
    expect(selectTargets(large, selectors, true)).toHaveLength(1); // only the outermost
    expectLinear(
      'selectTargets, nested matches',
      growth(
        () => selectTargets(small, selectors, true),
        () => selectTargets(large, selectors, true),
      ),
    );
  });

  test('one card at the bottom of a deep chain (200 -> 800 levels)', () => {
    const selectors = [compileSelector('$..card'), compileSelector('$..*')];
    const small = deepCard(200);
    const large = deepCard(800);
    expectLinear(
      'selectTargets, deep chain',
      growth(
        () => selectTargets(small, selectors, true),
        () => selectTargets(large, selectors, true),
      ),
    );
  });

  test('wide: many cards side by side (2k -> 8k)', () => {
    const selectors = [compileSelector('$..card'), compileSelector('$.items[*].card')];
    const wide = (n: number) => ({ items: Array.from({ length: n }, (_, i) => ({ card: `c${i}`, n: i })) });
    const small = wide(2_000);
    const large = wide(8_000);
    expect(selectTargets(large, selectors, true)).toHaveLength(8_000);
    expectLinear(
      'selectTargets, wide',
      growth(
        () => selectTargets(small, selectors, true),
        () => selectTargets(large, selectors, true),
      ),
    );
  });
});
