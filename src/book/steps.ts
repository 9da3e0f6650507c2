/**
 * The two ways `reglab book` trains and tests the book's network, one protocol: 'ref', BookNet on the
 * reference backend in float64 (the engine's Trainer and evaluate(): the trusted numbers), and 'wasm', the
 * same network on its float64 WebAssembly kernels (fast-net.ts), the same numbers bit for bit. Both start
 * from BookNet's initial weights and draw the dropout masks from its generator.
 */
import { defaultBackendName, type BackendName } from '../backend/create.js';
import { hasWasmSimd } from '../backend/wasm/load.js';
import type { ImageSet } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import { evaluate, type Evaluation } from '../train/evaluate.js';
import { Trainer } from '../train/trainer.js';
import { BookNet, type BookQuirks } from './book-model.js';
import { FastBookNet, type PendingTest } from './fast-net.js';

export type { PendingTest };

/** 'ref' or 'wasm' (the default where WebAssembly SIMD runs). */
export type BookBackendName = BackendName;

export function defaultBookBackend(): BookBackendName {
  return defaultBackendName();
}

export interface BookStepsConfig {
  hidden: number;
  dropout: boolean;
  /** The engine's learning rate on the mean error (alpha * batchSize / 2). */
  lr: number;
  batchSize: number;
  quirks: Readonly<BookQuirks>;
  /** Iterations the run will take (the Trainer stops after them). */
  iterations: number;
  train: ImageSet;
  test: ImageSet;
}

export interface BookSteps {
  /** Trains one iteration over the training images in order: its mean error and accuracy. Throws if training diverged. */
  iteration(): { trainErr: number; trainAcc: number };
  /** Mean error and accuracy over the test images. */
  test(): Evaluation;
  /**
   * The same numbers for the weights as they are now, computed beside the next iterations where a second
   * thread can (wasm); absent where it cannot. One at a time.
   */
  testInBackground?(): PendingTest;
  /** The weights, laid out as BookNet's paramData. */
  weights(): Float64Array;
  /** Ends the run. */
  finish(): void;
}

export async function createBookSteps(backend: BookBackendName, config: BookStepsConfig): Promise<BookSteps> {
  const model = new BookNet({ hidden: config.hidden, dropout: config.dropout, lr: config.lr, quirks: config.quirks });
  switch (backend) {
    case 'ref':
      return refSteps(model, config);
    case 'wasm':
      return wasmSteps(model, config);
    default:
      throw new ConfigError(`backend must be ref or wasm, got ${backend as string}`);
  }
}

function refSteps(model: BookNet, config: BookStepsConfig): BookSteps {
  const trainer = new Trainer(model, config.train, { epochs: config.iterations, batchSize: config.batchSize, shuffle: false, lr: config.lr });
  const check = () => {
    if (trainer.stopReason !== null && trainer.stopReason !== 'completed') throw new Error(`training ended early (${trainer.stopReason}) ${trainer.stopMessage}`);
  };
  return {
    iteration() {
      const logs = trainer.runEpoch();
      check();
      if (!logs) throw new Error('training ended early: no iterations left');
      return { trainErr: logs.trainLoss, trainAcc: logs.trainAcc };
    },
    test: () => evaluate(model, config.test),
    weights: () => model.getWeights(),
    finish() {
      trainer.finish();
      check();
    },
  };
}

async function wasmSteps(model: BookNet, config: BookStepsConfig): Promise<BookSteps> {
  if (!hasWasmSimd()) throw new ConfigError('this JavaScript runtime has no WebAssembly SIMD; use the ref backend');
  const net = await FastBookNet.create({ ...config, weights: model.paramData as Float64Array, rng: model.rng });
  let epoch = 0;
  return {
    iteration() {
      const e = net.trainEpoch();
      epoch++;
      if (e.diverged !== null) {
        throw new Error(`training ended early (diverged) training diverged at epoch ${epoch} (${e.diverged}); try a lower learning rate`);
      }
      return { trainErr: e.lossSum / e.seen, trainAcc: e.correct / e.seen };
    },
    test: () => net.test(),
    testInBackground: () => net.testInBackground(),
    weights: () => net.getWeights(),
    finish: () => net.dispose(),
  };
}
