/**
 * The TensorFlow.js side of the benchmark: the same workloads on tfjs-core with its WebAssembly backend (a
 * development dependency, loaded only here), gradients by tfjs's own autodiff and SGD optimizer.
 */
import type { Dataset } from '../data/dataset.js';
import { Rng } from '../rng/mt19937.js';
import type { Workload } from './workloads.js';

type Tf = typeof import('@tensorflow/tfjs-core');

export interface TfjsRunner {
  version: string;
  threads: boolean;
  epoch(w: Workload): () => { testAcc: number | null };
}

/** Loads tfjs-core and its wasm backend; null when they are not installed. */
export async function startTfjs(data: Dataset): Promise<TfjsRunner | null> {
  let tf: Tf;
  try {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return null;
    await tf.ready();
  } catch {
    return null;
  }
  const pixels = (set: Dataset['train'], idx: ArrayLike<number>, start: number, count: number): Float32Array => {
    const x = new Float32Array(count * 784);
    for (let r = 0; r < count; r++) {
      const src = idx[start + r]! * 784;
      for (let c = 0; c < 784; c++) x[r * 784 + c] = set.images[src + c]! / 255;
    }
    return x;
  };
  return {
    version: tf.version_core,
    threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    epoch(w) {
      const w1 = tf.variable(tf.randomUniform([784, w.hidden], -0.1, 0.1, 'float32', 1));
      const w2 = tf.variable(tf.randomUniform([w.hidden, 10], -0.1, 0.1, 'float32', 2));
      const opt = tf.train.sgd(w.lr);
      const order = Int32Array.from({ length: w.trainCount }, (_, i) => i);
      const rng = new Rng(1);
      const testX = w.testCount ? pixels(data.test, order.map((_, i) => i), 0, w.testCount) : null;
      return () => {
        rng.shuffle(order);
        for (let s = 0; s < w.trainCount; s += w.batchSize) {
          const count = Math.min(w.batchSize, w.trainCount - s);
          const labels = Int32Array.from({ length: count }, (_, r) => data.train.labels[order[s + r]!]!);
          tf.tidy(() => {
            const x = tf.tensor2d(pixels(data.train, order, s, count), [count, 784]);
            const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
            opt.minimize(() => {
              let h = tf.relu(tf.matMul(x, w1));
              if (w.dropout) h = tf.mul(h, tf.mul(tf.cast(tf.greater(tf.randomUniform(h.shape), w.dropout), 'float32'), 1 / (1 - w.dropout)));
              return tf.losses.softmaxCrossEntropy(y, tf.matMul(h, w2));
            });
          });
        }
        if (!testX) return { testAcc: null };
        const acc = tf.tidy(() => {
          const z = tf.matMul(tf.relu(tf.matMul(tf.tensor2d(testX, [w.testCount, 784]), w1)), w2);
          return tf.mean(tf.cast(tf.equal(tf.argMax(z, 1), tf.tensor1d(data.test.labels.subarray(0, w.testCount), 'int32')), 'float32')).dataSync()[0]!;
        });
        return { testAcc: acc };
      };
    },
  };
}
