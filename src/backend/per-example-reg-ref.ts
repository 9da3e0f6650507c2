/**
 * The regularised per-example step (Backend.perExampleSgd with 'sgd-reg' rules: momentum and L2) written in
 * JavaScript with Math.fround, on a backend's gather, sums, bias, ReLU and loss kernels: the arithmetic the
 * fast backend's kernel (assembly/per-example-reg32.ts) must equal bit for bit. It is its own float32
 * arithmetic, not the kernel-by-kernel path's float64 steps; in exact arithmetic it is the dense update
 * (g' = g + l2 w; v = momentum v + g'; w -= lr (v or g')) of every weight at every step:
 *
 * - The first layer's matrix, L2 alone ('scaled'): W = s_k U, U in the weight buffer, every row's rowStep the
 *   same t0, k = now - t0, s_k = a^k (a = 1 - lr l2, the power table's float64 entry). A step's sums are
 *   fl32(s_k * z[j]), z = x · U (the backend's matmul: sumListRows); the rows of the image's nonzero pixels
 *   step by U = fl32(U - fl32(x * fl32((lr / s_(k+1)) * d[j]))) (float64, the rate rounded once).
 *   In exact arithmetic s_(k+1) U' = a s_k U - lr x d = W - lr (x d + l2 W): the dense L2 step of every row.
 *   When k reaches P (the last k with s_k >= 1/2, at most the table's end) at a step's start, every row is
 *   brought to W (rowsDecay's arithmetic with M^k: fl32(s_k * U) in float64) and t0 = now; sync() does the same.
 * - The first layer's matrix with momentum ('modal', when M has two real eigenvalues r1 > r2 > 0: modal-map.ts):
 *   W's buffer holds P and the velocity's Q, (w, v) = s1 P (1, h1) + s2 Q (1, h2), s = r^k (k multiplications
 *   from 1, k = now - t0, every rowStep t0). At a call's start, a matrix not yet so held has every row brought
 *   to now (rowsDecay's arithmetic) and converted (toModal); its flag is kept in the optimizer's state until
 *   sync() converts back (fromModal). A step: when s2 < 2^-64, P = flushV(fl32(s1 P)) (P kept when s1 is 1),
 *   Q = flushV(fl32(s2 Q)) and t0 = now; the sums y[j] = fl32(s1 z1[j] + s2 z2[j]) (float64), z1 = x · P, z2 = x · Q (matmul); the
 *   rows of nonzero pixels P = fl32(P - fl32(x * fl32((-c1 / s1') d[j]))), Q the same with c2, s2' (s' = s r).
 *   In exact arithmetic s1' P' + s2' Q' = M (w, v) + (-lr, 1) x d: the dense step of every row. Two plain
 *   kernels' sums and steps per step, whatever the momentum; no row waits.
 * - The first layer's matrix with momentum otherwise ('lazy'): rows stored as of their rowStep; a row the image reads is
 *   brought up to date first by M^k (k = now - rowStep, M the zero-gradient step's 2x2 map, its float64 power
 *   from the table, or StepPowers.power's product beyond it, each entry rounded to float32, and taken as 0
 *   below TINY_COEF = 2^-40: A, B, C, D): w' = fl32(fl32(A w) + fl32(B v)), v' = flushV(fl32(fl32(C w) +
 *   fl32(D v))) (flushV: +0 below TINY_V = 2^-64 in magnitude); the sums then add the rows in
 *   ascending order, y[j] = fl32(y[j] + fl32(x * w[j])) from +0; after the backward pass the row takes the
 *   element step below with g = fl32(x * d[j]) and its rowStep becomes now + 1. In exact arithmetic M^k is k
 *   zero-gradient dense steps.
 * - Layers above the first: the input gradient from W before the step in four lanes from +0, lane l adding
 *   fl32(d[j] * W[i][j]) for j = 4c + l (c ascending), then the last out % 4 columns' products into lanes 0..
 *   (+0 into the others), dx[i] = fl32(fl32(l0 + l1) + fl32(l2 + l3)); then the ReLU's mask; every row takes the element step with g = fl32(x[i] * d[j])
 *   (0 where x[i] is 0): the dense step.
 * - The element step, in float32 (lr, momentum, l2 each rounded to float32 once):
 *   g' = l2 ? fl32(g + fl32(l2 * w)) : g; with a velocity v = flushV(fl32(fl32(momentum * v) + g')),
 *   w = fl32(w - fl32(lr * v)); without, w = fl32(w - fl32(lr * g')). Biases take it from their gradient 0 + d.
 * - A plain 'sgd' rule (a bias with L2 alone) takes the plain kernel's step (per-example-ref.ts 'float32').
 * The flushes keep float32 subnormals out of the per-element work (each costs a hundred cycles on x86: a
 * velocity decaying between rare pixels made the epoch twice as slow); what they drop is below 2^-64 of a
 * velocity or 2^-40 of its size, far below a float32 ulp of the weights it moves: in exact arithmetic the
 * update is the dense one but for those. Every row's catch-up and step, the scale and its period depend only on the step count and the data: a run is
 * deterministic bit for bit and the same however its steps are split into calls. At a call's start, rows of a
 * 'scaled' matrix whose rowSteps differ (a state from elsewhere) are first all brought up to now (rowsDecay's
 * arithmetic). The state between calls is LazyRows' (nn/lazy-rows.ts: rows as of rowStep, M^k to now), so
 * sync, getWeights mid-epoch and checkpoints read it as they read the kernel-by-kernel path's.
 */
import type { Backend, FloatArray } from './backend.js';
import { MIN_MODAL_SCALE, modalScales, toModal } from './modal-map.js';
import { checkPerExampleBatch, checkPerExampleNet, type PerExampleLayer, type PerExampleNet, type PerExampleRule, type PerExampleStepper } from './per-example.js';

/** How the regularised kernel steps a layer's weight matrix (assembly/per-example-reg32.ts's kinds). */
export const REG_KIND = { sgd: 0, dense: 1, lazy: 2, scaled: 3, modal: 4 } as const;
export type RegKind = (typeof REG_KIND)[keyof typeof REG_KIND];

/** The smallest scale s_k a 'scaled' matrix runs with before it is brought back to W. */
export const MIN_SCALE = 0.5;

/** The kind of layer i's weight rule, or null when the regularised step does not take it. */
export function regWeightKind(rule: PerExampleRule, i: number): RegKind | null {
  if (rule.kind === 'sgd') return REG_KIND.sgd;
  if (rule.kind === 'adam') return null;
  if (rule.rows?.lazy) {
    if (i !== 0) return null;
    if (rule.velocity && rule.rows.modal) return REG_KIND.modal;
    return rule.velocity === null && scalePeriod(rule.rows.powers!) > 0 ? REG_KIND.scaled : REG_KIND.lazy;
  }
  // Every row stepped needs the layer's whole input: the first layer's is a list of its nonzeros.
  return i === 0 ? null : REG_KIND.dense;
}

/** P of a 'scaled' matrix: the last k < T with s_k >= MIN_SCALE (0 when s_1 is below it: not scaled). */
export function scalePeriod(powers: Readonly<Float64Array>): number {
  const T = powers.length >> 2;
  let k = 0;
  while (k + 1 < T && powers[4 * (k + 1)]! >= MIN_SCALE) k++;
  return k;
}

/** M^k from the power table (T entries), or beyond it (M^(T-1))^q · M^r as StepPowers.power multiplies it. */
export function powerOf(powers: Readonly<Float64Array>, k: number, out: Float64Array): void {
  const T = powers.length >> 2;
  if (k < T) {
    for (let e = 0; e < 4; e++) out[e] = powers[4 * k + e]!;
    return;
  }
  const last = T - 1;
  const l0 = powers[4 * last]!, l1 = powers[4 * last + 1]!, l2 = powers[4 * last + 2]!, l3 = powers[4 * last + 3]!;
  const r = k % last;
  let a = powers[4 * r]!, b = powers[4 * r + 1]!, c = powers[4 * r + 2]!, d = powers[4 * r + 3]!;
  for (let q = Math.floor(k / last); q > 0; q--) {
    const na = l0 * a + l1 * c, nb = l0 * b + l1 * d;
    const nc = l2 * a + l3 * c, nd = l2 * b + l3 * d;
    a = na; b = nb; c = nc; d = nd;
  }
  out[0] = a; out[1] = b; out[2] = c; out[3] = d;
}

/** rowsDecay's arithmetic on one row (n columns at o): (w, v) <- M (w, v) in float64, each rounded once. */
function decayRow(w: FloatArray, v: FloatArray | null, o: number, n: number, m: Readonly<Float64Array>): void {
  for (let j = o; j < o + n; j++) {
    const wj = w[j]!;
    if (!v) {
      w[j] = Math.fround(m[0]! * wj);
      continue;
    }
    const vj = v[j]!;
    w[j] = Math.fround(m[0]! * wj + m[1]! * vj);
    v[j] = Math.fround(m[2]! * wj + m[3]! * vj);
  }
}

const f = Math.fround;

/** M^k's entries below this in magnitude are taken as 0, velocities below TINY_V stored as +0 (no subnormals). */
export const TINY_COEF = 2 ** -40;
export const TINY_V = 2 ** -64;
const coefficient = (x: number): number => (Math.abs(f(x)) < TINY_COEF ? 0 : f(x));
const flushV = (v: number): number => (Math.abs(v) < TINY_V ? 0 : v);

/** The element step (float32): one weight w[o] (and v[o]) from its gradient g. */
function elementStep(w: FloatArray, v: FloatArray | null, o: number, g: number, lr: number, m: number, l2: number): void {
  const gg = l2 !== 0 ? f(g + f(l2 * w[o]!)) : g;
  if (v) {
    v[o] = flushV(f(f(m * v[o]!) + gg));
    w[o] = f(w[o]! - f(lr * v[o]!));
  } else w[o] = f(w[o]! - f(lr * gg));
}

/** The regularised per-example stepper written in JavaScript on backend's kernels (null when it does not take the net). */
export function composedPerExampleSgdReg(backend: Backend, net: PerExampleNet): PerExampleStepper | null {
  checkPerExampleNet(net);
  const { layers } = net;
  const kinds = layers.map((l, i) => regWeightKind(l.weightRule, i));
  if (kinds.some((k) => k === null)) return null;
  const L = layers.length;
  const x = backend.alloc(layers[0]!.inSize);
  const pre = layers.map((l) => backend.alloc(l.outSize));
  const act = layers.map((l) => backend.alloc(l.outSize));
  const dPre = layers.map((l) => backend.alloc(l.outSize));
  const input = (i: number): FloatArray => (i === 0 ? x : act[i - 1]!);
  const ld = new Float64Array(Math.max(...layers.map((l) => l.outSize)));
  const ld2 = new Float64Array(ld.length);
  const lane = new Float64Array(4);
  const z2 = backend.alloc(layers[0]!.outSize);
  const dx = new Float64Array(Math.max(...layers.map((l) => l.inSize)));
  const m = new Float64Array(4);
  const tracked = layers.find((l) => l.weightRule.kind === 'sgd-reg' && l.weightRule.rows)?.weightRule;
  const first = layers[0]!;
  const period = kinds[0] === REG_KIND.scaled && first.weightRule.kind === 'sgd-reg' ? scalePeriod(first.weightRule.rows!.powers!) : 0;

  /** Every row of the first layer brought to step now (rowsDecay's arithmetic), all rowSteps now. */
  const syncFirst = (now: number): void => {
    const r = first.weightRule;
    if (r.kind !== 'sgd-reg' || !r.rows) return;
    const n = first.outSize;
    for (let i = 0; i < first.inSize; i++) {
      const k = now - r.rows.rowStep[i]!;
      if (k === 0) continue;
      powerOf(r.rows.powers!, k, m);
      decayRow(first.weights, r.velocity, i * n, n, m);
      r.rows.rowStep[i] = now;
    }
  };

  const stepBias = (l: PerExampleLayer): void => {
    if (!l.bias) return;
    const { value, grad, rule } = l.bias;
    if (rule.kind === 'sgd') {
      for (let j = 0; j < l.outSize; j++) value[j] = f(value[j]! - f(f(rule.lr * grad[j]!)));
      return;
    }
    if (rule.kind !== 'sgd-reg') throw new Error('composedPerExampleSgdReg: an Adam rule');
    const lr = f(rule.lr), mo = f(rule.momentum), l2 = f(rule.l2);
    for (let j = 0; j < l.outSize; j++) elementStep(value, rule.velocity, j, grad[j]!, lr, mo, l2);
  };

  return {
    steps(b) {
      checkPerExampleBatch(net, b);
      const now0 = tracked?.kind === 'sgd-reg' && tracked.rows ? tracked.rows.now() : 0;
      const classes = layers[L - 1]!.outSize;
      const r0 = first.weightRule;
      if (kinds[0] === REG_KIND.scaled && r0.kind === 'sgd-reg' && b.count > 0) {
        const steps = r0.rows!.rowStep;
        if (steps.some((s) => s !== steps[0])) syncFirst(now0);
      }
      let s1 = 1, s2 = 1;
      if (kinds[0] === REG_KIND.modal && r0.kind === 'sgd-reg' && b.count > 0) {
        const modal = r0.rows!.modal!;
        if (modal.flag[0] === 0) {
          syncFirst(now0);
          toModal(modal.map, first.weights, r0.velocity!, 0, first.weights.length);
          modal.flag[0] = 1;
        }
        [s1, s2] = modalScales(modal.map, now0 - r0.rows!.rowStep[0]!);
      }
      let r = 0;
      for (; r < b.count; r++) {
        const now = now0 + r;
        backend.gatherRows(x, b.images, b.idx, b.start + r, 1, first.inSize, b.divisor);
        let scale = 1;
        layers.forEach((l, i) => {
          const kind = kinds[i]!;
          const y = pre[i]!;
          if (kind === REG_KIND.lazy) {
            const rule = l.weightRule as Extract<PerExampleRule, { kind: 'sgd-reg' }>;
            const rows = rule.rows!;
            const n = l.outSize;
            y.fill(0);
            for (let p = 0; p < l.inSize; p++) {
              const xp = x[p]!;
              if (xp === 0) continue;
              const k = now - rows.rowStep[p]!;
              const o = p * n;
              if (k !== 0) {
                powerOf(rows.powers!, k, m);
                const A = coefficient(m[0]!), B = coefficient(m[1]!), C = coefficient(m[2]!), D = coefficient(m[3]!);
                const w = l.weights, v = rule.velocity;
                for (let j = o; j < o + n; j++) {
                  const wj = w[j]!;
                  if (v) {
                    const vj = v[j]!;
                    w[j] = f(f(A * wj) + f(B * vj));
                    v[j] = flushV(f(f(C * wj) + f(D * vj)));
                  } else w[j] = f(A * wj);
                }
                rows.rowStep[p] = now;
              }
              for (let j = 0; j < n; j++) y[j] = f(y[j]! + f(xp * l.weights[o + j]!));
            }
          } else if (kind === REG_KIND.modal) {
            const rule = l.weightRule as Extract<PerExampleRule, { kind: 'sgd-reg' }>;
            const p = l.weights, q = rule.velocity!;
            if (s2 < MIN_MODAL_SCALE) {
              // P kept as it is when s1 is 1 (no L2: r1 = 1).
              if (s1 !== 1) for (let j = 0; j < p.length; j++) p[j] = flushV(f(s1 * p[j]!));
              for (let j = 0; j < q.length; j++) q[j] = flushV(f(s2 * q[j]!));
              rule.rows!.rowStep.fill(now);
              s1 = s2 = 1;
            }
            backend.matmul(y, x, p, 1, l.inSize, l.outSize, false, false, false);
            backend.matmul(z2, x, q, 1, l.inSize, l.outSize, false, false, false);
            for (let j = 0; j < l.outSize; j++) y[j] = f(s1 * y[j]! + s2 * z2[j]!);
          } else {
            if (kind === REG_KIND.scaled) {
              const rows = (l.weightRule as Extract<PerExampleRule, { kind: 'sgd-reg' }>).rows!;
              if (now - rows.rowStep[0]! >= period) syncFirst(now);
              scale = rows.powers![4 * (now - rows.rowStep[0]!)]!;
            }
            backend.matmul(y, input(i), l.weights, 1, l.inSize, l.outSize, false, false, false);
            if (kind === REG_KIND.scaled) for (let j = 0; j < l.outSize; j++) y[j] = f(scale * y[j]!);
          }
          if (l.bias) backend.addRowVector(y, l.bias.value, 1, l.outSize);
          if (i < L - 1) backend.relu(act[i]!, y, l.outSize);
        });
        const label = b.labels.subarray(r, r + 1);
        const loss = backend.softmaxCrossEntropy(dPre[L - 1]!, pre[L - 1]!, label, 1, classes, 1 / 1);
        b.losses[r] = loss;
        b.correct[r] = backend.countCorrect(pre[L - 1]!, label, 1, classes);
        if (!Number.isFinite(loss)) break;
        for (let i = L - 1; i >= 0; i--) {
          const l = layers[i]!;
          const d = dPre[i]!;
          const n = l.outSize;
          const w = l.weights;
          if (i > 0) {
            // The input gradient from W before its step, then the ReLU below.
            const vec = n & ~3;
            for (let p = 0; p < l.inSize; p++) {
              lane.fill(0);
              for (let j = 0; j < vec; j++) lane[j & 3] = f(lane[j & 3]! + f(d[j]! * w[p * n + j]!));
              if (vec < n) for (let t = 0; t < 4; t++) lane[t] = f(lane[t]! + (vec + t < n ? f(d[vec + t]! * w[p * n + vec + t]!) : 0));
              dx[p] = f(f(lane[0]! + lane[1]!) + f(lane[2]! + lane[3]!));
            }
            const below = act[i - 1]!;
            for (let p = 0; p < l.inSize; p++) dPre[i - 1]![p] = below[p]! > 0 ? dx[p]! : 0;
          }
          if (l.bias) for (let j = 0; j < n; j++) l.bias.grad[j] = f(0 + d[j]!);
          const xin = input(i);
          const rule = l.weightRule;
          const kind = kinds[i]!;
          if (rule.kind === 'adam') throw new Error('composedPerExampleSgdReg: an Adam rule');
          if (rule.kind === 'sgd') {
            for (let j = 0; j < n; j++) ld[j] = f(rule.lr * d[j]!);
            for (let p = 0; p < l.inSize; p++) {
              const xp = xin[p]!;
              if (xp === 0) continue;
              for (let j = 0; j < n; j++) w[p * n + j] = f(w[p * n + j]! - f(xp * ld[j]!));
            }
          } else if (kind === REG_KIND.scaled) {
            const rows = rule.rows!;
            const next = rows.powers![4 * (now - rows.rowStep[0]! + 1)]!;
            const rate = rule.lr / next;
            for (let j = 0; j < n; j++) ld[j] = f(rate * d[j]!);
            for (let p = 0; p < l.inSize; p++) {
              const xp = xin[p]!;
              if (xp === 0) continue;
              for (let j = 0; j < n; j++) w[p * n + j] = f(w[p * n + j]! - f(xp * ld[j]!));
            }
          } else if (kind === REG_KIND.modal) {
            const { map } = rule.rows!.modal!;
            const n1 = s1 * map.r1, n2 = s2 * map.r2;
            const q = rule.velocity!;
            const e1 = -map.c1 / n1, e2 = -map.c2 / n2;
            for (let j = 0; j < n; j++) {
              ld[j] = f(e1 * d[j]!);
              ld2[j] = f(e2 * d[j]!);
            }
            for (let p = 0; p < l.inSize; p++) {
              const xp = xin[p]!;
              if (xp === 0) continue;
              for (let j = 0; j < n; j++) {
                w[p * n + j] = f(w[p * n + j]! - f(xp * ld[j]!));
                q[p * n + j] = f(q[p * n + j]! - f(xp * ld2[j]!));
              }
            }
            s1 = n1;
            s2 = n2;
          } else {
            const lr = f(rule.lr), mo = f(rule.momentum), l2 = f(rule.l2);
            for (let p = 0; p < l.inSize; p++) {
              const xp = xin[p]!;
              if (kind === REG_KIND.lazy && xp === 0) continue;
              for (let j = 0; j < n; j++) elementStep(w, rule.velocity, p * n + j, f(xp * d[j]!), lr, mo, l2);
              if (kind === REG_KIND.lazy) rule.rows!.rowStep[p] = now + 1;
            }
          }
          stepBias(l);
        }
      }
      // Matrices stepped at every step: their rows are current.
      layers.forEach((l, i) => {
        if (kinds[i] === REG_KIND.dense && l.weightRule.kind === 'sgd-reg' && l.weightRule.rows) l.weightRule.rows.rowStep.fill(now0 + r);
      });
      return r;
    },
  };
}
