/**
 * `reglab bench`: the workloads on each runner - the engine's ref and wasm backends, numpy (python3), and
 * TensorFlow.js's wasm backend - with epochs interleaved round by round (A B C A B C ...) so that a noisy,
 * shared machine slows all of them alike. Reports medians, GFLOP/s of the work an epoch needs, and each
 * runner's time as a multiple of numpy's.
 */
import type { Backend } from '../backend/backend.js';
import { createBackend } from '../backend/create.js';
import type { Dataset } from '../data/dataset.js';
import { runBookBench } from './book.js';
import type { BenchRow } from './row.js';
import { NumpyRunner } from './numpy.js';
import { startTfjs } from './tfjs.js';
import { W2_VARIANTS, WORKLOADS, engineEpoch, workloadFlops, type Workload } from './workloads.js';

export type { BenchRow } from './row.js';

export type RunnerName = 'ref' | 'wasm' | 'numpy' | 'tfjs';
export const RUNNER_NAMES: readonly RunnerName[] = ['ref', 'wasm', 'numpy', 'tfjs'];

export interface BenchConfig {
  /** 'book': the book's three experiments against its numpy code (book.ts). */
  workloads: Array<'W1' | 'W2' | 'book'>;
  runners: RunnerName[];
  /** Counted epochs per runner (after one warm-up epoch); the ref backend runs W1 once, uncounted warm-up skipped. */
  reps: number;
  /** Threads of the wasm backend. */
  threads?: number;
  /**
   * Milliseconds of rest after every epoch (default PAUSE_MS), so that each runner starts on an idle machine:
   * after numpy's last product OpenBLAS's threads busy-wait about 0.1 s (measured: 0.11 s of CPU while
   * python sleeps 0.3 s), which took one of this machine's two cores from whichever runner came next.
   */
  pauseMs?: number;
  /**
   * Called after every epoch, before the rest: the CLI collects garbage there, so that one runner's garbage
   * (tfjs and the ref backend make plenty) is not collected by V8's background threads during another's epoch.
   */
  settle?: () => void;
  /** Called with a line of progress. */
  log?: (line: string) => void;
  /** Iterations of each book experiment (default BOOK_BENCH_ITERATIONS). */
  bookIterations?: number;
  /** Counted runs of each book experiment per runner (default: min(reps, 3); numpy's batch takes seconds). */
  bookReps?: number;
}


type Epoch = () => Promise<{ seconds: number; testAcc: number | null }>;

export const PAUSE_MS = 300;

const rest = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function timed(fn: () => { testAcc: number | null }): Epoch {
  return async () => {
    const t = performance.now();
    const { testAcc } = fn();
    return { seconds: (performance.now() - t) / 1000, testAcc };
  };
}

export async function runBench(data: Dataset, config: BenchConfig): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const log = config.log ?? (() => {});
  const notes: string[] = [];
  const backends: Array<[string, Backend]> = [];
  if (config.runners.includes('ref')) backends.push(['ref (float32)', await createBackend('ref')]);
  if (config.runners.includes('wasm')) {
    const be = await createBackend('wasm', config.threads === undefined ? {} : { threads: config.threads });
    const info = be as Backend & { threads?: number; simd?: string };
    backends.push([`wasm (${info.threads} thread${info.threads === 1 ? '' : 's'}, ${info.simd})`, be]);
  }
  const numpy = config.runners.includes('numpy') ? await NumpyRunner.start() : null;
  if (config.runners.includes('numpy')) notes.push(numpy ? `numpy ${numpy.version} (python3)` : 'numpy: python3 with numpy not found, skipped');
  const loaded = config.runners.includes('tfjs') ? await startTfjs(data) : null;
  const tfjs = typeof loaded === 'string' ? null : loaded;
  if (typeof loaded === 'string') notes.push(`tfjs: skipped (${loaded})`);
  if (tfjs) notes.push(`tfjs-core ${tfjs.version}, wasm backend, threads ${tfjs.threads ? 'on' : 'off'}`);

  const rows: BenchRow[] = [];
  try {
    for (const name of config.workloads) {
      if (name === 'book') {
        const book = await runBookBench(data, {
          backends: config.runners.filter((r): r is 'ref' | 'wasm' => r === 'ref' || r === 'wasm'),
          numpy: config.runners.includes('numpy'),
          reps: config.bookReps ?? Math.min(config.reps, 3),
          ...(config.bookIterations === undefined ? {} : { iterations: config.bookIterations }),
          pauseMs: config.pauseMs ?? PAUSE_MS,
          ...(config.settle ? { settle: config.settle } : {}),
          log,
        });
        rows.push(...book.rows);
        notes.push(...book.notes);
        continue;
      }
      const w: Workload = WORKLOADS[name];
      const runners: Array<{ label: string; epoch: Epoch; reps: number }> = [];
      for (const [label, be] of backends) {
        const slow = be.name === 'ref' && name === 'W1';
        runners.push({ label, epoch: timed(engineEpoch(be, data, w)), reps: slow ? 1 : config.reps });
      }
      // W2's regularised variants on the fast backend, side by side with its plain epoch.
      if (name === 'W2') {
        for (const [label, be] of backends) {
          if (be.name !== 'wasm') continue;
          for (const v of W2_VARIANTS) runners.push({ label: `${label} ${v.label}`, epoch: timed(engineEpoch(be, data, w, 1, v)), reps: config.reps });
        }
      }
      if (numpy) runners.push({ label: 'numpy', epoch: () => numpy.epoch(name), reps: config.reps });
      if (tfjs) runners.push({ label: 'tfjs-wasm', epoch: timed(tfjs.epoch(w)), reps: config.reps });

      const times = runners.map(() => [] as number[]);
      const accs: Array<number | null> = runners.map(() => null);
      const pause = config.pauseMs ?? PAUSE_MS;
      const settle = async () => {
        config.settle?.();
        await rest(pause);
      };
      for (const r of runners) {
        if (r.reps <= 1) continue;
        await r.epoch(); // warm-up
        await settle();
      }
      for (let round = 0; round < config.reps; round++) {
        for (const [i, r] of runners.entries()) {
          if (round >= r.reps) continue;
          const { seconds, testAcc } = await r.epoch();
          await settle();
          times[i]!.push(seconds);
          accs[i] = testAcc;
          log(`${name} ${r.label}: ${seconds.toFixed(3)} s`);
        }
      }
      const flops = workloadFlops(w);
      const medians = times.map((t) => median(t));
      const numpyIndex = runners.findIndex((r) => r.label === 'numpy');
      runners.forEach((r, i) => {
        const t = times[i]!;
        rows.push({
          workload: name,
          runner: r.label,
          median: medians[i]!,
          min: Math.min(...t),
          max: Math.max(...t),
          runs: t.length,
          gflops: flops / medians[i]! / 1e9,
          vsNumpy: numpyIndex >= 0 ? medians[i]! / medians[numpyIndex]! : null,
          testAcc: accs[i]!,
        });
      });
    }
  } finally {
    numpy?.close();
    for (const [, be] of backends) (be as { close?: () => void }).close?.();
  }
  return { rows, notes };
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** The results as one markdown table. */
export function benchTable(rows: BenchRow[]): string {
  const lines = [
    '| workload | runner | epoch (median) | min - max | runs | GFLOP/s | x numpy | test acc |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.workload} | ${r.runner} | ${r.median.toFixed(3)} s | ${r.min.toFixed(3)} - ${r.max.toFixed(3)} | ${r.runs} | ${Number.isFinite(r.gflops) ? r.gflops.toFixed(1) : '-'} | ${r.vsNumpy === null ? '-' : r.vsNumpy.toFixed(2)} | ${r.testAcc === null ? '-' : (100 * r.testAcc).toFixed(2) + '%'} |`,
    );
  }
  return lines.join('\n');
}
