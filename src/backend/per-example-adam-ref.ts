/**
 * The per-example Adam step (assembly/per-example-adam.ts) written in JavaScript and the backend's kernels:
 * the first layer's lazy rows by nn/adam-rows.ts's catch-up (Math.fround, the kernel's float32 arithmetic),
 * the products and the loss by the backend's kernels as composedPerExampleSgd calls them (gatherRows, matmul,
 * addRowVector, relu, softmaxCrossEntropy, countCorrect, matmul with b transposed, sumRows, reluBackward), the
 * dense Adam steps of the layers above and of the biases by assembly/adam32.ts's float32 arithmetic (adamDense32). On
 * the fast backend it equals Backend.perExampleSgd with Adam rules bit for bit.
 */
import type { Backend, FloatArray } from './backend.js';
import type { PerExampleAdamRule } from './per-example-adam.js';
import { checkPerExampleBatch, checkPerExampleNet, type PerExampleNet, type PerExampleStepper } from './per-example.js';
import { adamCatchUpAll, adamCatchUpRow, T, type LazyAdamState } from '../nn/adam-rows.js';
import { examplePass } from './per-example-ref.js';

const f = Math.fround;

/** assembly/adam.ts's element step (l2 = 0) over n elements, stepSize and bc2Sqrt given. */
export function adamDense(w: FloatArray, m: FloatArray, v: FloatArray, g: ArrayLike<number>, ss: number, bc: number, beta1: number, beta2: number, eps: number, n: number): void {
  const c1 = 1 - beta1, c2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const d = g[i]!;
    const mi = f(beta1 * m[i]! + c1 * d);
    const vi = f(beta2 * v[i]! + c2 * d * d);
    m[i] = mi;
    v[i] = vi;
    w[i] = f(w[i]! - (ss * mi) / (Math.sqrt(vi) / bc + eps));
  }
}

/**
 * assembly/adam32.ts's dense float32 step (the kernel's for the layers above the first and the biases): rows
 * i < n of out columns, g = fl32(x[i] * d[j]) (x null: g = d[j], one row), every operation rounded to float32.
 */
export function adamDense32(
  w: FloatArray, m: FloatArray, v: FloatArray, x: ArrayLike<number> | null, d: ArrayLike<number>, n: number, out: number, ss: number, ib: number,
  beta1: number, beta2: number, eps: number,
): void {
  const b1 = f(beta1), b2 = f(beta2), c1 = f(1 - beta1), c2 = f(1 - beta2), e = f(eps), s = f(ss), r = f(ib);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < out; j++) {
      const k = i * out + j;
      const g = x ? f(x[i]! * d[j]!) : d[j]!;
      const mi = f(f(b1 * m[k]!) + f(c1 * g));
      const vi = f(f(b2 * v[k]!) + f(c2 * f(g * g)));
      m[k] = mi;
      v[k] = vi;
      w[k] = f(w[k]! - f(f(s * mi) / f(f(f(Math.sqrt(vi)) * r) + e)));
    }
  }
}

export function composedPerExampleAdam(backend: Backend, net: PerExampleNet): PerExampleStepper {
  checkPerExampleNet(net);
  const { layers } = net;
  const rules = layers.map((l) => l.weightRule as PerExampleAdamRule);
  const r0 = rules[0]!;
  const rows = r0.rows;
  if (!rows || rules.some((r) => r.kind !== 'adam')) throw new RangeError('composedPerExampleAdam: Adam rules, the first layer lazy');
  const L = layers.length;
  const l0 = layers[0]!;
  const st: LazyAdamState = {
    at: rows.at, px: rows.px, ring: rows.ring, block: rows.block, tables: (T0) => rows.tables(T0),
    c: { lr: r0.lr, beta1: r0.beta1, beta2: r0.beta2, eps: r0.eps }, inSize: l0.inSize, outSize: l0.outSize,
  };
  const pass = examplePass(backend, layers);
  const { x, act, dPre, dIn, input } = pass;
  const B = rows.block;
  return {
    steps(b) {
      checkPerExampleBatch(net, b);
      const { beta1, beta2, eps } = r0;
      for (let r = 0; r < b.count; r++) {
        const s = r0.now() + r + 1;
        const T0 = Math.floor((s - 1) / B) * B;
        const li = s - T0 - 1;
        pass.gather(b, r);
        for (let i = 0; i < l0.inSize; i++) if (x[i] !== 0) adamCatchUpRow(st, l0.weights, r0.m, r0.v, i, s - 1);
        if (!Number.isFinite(pass.forwardLoss(b, r))) {
          adamCatchUpAll(st, l0.weights, r0.m, r0.v, s - 1);
          return r;
        }
        const tb = rows.tables(T0);
        const ss = f(tb[T.SS * (B + 1) + li]!), ib = f(1 / tb[T.BC * (B + 1) + li]!);
        for (let i = L - 1; i >= 0; i--) {
          const l = layers[i]!;
          const g = dPre[i]!;
          if (i > 0) backend.matmul(dIn[i]!, g, l.weights, 1, l.outSize, l.inSize, false, true, false);
          if (l.bias) backend.sumRows(l.bias.grad, g, 1, l.outSize, false);
          if (i > 0) {
            adamDense32(l.weights, rules[i]!.m, rules[i]!.v, input(i), g, l.inSize, l.outSize, ss, ib, beta1, beta2, eps);
            backend.reluBackward(dPre[i - 1]!, dIn[i]!, act[i - 1]!, l.inSize);
          } else {
            rows.ring.set(g.subarray(0, l.outSize), li * l.outSize);
            for (let k = 0; k < l.inSize; k++) {
              if (x[k] === 0) continue;
              rows.at[k] = s;
              rows.px[k] = x[k]!;
            }
          }
          if (l.bias) {
            const br = l.bias.rule as PerExampleAdamRule;
            adamDense32(l.bias.value, br.m, br.v, null, l.bias.grad, 1, l.outSize, ss, ib, beta1, beta2, eps);
          }
        }
        if (s === T0 + B) adamCatchUpAll(st, l0.weights, r0.m, r0.v, s);
      }
      return b.count;
    },
  };
}
