/**
 * The per-example step written as the kernel calls Model.trainStep makes for one example (gatherRows; per
 * dense layer matmul, addRowVector, relu; softmaxCrossEntropy, countCorrect; per layer down matmul with b
 * transposed, sumRows, denseSgdStep, reluBackward; sgdStep of the biases), on any backend. On the reference
 * backend it is the reference of Backend.perExampleSgd (the conformance test holds a fast backend's fused
 * kernel to it within tolerance).
 *
 * The weight and bias steps come two ways (`step`):
 * - 'float64': denseSgdStep and sgdStep, w - lr * g in float64 rounded once to float32 (Model.trainStep's
 *   step, the kernel-by-kernel path);
 * - 'float32': the fused kernel's step (assembly/per-example.ts), written here in JavaScript with
 *   Math.fround: ld[j] = fl32(lr * d[j]) (the float64 product rounded once), then each row of a nonzero
 *   input x: w[j] = fl32(w[j] - fl32(x * ld[j])); a bias from its gradient g (0 + d, as sumRows writes it):
 *   b[j] = fl32(b[j] - fl32(lrB * g[j])). On the fast backend every other kernel is the fused one's, so
 *   this composition must equal Backend.perExampleSgd bit for bit.
 */
import type { Backend, FloatArray } from './backend.js';
import { checkPerExampleBatch, checkPerExampleNet, type PerExampleBatch, type PerExampleNet, type PerExampleStepper } from './per-example.js';

export type PerExampleStep = 'float64' | 'float32';

/**
 * The buffers of one example's pass through a net of layers on backend, and its forward pass and loss as
 * Model.trainStep takes them (matmul, addRowVector, relu per layer; softmaxCrossEntropy, countCorrect): the
 * part every composed per-example reference shares. x is the gathered example (gather).
 */
export function examplePass(backend: Backend, layers: PerExampleNet['layers']) {
  const L = layers.length;
  const x = backend.alloc(layers[0]!.inSize);
  const pre = layers.map((l) => backend.alloc(l.outSize)); // a dense layer's output
  const act = layers.map((l) => backend.alloc(l.outSize)); // its ReLU's output (hidden layers)
  const dPre = layers.map((l) => backend.alloc(l.outSize)); // the gradient at a dense layer's output
  const dIn = layers.map((l) => backend.alloc(l.inSize)); // a dense layer's input gradient
  const input = (i: number): FloatArray => (i === 0 ? x : act[i - 1]!);
  const classes = layers[L - 1]!.outSize;
  return {
    x, pre, act, dPre, dIn, input,
    /** Example r of the batch's pixels into x. */
    gather(b: PerExampleBatch, r: number): void {
      backend.gatherRows(x, b.images, b.idx, b.start + r, 1, layers[0]!.inSize, b.divisor);
    },
    /** The forward pass from x and the loss of example r (its gradient into dPre), booked in b; returns the loss. */
    forwardLoss(b: PerExampleBatch, r: number): number {
      layers.forEach((l, i) => {
        backend.matmul(pre[i]!, input(i), l.weights, 1, l.inSize, l.outSize, false, false, false);
        if (l.bias) backend.addRowVector(pre[i]!, l.bias.value, 1, l.outSize);
        if (i < L - 1) backend.relu(act[i]!, pre[i]!, l.outSize);
      });
      const label = b.labels.subarray(r, r + 1);
      const loss = backend.softmaxCrossEntropy(dPre[L - 1]!, pre[L - 1]!, label, 1, classes, 1 / 1);
      b.losses[r] = loss;
      b.correct[r] = backend.countCorrect(pre[L - 1]!, label, 1, classes);
      return loss;
    },
  };
}

export function composedPerExampleSgd(backend: Backend, net: PerExampleNet, step: PerExampleStep = 'float64'): PerExampleStepper {
  checkPerExampleNet(net);
  const { layers } = net;
  // (Momentum and L2 are held to the Trainer's kernel-by-kernel path instead: train/per-example-run.test.ts.)
  for (const l of layers) if (l.weightRule.kind !== 'sgd' || (l.bias && l.bias.rule.kind !== 'sgd')) throw new RangeError('composedPerExampleSgd: only plain SGD');
  const L = layers.length;
  const pass = examplePass(backend, layers);
  const { act, dPre, dIn, input } = pass;
  const ld = new Float64Array(Math.max(...layers.map((l) => l.outSize)));
  return {
    steps(b) {
      checkPerExampleBatch(net, b);
      for (let r = 0; r < b.count; r++) {
        pass.gather(b, r);
        if (!Number.isFinite(pass.forwardLoss(b, r))) return r;
        for (let i = L - 1; i >= 0; i--) {
          const l = layers[i]!;
          const g = dPre[i]!;
          if (i > 0) backend.matmul(dIn[i]!, g, l.weights, 1, l.outSize, l.inSize, false, true, false);
          if (l.bias) backend.sumRows(l.bias.grad, g, 1, l.outSize, false);
          if (step === 'float64') backend.denseSgdStep(l.weights, input(i), g, l.weightRule.lr, l.inSize, 1, l.outSize);
          else float32Step(l.weights, input(i), g, l.weightRule.lr, l.inSize, l.outSize, ld);
          if (i > 0) backend.reluBackward(dPre[i - 1]!, dIn[i]!, act[i - 1]!, l.inSize);
        }
        for (const l of layers) {
          if (!l.bias) continue;
          if (step === 'float64') backend.sgdStep(l.bias.value, l.bias.grad, null, l.bias.rule.lr, 0, 0, l.outSize);
          else float32Step(l.bias.value, ONE, l.bias.grad, l.bias.rule.lr, 1, l.outSize, ld);
        }
      }
      return b.count;
    },
  };
}

const ONE = Float32Array.of(1);

/**
 * The fused kernel's float32 step of w [rows, n] from the input x [rows] and the gradient d [n] at the output:
 * ld[j] = fl32(lr * d[j]); each row r with x[r] not 0: w[r][j] = fl32(w[r][j] - fl32(x[r] * ld[j])).
 * (A bias is the one row of x = 1: fl32(1 * ld[j]) is ld[j].)
 */
function float32Step(w: FloatArray, x: ArrayLike<number>, d: ArrayLike<number>, lr: number, rows: number, n: number, ld: Float64Array): void {
  for (let j = 0; j < n; j++) ld[j] = Math.fround(lr * d[j]!);
  for (let r = 0; r < rows; r++) {
    const xr = x[r]!;
    if (xr === 0) continue;
    const o = r * n;
    for (let j = 0; j < n; j++) w[o + j] = Math.fround(w[o + j]! - Math.fround(xr * ld[j]!));
  }
}
