/**
 * Matrix 9: every detector finishes on 100 KB adversarial strings logged through a real Powertools
 * Logger, as the message and as a nested value. A hang check with a generous bound (3 s a line), not a
 * speed target: a quadratic scan of 100 KB takes minutes, a linear one milliseconds.
 */
import type { DetectorName } from '../../src/detectors/index.js';
import { ALL_DETECTORS, maskingLogger, useLoggerEnv, useOutput } from './support.js';

useLoggerEnv();
const out = useOutput();

const SIZE = 100_000;
const BOUND_MS = 3000;

const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

/** Inputs that make naive scanners backtrack: long runs of what almost starts or almost ends a match. */
const INPUTS: Record<string, string> = {
  'a run of a': fill('a'),
  'a run of digits': fill('4'),
  'a run of @': fill('@'),
  'a run of dots': fill('.'),
  'a@a@a…': fill('a@'),
  'a run of a, then @': `${fill('a')}@`,
  '@, then a.a.a…': `@${fill('a.')}`,
  'local chars and a bad domain, repeated': fill('a.b_c+d%e-f@g.'),
  '1 1 1 …': fill('1 '),
  '4111-4111-…': fill('4111-'),
  '123-45-123-45-…': fill('123-45-'),
  'eyJ. repeated': fill('eyJ.'),
  'eyJ then one long segment': `eyJ${fill('a')}.`,
  'bearer bearer …': fill('bearer '),
  'Bearer then many blanks': `Bearer${fill(' ')}`,
  'secret=secret=…': fill('secret='),
  'aws_secret_access_key= then a long run': `aws_secret_access_key=${fill('A')}`,
  'AKIA repeated': fill('AKIA'),
  'every anchor mixed': fill('a@b.c1-2 3.4 eyJ.x. bearer secret=AKIA '),
  'quotes and backslashes': fill('\\"secret\\": \\"'),
  'unicode and surrogates': fill('é😀@1'),
};

const cases = ALL_DETECTORS.flatMap((name) =>
  Object.entries(INPUTS).map(([label, text]) => [name, label, text] as const),
);

/** Logs `text` once as the message and once nested, timing each line. */
function logTimed(detectors: readonly DetectorName[], text: string): number[] {
  const logger = maskingLogger({ detectors });
  const times: number[] = [];
  for (const log of [() => logger.info(text), () => logger.info('nested', { payload: { notes: [text] } })]) {
    const started = performance.now();
    log();
    times.push(performance.now() - started);
  }
  return times;
}

describe('100 KB adversarial strings through the Logger', () => {
  test.each(cases)('%s finishes on %s', (name, _label, text) => {
    const times = logTimed([name], text);
    for (const ms of times) expect(ms).toBeLessThan(BOUND_MS);
    const entries = out.entries();
    expect(entries).toHaveLength(2);
    expect(typeof entries[0].message).toBe('string');
    expect(entries[1].message).toBe('nested');
  });

  test.each(Object.entries(INPUTS))('all seven detectors together finish on %s', (_label, text) => {
    const times = logTimed(ALL_DETECTORS, text);
    for (const ms of times) expect(ms).toBeLessThan(BOUND_MS);
    expect(out.entries()).toHaveLength(2);
  });
});
