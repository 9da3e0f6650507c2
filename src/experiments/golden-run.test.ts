/**
 * Golden numbers of a seeded run on each backend: the chapter's set-up made small (the first 1,000 training
 * images, 784-32-10 ReLU, dropout 0.5, batch 1, lr 0.005, seed 1, 3 epochs, tested on the first 1,000 test
 * images). A change to initialisation, shuffling, dropout masks or any kernel's arithmetic changes these
 * literals and fails here. The wasm backend's products round as their compiled kernels do: plain SIMD (Node
 * 20 without the CLI's flag) or relaxed SIMD's fused multiply-adds (Node 22, or the CLI on Node 20), one
 * literal each; its thread count changes no bit.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createBackend } from '../backend/create.js';
import type { Backend } from '../backend/backend.js';
import type { WasmBackend } from '../backend/wasm/backend.js';
import { loadDataset } from '../data/files.js';
import { resolveRunConfig, runExperiment } from './run.js';

const data = loadDataset();
const config = resolveRunConfig({ trainSize: 1000, testSize: 1000, hidden: [32], dropout: 0.5, epochs: 3, seed: 1 });

/** Each epoch's [trainLoss, testAcc]. */
function golden(backend: Backend): [number, number][] {
  return runExperiment(data, config, backend).result.history.map((h) => [h.trainLoss, h.testAcc!]);
}

const REF: [number, number][] = [
  [1.9949611593369876, 0.629],
  [1.317964222386168, 0.712],
  [1.0465297427281497, 0.728],
];
const WASM: Record<WasmBackend['simd'], [number, number][]> = {
  simd: [
    [1.9949611573141617, 0.629],
    [1.3179642341676236, 0.712],
    [1.0465297491067878, 0.728],
  ],
  'relaxed-simd': [
    [1.9949611637183504, 0.629],
    [1.31796423720123, 0.712],
    [1.046529755412047, 0.728],
  ],
};

const open: WasmBackend[] = [];
after(() => open.forEach((b) => b.close()));

test('golden run on the reference backend (float32)', async () => {
  assert.deepEqual(golden(await createBackend('ref')), REF);
});

test('golden run on the wasm backend, one thread and two', async () => {
  for (const threads of [1, 2]) {
    const be = (await createBackend('wasm', { threads })) as WasmBackend;
    open.push(be);
    assert.deepEqual(golden(be), WASM[be.simd], `${threads} thread(s), ${be.simd}`);
  }
});
