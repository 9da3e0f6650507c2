/**
 * The bench's book workload: each of the book's chapter-8 experiments (`reglab book overfit|dropout|batch`)
 * for its first iterations (default 20, with the book's test passes at I:0 and I:10), reglab against the
 * book's own numpy code (book-numpy.ts), runs interleaved round by round (wasm, numpy, wasm, numpy, ...; the
 * ref backend once). reglab's time is runBookExperiment's call up to its onTrained callback (network set-up,
 * training and the printed lines' test passes; the images' nonzero lists are made by the warm-up run, as
 * numpy's data preparation is outside its clock), not the summary's extra test pass after the last iteration
 * (dropout and batch print no line there: the book's code does not test there, so numpy's clock has no such
 * pass); numpy's is its own clock around training and testing. Each run's printed lines are compared with
 * numpy's.
 */
import { BOOK_EXPERIMENT_NAMES, runBookExperiment, type BookExperimentName } from '../book/experiments.js';
import type { BookBackendName } from '../book/steps.js';
import type { Dataset } from '../data/dataset.js';
import { BookNumpyRunner } from './book-numpy.js';
import type { BenchRow } from './row.js';

export interface BookBenchConfig {
  /** reglab backends to run ('ref' runs each experiment once). */
  backends: BookBackendName[];
  numpy: boolean;
  /** Counted runs per runner (after one uncounted run of 1 iteration each). */
  reps: number;
  /** Iterations per run. Default 20. */
  iterations?: number;
  /** Rest after every run (see BenchConfig.pauseMs). */
  pauseMs: number;
  settle?: () => void;
  log?: (line: string) => void;
}

export const BOOK_BENCH_ITERATIONS = 20;

export async function runBookBench(data: Dataset, config: BookBenchConfig): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const iterations = config.iterations ?? BOOK_BENCH_ITERATIONS;
  const log = config.log ?? (() => {});
  const numpy = config.numpy ? await BookNumpyRunner.start() : null;
  const notes: string[] = [];
  if (config.numpy && !numpy) notes.push('book: python3 with numpy not found, numpy skipped');
  const rest = async () => {
    config.settle?.();
    await new Promise((resolve) => setTimeout(resolve, config.pauseMs));
  };
  const rows: BenchRow[] = [];
  try {
    for (const name of BOOK_EXPERIMENT_NAMES) {
      const runners: Array<{ label: string; reps: number; run: (n: number) => Promise<{ seconds: number; lines: string[] }> }> = [];
      for (const backend of config.backends) {
        runners.push({ label: `reglab ${backend} (float64)`, reps: backend === 'ref' ? 1 : config.reps, run: (n) => reglabRun(data, name, n, backend) });
      }
      if (numpy) runners.push({ label: 'numpy (the book\'s code)', reps: config.reps, run: (n) => numpy.run(name, n, false) });
      for (const r of runners) {
        if (r.reps <= 1) continue;
        await r.run(1); // warm-up
        await rest();
      }
      const times = runners.map(() => [] as number[]);
      const printed = runners.map(() => [] as string[]);
      for (let round = 0; round < config.reps; round++) {
        for (const [i, r] of runners.entries()) {
          if (round >= r.reps) continue;
          const { seconds, lines } = await r.run(iterations);
          await rest();
          times[i]!.push(seconds);
          printed[i] = lines;
          log(`book ${name} ${r.label}: ${seconds.toFixed(3)} s`);
        }
      }
      const numpyIndex = runners.findIndex((r) => r.label.startsWith('numpy'));
      const medians = times.map(median);
      runners.forEach((r, i) => {
        const t = times[i]!;
        rows.push({
          workload: `book ${name}`,
          runner: r.label,
          median: medians[i]!,
          min: Math.min(...t),
          max: Math.max(...t),
          runs: t.length,
          gflops: NaN,
          vsNumpy: numpyIndex >= 0 ? medians[i]! / medians[numpyIndex]! : null,
          testAcc: lastTestAcc(printed[i]!),
        });
      });
      if (numpyIndex >= 0) {
        const same = runners.map((r, i) => `${r.label}: ${printed[i]!.join('\n') === printed[numpyIndex]!.join('\n') ? 'same' : 'DIFFERENT'}`);
        notes.push(`book ${name}, ${iterations} iterations, the printed lines against numpy's: ${same.filter((_, i) => i !== numpyIndex).join(', ')}`);
      }
    }
  } finally {
    numpy?.close();
  }
  return { rows, notes };
}

async function reglabRun(data: Dataset, name: BookExperimentName, iterations: number, backend: BookBackendName): Promise<{ seconds: number; lines: string[] }> {
  const lines: string[] = [];
  const t = performance.now();
  let trained = NaN;
  await runBookExperiment(name, { dataset: data, epochs: iterations, backend, onLine: (l) => lines.push(l), onTrained: () => (trained = performance.now()) });
  return { seconds: (trained - t) / 1000, lines };
}

/** The last printed line's Test-Acc. */
function lastTestAcc(lines: readonly string[]): number | null {
  const m = /Test-Acc:([\d.]+)/.exec(lines[lines.length - 1] ?? '');
  return m ? Number(m[1]) : null;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
