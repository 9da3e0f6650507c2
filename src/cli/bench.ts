/** `reglab bench`: times the issue-4 workloads on the engine's backends, numpy and TensorFlow.js; one table. */
import { availableParallelism, cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadDataset } from '../data/files.js';
import { RUNNER_NAMES, benchTable, runBench, type RunnerName } from '../bench/run.js';
import { ConfigError } from '../errors.js';
import { intFlag, parseFlags, strFlag } from './args.js';
import type { Command } from './command.js';

const HELP = `usage: reglab bench [flags]

Times one epoch of each workload on each runner, epochs interleaved round by round, and prints one
markdown table: median seconds, GFLOP/s of the work an epoch needs, time as a multiple of numpy's.
  W1  full MNIST, 784-100-10, ReLU, dropout 0.5, batch 100, lr 0.01, + a pass over the 10,000 test images
  W2  the first 1,000 images, batch 1, no dropout, lr 0.005
  book  reglab book overfit, dropout and batch (float64), their first iterations, against the book's numpy
        code (its test passes vectorised); the printed lines are compared too

flags:
  --workload W1|W2|book|all  default all
  --runners LIST           comma-separated from ref,wasm,numpy,tfjs (default all; numpy needs python3)
  --reps N                 counted epochs per runner, after one warm-up (default 5; ref runs W1 once)
  --threads N              threads of the wasm backend, 1 to 64 (default: the logical processors, but at most 8)
  --pause MS               rest after every epoch, so that each starts on an idle machine (default 300;
                           OpenBLAS's threads keep a core busy for about 0.1 s after numpy's epoch)
  --book-iterations N      iterations of each book experiment (default 20)
  --book-reps N            counted runs of each book experiment per runner (default: --reps, at most 3)
  --quiet                  no progress lines on stderr
`;

export const command: Command = {
  async run(argv) {
    const { values } = parseFlags(argv, {
      workload: { type: 'string' },
      runners: { type: 'string' },
      reps: { type: 'string' },
      threads: { type: 'string' },
      pause: { type: 'string' },
      'book-iterations': { type: 'string' },
      'book-reps': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const wl = strFlag(values, 'workload') ?? 'all';
    if (!['W1', 'W2', 'book', 'all'].includes(wl)) throw new ConfigError(`--workload must be W1, W2, book or all, got '${wl}'`);
    const runners = (strFlag(values, 'runners') ?? RUNNER_NAMES.join(',')).split(',').map((s) => s.trim()) as RunnerName[];
    for (const r of runners) if (!RUNNER_NAMES.includes(r)) throw new ConfigError(`--runners: unknown runner '${r}' (one of ${RUNNER_NAMES.join(', ')})`);
    const threads = intFlag(values, 'threads', 1, 64);
    const reps = intFlag(values, 'reps', 1, 100) ?? 5;
    const pauseMs = intFlag(values, 'pause', 0, 10000);
    const bookIterations = intFlag(values, 'book-iterations', 1, 1000);
    const bookReps = intFlag(values, 'book-reps', 1, 100);
    const data = loadDataset();
    // A full collection between epochs (see BenchConfig.settle): the documented way to reach V8's gc(). A
    // regular one: gc() without options is V8's memory-reducing last-resort collection, which also throws
    // compiled JavaScript away, so each epoch after it ran its set-up code unoptimised (the book's network
    // took 4-11 ms to its first iteration instead of 1-2 ms); numpy's side has nothing to lose there.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'sync' }) => void;
    const { rows, notes } = await runBench(data, {
      settle: () => gc({ type: 'major', execution: 'sync' }),
      workloads: wl === 'all' ? ['W1', 'W2', 'book'] : [wl as 'W1' | 'W2' | 'book'],
      ...(bookIterations === undefined ? {} : { bookIterations }),
      ...(bookReps === undefined ? {} : { bookReps }),
      runners,
      reps,
      ...(threads === undefined ? {} : { threads }),
      ...(pauseMs === undefined ? {} : { pauseMs }),
      ...(values.quiet ? {} : { log: (line: string) => process.stderr.write(line + '\n') }),
    });
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      [
        `machine: ${cpu}, ${availableParallelism()} logical processors; Node ${process.versions.node}; ${new Date().toISOString().slice(0, 10)}`,
        `command: reglab bench ${argv.join(' ')}`.trimEnd(),
        ...notes,
        '',
        benchTable(rows),
        '',
      ].join('\n'),
    );
    return 0;
  },
};

