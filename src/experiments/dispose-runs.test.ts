/**
 * Many runs in one backend, as the lab makes them (one after another, each disposed when the next starts),
 * keep the wasm heap bounded: a run gives back its model, its optimizer, the report's throwaway model and the
 * backend's scratch it no longer needs, so after the first few runs (every shape seen once) no run takes more.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createBackend } from '../backend/create.js';
import type { WasmBackend } from '../backend/wasm/backend.js';
import { loadDataset } from '../data/files.js';
import { recordRun } from '../report/record.js';
import { disposeRun, prepareRun, resolveRunConfig, runToEnd } from './run.js';

let be: WasmBackend;
before(async () => {
  be = (await createBackend('wasm', { threads: 2 })) as WasmBackend;
});
after(() => be.close());

test('50 lab-sized runs (784-100-10, 500 images, 1 epoch) in one wasm backend: the heap stops growing', () => {
  const data = loadDataset();
  // Five kinds of run, in turn: batch sizes and dropout change the backend's scratch and the model's buffers.
  const kinds = [
    { batchSize: 32, dropout: 0 },
    { batchSize: 100, dropout: 0.5 },
    { batchSize: 1, dropout: 0 },
    { batchSize: 64, dropout: 0.2, momentum: 0.9 },
    { batchSize: 16, dropout: 0, l2: 0.001 },
  ];
  const heap: number[] = [];
  for (let i = 0; i < 50; i++) {
    const config = resolveRunConfig({ trainSize: 500, testSize: 200, hidden: [100], epochs: 1, lr: 0.05, seed: i + 1, ...kinds[i % kinds.length] });
    const run = runToEnd(prepareRun(data, config, be));
    recordRun({ name: `run ${i}`, config: { ...config }, model: run.model, result: run.result, test: run.splits.test! });
    disposeRun(run);
    heap.push(be.heapBytes);
  }
  assert.equal(heap[49], heap[4], `heap after each run: ${heap.join(', ')}`);
  assert.ok(be.bytesInUse <= heap[4]!);
});
