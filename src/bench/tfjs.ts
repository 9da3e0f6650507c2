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

/** Loads tfjs-core and its wasm backend; the reason as a string when they cannot be loaded. */
export async function startTfjs(data: Dataset): Promise<TfjsRunner | string> {
  let tf: Tf;
  try {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return 'its wasm backend did not initialise';
    await tf.ready();
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
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
            // The gradients by hand, as the numpy script writes them (tfjs-core's autodiff needs its
            // gradient registry, which its ESM build cannot load in Node).
            let h = tf.relu(tf.matMul(x, w1));
            const mask = w.dropout ? tf.mul(tf.cast(tf.greater(tf.randomUniform(h.shape), w.dropout), 'float32'), 1 / (1 - w.dropout)) : null;
            if (mask) h = tf.mul(h, mask);
            const dz = tf.div(tf.sub(tf.softmax(tf.matMul(h, w2)), y), count);
            let dh = tf.mul(tf.matMul(dz, w2, false, true), tf.cast(tf.greater(h, 0), 'float32'));
            if (mask) dh = tf.mul(dh, mask);
            w2.assign(tf.sub(w2, tf.mul(tf.matMul(h, dz, true, false), w.lr)));
            w1.assign(tf.sub(w1, tf.mul(tf.matMul(x, dh, true, false), w.lr)));
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
