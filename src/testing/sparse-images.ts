/**
 * For the per-example path's tests: small seeded 8x8 image sets, sparse as MNIST is (each pixel of the label's
 * column class mostly on, a tenth of the others), a backend with its one-call per-example step hidden, so
 * the same run goes kernel by kernel for comparison, and one whose per-example step is those kernels with the
 * fused steps' float32 arithmetic in JavaScript (composedPerExampleSgd 'float32', composedPerExampleSgdReg).
 */
import type { Backend } from '../backend/backend.js';
import { composedPerExampleSgd } from '../backend/per-example-ref.js';
import { composedPerExampleSgdReg } from '../backend/per-example-reg-ref.js';
import type { ImageSet } from '../data/dataset.js';
import { Rng } from '../rng/mt19937.js';

export function sparseImageSet(count: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 4;
    for (let p = 0; p < 64; p++) images[i * 64 + p] = (p % 4 === labels[i]! && rng.random() < 0.7) || rng.random() < 0.1 ? Math.floor(rng.random() * 256) : 0;
  }
  return { images, labels, count, height: 8, width: 8 };
}

/** The backend with its perExampleSgd hidden: the kernel-by-kernel loop. */
export const withoutPerExample = (be: Backend): Backend => Object.assign(Object.create(be) as Backend, { perExampleSgd: undefined });

/**
 * The backend with its perExampleSgd made of its kernels and the fused kernels' float32 steps in JavaScript
 * (plain SGD: composedPerExampleSgd 'float32'; momentum and L2: composedPerExampleSgdReg): the Trainer's
 * per-example path with the steps the fused kernels must equal bit for bit.
 */
export const withComposedPerExample = (be: Backend): Backend =>
  Object.assign(Object.create(be) as Backend, {
    perExampleSgd: (net: Parameters<NonNullable<Backend['perExampleSgd']>>[0]) =>
      net.layers.every((l) => l.weightRule.kind === 'sgd' && (!l.bias || l.bias.rule.kind === 'sgd')) ? composedPerExampleSgd(be, net, 'float32') : composedPerExampleSgdReg(be, net),
  });
