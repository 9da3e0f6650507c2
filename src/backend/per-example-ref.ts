/**
 * The per-example step written as the kernel calls Model.trainStep makes for one example (gatherRows; per
 * dense layer matmul, addRowVector, relu; softmaxCrossEntropy, countCorrect; per layer down matmul with b
 * transposed, sumRows, denseSgdStep, reluBackward; sgdStep of the biases), on any backend. On the reference
 * backend it is the reference of Backend.perExampleSgd (the conformance test holds a fast backend's fused
 * kernel to it within tolerance); on the fast backend, the kernel-by-kernel path the fused one must equal bit
 * for bit.
 */
import type { Backend, FloatArray } from './backend.js';
import { checkPerExampleBatch, checkPerExampleNet, type PerExampleNet, type PerExampleStepper } from './per-example.js';

export function composedPerExampleSgd(backend: Backend, net: PerExampleNet): PerExampleStepper {
  checkPerExampleNet(net);
  const { layers } = net;
  // (Momentum and L2 are held to the Trainer's kernel-by-kernel path instead: train/per-example-run.test.ts.)
  for (const l of layers) if (l.weightRule.kind !== 'sgd' || (l.bias && l.bias.rule.kind !== 'sgd')) throw new RangeError('composedPerExampleSgd: only plain SGD');
  const L = layers.length;
  const x = backend.alloc(layers[0]!.inSize);
  const pre = layers.map((l) => backend.alloc(l.outSize)); // a dense layer's output
  const act = layers.map((l) => backend.alloc(l.outSize)); // its ReLU's output (hidden layers)
  const dPre = layers.map((l) => backend.alloc(l.outSize)); // the gradient at a dense layer's output
  const dIn = layers.map((l) => backend.alloc(l.inSize)); // a dense layer's input gradient
  const input = (i: number): FloatArray => (i === 0 ? x : act[i - 1]!);
  return {
    steps(b) {
      checkPerExampleBatch(net, b);
      const classes = layers[L - 1]!.outSize;
      for (let r = 0; r < b.count; r++) {
        backend.gatherRows(x, b.images, b.idx, b.start + r, 1, layers[0]!.inSize, b.divisor);
        layers.forEach((l, i) => {
          backend.matmul(pre[i]!, input(i), l.weights, 1, l.inSize, l.outSize, false, false, false);
          if (l.bias) backend.addRowVector(pre[i]!, l.bias.value, 1, l.outSize);
          if (i < L - 1) backend.relu(act[i]!, pre[i]!, l.outSize);
        });
        const label = b.labels.subarray(r, r + 1);
        const loss = backend.softmaxCrossEntropy(dPre[L - 1]!, pre[L - 1]!, label, 1, classes, 1 / 1);
        b.losses[r] = loss;
        b.correct[r] = backend.countCorrect(pre[L - 1]!, label, 1, classes);
        if (!Number.isFinite(loss)) return r;
        for (let i = L - 1; i >= 0; i--) {
          const l = layers[i]!;
          const g = dPre[i]!;
          if (i > 0) backend.matmul(dIn[i]!, g, l.weights, 1, l.outSize, l.inSize, false, true, false);
          if (l.bias) backend.sumRows(l.bias.grad, g, 1, l.outSize, false);
          backend.denseSgdStep(l.weights, input(i), g, l.weightRule.lr, l.inSize, 1, l.outSize);
          if (i > 0) backend.reluBackward(dPre[i - 1]!, dIn[i]!, act[i - 1]!, l.inSize);
        }
        for (const l of layers) if (l.bias) backend.sgdStep(l.bias.value, l.bias.grad, null, l.bias.rule.lr, 0, 0, l.outSize);
      }
      return b.count;
    },
  };
}
