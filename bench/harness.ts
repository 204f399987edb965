/**
 * A thin layer over tinybench: runs a group of cases in one process, in one run, and reports the median
 * time per operation with each case's ratio to the group's baseline (the first case).
 */
import { Bench } from 'tinybench';

export interface Case {
  name: string;
  fn: () => unknown;
  /** The case returns a promise: time it until it settles. */
  async?: boolean;
}

export interface Row {
  group: string;
  name: string;
  /** Median microseconds per operation. */
  us: number;
  /** This case's time divided by the group's first case. */
  ratio: number;
  samples: number;
  /** What `us` measures when it is not microseconds per operation (a size, an import time). */
  unit?: string;
}

/** Where results go: kept so the runner can print one table of everything at the end. */
export const results: Row[] = [];

let sink: unknown;

/**
 * Measures every case of a group in the same run and returns rows in the order given. The group runs in
 * several rounds, each starting from a different case, and each case reports its median over the rounds:
 * machine drift and the garbage one case leaves to the next then fall on every case alike.
 */
export async function measure(
  group: string,
  cases: Case[],
  time = Number(process.env.BENCH_MS ?? 700),
  // Five rounds: a shared VM can slow one case for two rounds in a row, which a median of three kept.
  rounds = Number(process.env.BENCH_ROUNDS ?? 5),
): Promise<Row[]> {
  const perCase = cases.map(() => [] as number[]);
  const samples = cases.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => (i + round) % cases.length);
    const bench = new Bench({ time: time / rounds, warmup: true, warmupTime: 100 });
    for (const index of order) {
      const c = cases[index];
      if (c.async) {
        bench.add(c.name, async () => {
          sink = await c.fn();
        });
      } else {
        bench.add(c.name, () => {
          sink = c.fn();
        });
      }
    }
    await bench.run();
    bench.tasks.forEach((task, position) => {
      const r = task.result;
      if (r.state !== 'completed')
        throw new Error(`${group} / ${task.name}: ${r.state} ${'error' in r ? String(r.error) : ''}`);
      const index = order[position];
      perCase[index].push(r.latency.p50 * 1000);
      samples[index] += r.latency.samples?.length ?? 0;
    });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const us = perCase.map(median);
  const rows = cases.map((c, i) => ({
    group,
    name: c.name,
    us: us[i],
    ratio: us[i] / us[0],
    samples: samples[i],
  }));
  results.push(...rows);
  printRows(rows);
  return rows;
}

export function printRows(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  console.log(`\n${rows[0]?.group ?? ''}`);
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(width)}  ${r.us.toFixed(2).padStart(10)} µs/op  ${r.ratio.toFixed(2).padStart(7)}×`,
    );
  }
}

/** States a target and whether this run met it. */
export function target(description: string, ratio: number, limit: number): string {
  const line = `${ratio <= limit ? 'MET ' : 'MISS'}  ${description}: ${ratio.toFixed(2)}× (target ≤ ${limit}×)`;
  console.log(`  ${line}`);
  return line;
}

/** Keeps results observable so the engine cannot drop the work. */
export function consume(): unknown {
  return sink;
}
