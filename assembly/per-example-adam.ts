/**
 * Per-example Adam steps (l2 = 0), many in one call, with the first layer's rows stepped lazily: a row whose
 * pixel is 0 has a zero gradient, so its k waiting Adam steps are a function of its (w, m, v) and of per-step
 * scalars only; they are applied when the row is next read, in one pass per element, together with the row's
 * own last step (deferred: its gradient is the rank-one x_row * d of that step, d kept in a ring of the block's
 * steps). A step then costs in proportion to the image's nonzero pixels (and the layers above, stepped densely).
 *
 * The moves of a row pending at step a (its gradient g = x * d_a not yet applied; w, m, v current at a - 1)
 * up to step b, with m1, v1 step a's moments: for j = 0 .. b - a,
 *   lr m̂ / (sqrt(v̂) + eps) = lr G_(a+j) r^j m1 / (s + eps h_j),   s = sqrt(v1), r = beta1 / sqrt(beta2),
 *   G_s = sqrt(1 - beta2^s) / (1 - beta1^s), h_j = sqrt(1 - beta2^(a+j)) beta2^(-j/2) = beta2^(ia/2) H[ia + j].
 * Two expansions of their sum, per element float32 (every operation rounded, none fused), per row coefficients
 * from the block's float64 suffix sums Q_k[i] = sum_(i' >= i) r^i' G H^k (nn/adam-rows.ts):
 * - around the row's mean h (h̄ = beta2^(ia/2) (H[ia] + H[ib]) / 2): 1 / (s + eps h_j) = q sum_n (-z (h_j -
 *   h̄))^n, q = 1 / (s + eps h̄), z = eps q, converging for every s (|z (h_j - h̄)| <= rho, the row's spread
 *   (H[ib] - H[ia]) / (H[ib] + H[ia])) with nt = 1 .. 6 terms, the fewest for which rho^nt / (1 - rho) <= 2^-26:
 *     m1 = b1 * m + (c1 * x) * d_a;  v1 = b2 * v + ((c2 * x) * x) * (d_a * d_a);  q = 1 / (sqrt(v1) + E);  z = e * q
 *     w = w - (m1 * q) * (D0 + z (D1 + ... z D(nt-1)));  m = K1 * m1;  v = K2 * v1      (one sqrt, one div)
 *   (the pixel in the rates: g = x * d_a is not formed); three terms with eps folded in where D1' = fl32(eps D1)
 *   and D2' = fl32((eps eps) D2) stay normal floats: w = w - (m1 * q) * (D0 + q (D1' + q D2')), z not formed;
 *   D_n = fl32((-1)^n lr IF_n[ia] sum_k binom(n, k) (-(H[ia] + H[ib]) / 2)^(n-k) (Q_k[ia] - Q_k[ib + 1])),
 *   E = fl32(eps beta2^(ia/2) (H[ia] + H[ib]) / 2), K1 = fl32(beta1^(b-a)), K2 = fl32(beta2^(b-a));
 *   a row of one step (b = a, one term: K1 = K2 = 1) takes the dense step's form w = w - (D0 * m1) / (sqrt(v1) + E);
 * - where the spread needs more (early steps: sqrt(1 - beta2^s) changes fast), in u = eps / s: 1 / (1 + u h_j)
 *   to four terms, C_n = fl32((-1)^n lr IF_n[ia] (Q_n[ia] - Q_n[ib + 1])), w = w - (m1 inv) (C0 + u (C1 + u (C2
 *   + u C3))) with inv = 1 / sqrt(v1), u = e inv, used where every u h_j <= 2^-7 (inv <= LIM[b - a + 1]); an
 *   element beyond (v1 = 0 included) takes the steps one by one, assembly/adam.ts's float64 element arithmetic.
 * In exact arithmetic the sum is the dense update's but for the truncation (below 2^-26 relative); in float32
 * a move is within a few roundings of the exact one (nn/adam-rows.test.ts: 2.6e-7 relative measured, the steps
 * one by one 9e-7), an epoch within the dense float32 step's distance of float64 Adam (per-example-adam-drift.
 * test.ts). Per element (both series): one sqrt and one div, as the dense step. A row with no gradient pending
 * (pixel +0) whose m and v are all +0 (a pixel not yet on) is left as it is, and so is an element stepped one by
 * one whose m, g and v are 0: what their arithmetic gives them but for the signs of zeros (the same in the
 * reference); the early epochs' rows not yet touched then cost a scan instead of their steps one by one.
 *
 * Blocks of B steps (global steps T0+1 .. T0+B, T0 a multiple of B): every row is brought up to date at the
 * block's end (sync), so a row's pending step is in the block's ring. The description is assembly/
 * per-example.ts's (HEADER, LAYER per layer), then ADAM bytes:
 *   +0 beta1, +8 beta2, +16 eps (f64), +24 the step count before the call (f64), +32 B, +36 the block's
 *   tables (f64, TABLES arrays of B + 1: SS, BC, Q0..Q5, IF0..IF5, B1K, B2K, LIM, H, EH, RHO), +40 the ring
 *   (f32[B * out0]), +44 each row's pending step (f64[in0]), +48 its pending pixel (f32[in0]), +52 the rows of
 *   the list (i32[in0 + 4]), +56 T0 (i32), +60 a cache of per-row coefficients (B entries of 48 bytes, one per
 *   pending step: rows of the same pending step caught up to the same step share them), then per layer 20 bytes from +64: W's m, W's v, b's m, b's v, W's
 *   gradient scratch (f32, layers above the first).
 * Layers above the first and every bias: assembly/adam32.ts's dense float32 step each step (ss = fl32(SS), ib =
 * fl32(1 / BC); a layer's gradient x^T d in +16's scratch first). The
 * first layer's per-element work is over a column range [c0, c1) with per-row coefficients (catchUpCols,
 * meanCols2, ...), so that it can be split by columns. src/backend/per-example-adam-ref.ts is this arithmetic
 * in JavaScript, equal bit for bit.
 */
import { adamStep32 } from './adam32';
import { HEADER, LAYER, argmax, exampleList, biasAndRelu, biasGradient, forwardLayer, inputGradient, softmaxCrossEntropy } from './per-example';
import { sumListRows } from './rowsum';

const ADAM: usize = 64;
const PER_LAYER: usize = 20;
export const TABLES = 20;
const SS = 0, BC = 1, Q0 = 2, IF0 = 8, B1K = 14, B2K = 15, LIM = 16, H = 17, EH = 18, RHO = 19;
const MEAN_TERMS = 6;
/** Bytes of a cache entry of rowCoefficients, and its kind for a row of one step. */
const COEF: usize = 48;
const KIND_ONE = 7;
/** Its kind for three terms with eps folded into D1 and D2 (D1' = fl32(eps D1), D2' = fl32((eps eps) D2)): z is q. */
const KIND_THREE_Q = 8;

/** perExampleSgd's contract (assembly/per-example.ts) for Adam rules; the call stays within one block. */
export function perExampleAdam(desc: usize, idx: usize, labels: usize, count: i32, losses: usize, correct: usize): i32 {
  const layers = load<i32>(desc);
  const images = <usize>load<i32>(desc, 4);
  const table = <usize>load<i32>(desc, 8);
  const inputs = load<i32>(desc, HEADER);
  const first = desc + HEADER;
  const last = first + <usize>(layers - 1) * LAYER;
  const adam = first + <usize>layers * LAYER;
  const classes = load<i32>(last, 4);
  const now0 = <i32>load<f64>(adam, 24);
  const B = load<i32>(adam, 32);
  const tables = <usize>load<i32>(adam, 36);
  const ring = <usize>load<i32>(adam, 40);
  const at = <usize>load<i32>(adam, 44);
  const px = <usize>load<i32>(adam, 48);
  const rows = <usize>load<i32>(adam, 52);
  const T0 = load<i32>(adam, 56);
  const out0 = load<i32>(first, 4);
  const stride = <usize>(B + 1) << 3;
  const beta1 = load<f64>(adam), beta2 = load<f64>(adam, 8), eps = load<f64>(adam, 16);
  const b1 = <f32>beta1, b2 = <f32>beta2, c1 = <f32>(1 - beta1), c2 = <f32>(1 - beta2), e = <f32>eps;
  clearCoefficients(adam);
  for (let r = 0; r < count; r++) {
    const s = now0 + r + 1;
    const li = s - T0 - 1;
    exampleList(desc, <usize>load<i32>(first, 28), <usize>load<i32>(first, 32), <usize>load<i32>(first, 36), load<i32>(first, 4) << 2, idx, r, rows);
    // The listed rows brought up to date at s - 1, then the first layer's sums from them.
    const cnt = load<i32>(<usize>load<i32>(first, 36));
    for (let q = 0; q < cnt; q++) catchUpRow(first, adam, load<i32>(rows + (<usize>q << 2)), s - 1);
    forwardLayer(first, layers == 1);
    for (let l = 1; l < layers; l++) forwardLayer(first + <usize>l * LAYER, l == layers - 1);
    const label = <i32>load<u8>(labels + <usize>r);
    const loss = softmaxCrossEntropy(load<i32>(last, 24), load<i32>(last, 20), label, classes);
    store<f64>(losses + (<usize>r << 3), loss);
    store<u8>(correct + <usize>r, <u8>(argmax(load<i32>(last, 20), classes) == label));
    if (!isFinite(loss)) {
      adamRowsSync(desc, s - 1);
      return r;
    }
    // The dense steps' float32 scalars (assembly/adam32.ts).
    const ss = <f32>load<f64>(tables + <usize>SS * stride + (<usize>li << 3));
    const ib = <f32>(1 / load<f64>(tables + <usize>BC * stride + (<usize>li << 3)));
    for (let l = layers - 1; l >= 0; l--) {
      const layer = first + <usize>l * LAYER;
      const st = adam + ADAM + <usize>l * PER_LAYER;
      if (l > 0) inputGradient(desc, layer);
      biasGradient(layer);
      const n = load<i32>(layer), out = load<i32>(layer, 4);
      if (l > 0) {
        // The gradient x^T d (x the ReLU output below: fl32(x[i] * d[j])), then the dense float32 step over the
        // matrix as one run (a row of out = 10 columns would leave two of every ten to the scalar tail).
        const g = <usize>load<i32>(st, 16);
        const x = <usize>load<i32>(layer - LAYER, 20);
        const d = <usize>load<i32>(layer, 24);
        for (let i = 0; i < n; i++) {
          const xv = f32x4.splat(load<f32>(x + (<usize>i << 2)));
          const gr = g + <usize>i * (<usize>out << 2);
          let j = 0;
          for (; j + 4 <= out; j += 4) v128.store(gr + (<usize>j << 2), f32x4.mul(xv, v128.load(d + (<usize>j << 2))));
          for (; j < out; j++) store<f32>(gr + (<usize>j << 2), load<f32>(x + (<usize>i << 2)) * load<f32>(d + (<usize>j << 2)));
        }
        adamStep32(<usize>load<i32>(layer, 8), <usize>load<i32>(st), <usize>load<i32>(st, 4), 0, g, 1, n * out, ss, ib, b1, b2, c1, c2, e);
      } else {
        // The first layer: d into the ring, the listed rows pending at s with their pixels.
        memory.copy(ring + <usize>li * (<usize>out0 << 2), <usize>load<i32>(layer, 24), <usize>out0 << 2);
        const vals = <usize>load<i32>(layer, 32);
        for (let q = 0; q < cnt; q++) {
          const i = <usize>load<i32>(rows + (<usize>q << 2));
          store<f64>(at + (i << 3), <f64>s);
          store<f32>(px + (i << 2), load<f32>(vals + (<usize>q << 2)));
        }
      }
      const b = <usize>load<i32>(layer, 12);
      if (b != 0) adamStep32(b, <usize>load<i32>(st, 8), <usize>load<i32>(st, 12), 0, <usize>load<i32>(layer, 16), 1, out, ss, ib, b1, b2, c1, c2, e);
    }
    if (s == T0 + B) adamRowsSync(desc, s);
  }
  return count;
}

/** Every row of the first layer brought up to date at step `now` (within the block). */
export function adamRowsSync(desc: usize, now: i32): void {
  const layers = load<i32>(desc);
  const first = desc + HEADER;
  const adam = first + <usize>layers * LAYER;
  const n = load<i32>(first);
  clearCoefficients(adam);
  for (let i = 0; i < n; i++) catchUpRow(first, adam, i, now);
}

/** Whether the n floats at a and at b are all +0 (every bit 0). */
function zeroRows(a: usize, b: usize, n: i32): bool {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    if (v128.any_true(v128.or(v128.load(a + o), v128.load(b + o)))) return false;
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    if ((load<u32>(a + o) | load<u32>(b + o)) != 0) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline function tab(tables: usize, stride: usize, arr: i32, j: i32): f64 {
  return load<f64>(tables + <usize>arr * stride + (<usize>j << 3));
}

/**
 * The coefficients of a row pending at a, caught up to b (per-row scalars only: the same for every row of
 * that (a, b)), into a cache entry of COEF bytes: +0 a, +4 b (i32, the entry's key), +8 the kind (KIND_ONE:
 * one step, k = 0 and one term; 1 .. 6: the mean series' terms; 0: the series in u), +12 K1, +16 K2 (f32),
 * +20 E (the mean series) or lim, +24 D0 .. D5 or C0 .. C3 (f32).
 */
function rowCoefficients(layer: usize, adam: usize, a: i32, b: i32, e: usize): void {
  const T0 = load<i32>(adam, 56);
  const B = load<i32>(adam, 32);
  const tables = <usize>load<i32>(adam, 36);
  const stride = <usize>(B + 1) << 3;
  const ia = a - T0 - 1, ib = b - T0 - 1;
  const k = b - a; // the moments' decays after step a
  const lr = load<f64>(layer, 40);
  store<i32>(e, a);
  store<i32>(e, b, 4);
  store<f32>(e, <f32>tab(tables, stride, B1K, k), 12);
  store<f32>(e, <f32>tab(tables, stride, B2K, k), 16);
  const lo = tab(tables, stride, H, ia), hi = tab(tables, stride, H, ib);
  const rho = (hi - lo) / (hi + lo);
  let nt = 0;
  for (let n = 1; n <= MEAN_TERMS; n++) {
    if (rho <= tab(tables, stride, RHO, n)) {
      nt = n;
      break;
    }
  }
  if (nt > 0) {
    // The series around the row's mean h: nt terms, T_n = sum_k binom(n, k) p^(n-k) U_k.
    const p = -((lo + hi) / 2);
    const u0 = tab(tables, stride, Q0, ia) - tab(tables, stride, Q0, ib + 1);
    const u1 = nt > 1 ? tab(tables, stride, Q0 + 1, ia) - tab(tables, stride, Q0 + 1, ib + 1) : 0;
    const u2 = nt > 2 ? tab(tables, stride, Q0 + 2, ia) - tab(tables, stride, Q0 + 2, ib + 1) : 0;
    const u3 = nt > 3 ? tab(tables, stride, Q0 + 3, ia) - tab(tables, stride, Q0 + 3, ib + 1) : 0;
    const u4 = nt > 4 ? tab(tables, stride, Q0 + 4, ia) - tab(tables, stride, Q0 + 4, ib + 1) : 0;
    const u5 = nt > 5 ? tab(tables, stride, Q0 + 5, ia) - tab(tables, stride, Q0 + 5, ib + 1) : 0;
    const p2 = p * p, p3 = p2 * p, p4 = p3 * p, p5 = p4 * p;
    if (nt == 3) {
      // eps folded into D1 and D2 where both stay normal floats (nn/adam-rows.ts: foldedCoefficients).
      const eps = load<f64>(adam, 16);
      const f1 = eps * (-lr * (tab(tables, stride, IF0 + 1, ia) * (u1 + p * u0)));
      const f2 = eps * eps * (lr * (tab(tables, stride, IF0 + 2, ia) * (u2 + 2 * p * u1 + p2 * u0)));
      if (!subnormal(f1) && !subnormal(f2)) {
        store<f32>(e, <f32>(lr * (tab(tables, stride, IF0, ia) * u0)), 24);
        store<f32>(e, <f32>f1, 28);
        store<f32>(e, <f32>f2, 32);
        store<f32>(e, <f32>(tab(tables, stride, EH, ia) * ((lo + hi) / 2)), 20);
        store<i32>(e, KIND_THREE_Q, 8);
        return;
      }
    }
    store<f32>(e, <f32>(lr * (tab(tables, stride, IF0, ia) * u0)), 24);
    store<f32>(e, nt > 1 ? <f32>(-lr * (tab(tables, stride, IF0 + 1, ia) * (u1 + p * u0))) : <f32>0, 28);
    store<f32>(e, nt > 2 ? <f32>(lr * (tab(tables, stride, IF0 + 2, ia) * (u2 + 2 * p * u1 + p2 * u0))) : <f32>0, 32);
    store<f32>(e, nt > 3 ? <f32>(-lr * (tab(tables, stride, IF0 + 3, ia) * (u3 + 3 * p * u2 + 3 * p2 * u1 + p3 * u0))) : <f32>0, 36);
    store<f32>(e, nt > 4 ? <f32>(lr * (tab(tables, stride, IF0 + 4, ia) * (u4 + 4 * p * u3 + 6 * p2 * u2 + 4 * p3 * u1 + p4 * u0))) : <f32>0, 40);
    store<f32>(e, nt > 5 ? <f32>(-lr * (tab(tables, stride, IF0 + 5, ia) * (u5 + 5 * p * u4 + 10 * p2 * u3 + 10 * p3 * u2 + 5 * p4 * u1 + p5 * u0))) : <f32>0, 44);
    store<f32>(e, <f32>(tab(tables, stride, EH, ia) * ((lo + hi) / 2)), 20);
    // One step (K1 = K2 = 1, D1 = 0): w -= (D0 m1) / (s + E), the dense step's form (meanCols1).
    store<i32>(e, k == 0 && nt == 1 ? KIND_ONE : nt, 8);
  } else {
    store<f32>(e, <f32>(lr * ((tab(tables, stride, Q0, ia) - tab(tables, stride, Q0, ib + 1)) * tab(tables, stride, IF0, ia))), 24);
    store<f32>(e, <f32>(-lr * ((tab(tables, stride, Q0 + 1, ia) - tab(tables, stride, Q0 + 1, ib + 1)) * tab(tables, stride, IF0 + 1, ia))), 28);
    store<f32>(e, <f32>(lr * ((tab(tables, stride, Q0 + 2, ia) - tab(tables, stride, Q0 + 2, ib + 1)) * tab(tables, stride, IF0 + 2, ia))), 32);
    store<f32>(e, <f32>(-lr * ((tab(tables, stride, Q0 + 3, ia) - tab(tables, stride, Q0 + 3, ib + 1)) * tab(tables, stride, IF0 + 3, ia))), 36);
    store<f32>(e, <f32>tab(tables, stride, LIM, k + 1), 20);
    store<i32>(e, 0, 8);
  }
}

/** Whether x is not 0 but below 2^-126 in magnitude (its float32 subnormal or 0). */
// @ts-ignore: decorator
@inline function subnormal(x: f64): bool {
  return x != 0 && Math.abs(x) < 1.1754943508222875e-38;
}

/** The cache of rowCoefficients' entries (one per a of the block: B entries at +60 of the Adam bytes) emptied. */
function clearCoefficients(adam: usize): void {
  const c = <usize>load<i32>(adam, 60);
  const B = load<i32>(adam, 32);
  for (let i = 0; i < B; i++) store<i32>(c + <usize>i * COEF, -1, 4);
}

/** Row i's pending steps a .. b applied (nothing when a > b); it is then pending at b + 1 with pixel 0. */
function catchUpRow(layer: usize, adam: usize, i: i32, b: i32): void {
  const at = <usize>load<i32>(adam, 44) + (<usize>i << 3);
  const a = <i32>load<f64>(at);
  if (a > b) return;
  const T0 = load<i32>(adam, 56);
  const ia = a - T0 - 1, ib = b - T0 - 1;
  // The row's coefficients, from the cache when a row of the same (a, b) made them.
  const e = <usize>load<i32>(adam, 60) + <usize>ia * COEF;
  if (load<i32>(e, 4) != b || load<i32>(e) != a) rowCoefficients(layer, adam, a, b, e);
  const out = load<i32>(layer, 4);
  const rowBytes = <usize>out << 2;
  const base = <usize>i * rowBytes;
  const w = <usize>load<i32>(layer, 8) + base;
  const st = adam + ADAM;
  const m = <usize>load<i32>(st) + base, v = <usize>load<i32>(st, 4) + base;
  const pxAt = <usize>load<i32>(adam, 48) + (<usize>i << 2);
  const x = load<f32>(pxAt);
  // A row with no gradient pending whose m and v are all +0 (a pixel not yet on) is left as it is (the same in
  // nn/adam-rows.ts's adamCatchUpRow): what its catch-up would give it but for the signs of zeros.
  if (load<u32>(pxAt) == 0 && zeroRows(m, v, out)) {
    store<f64>(at, <f64>(b + 1));
    return;
  }
  const d = <usize>load<i32>(adam, 40) + <usize>ia * rowBytes;
  const kind = load<i32>(e, 8);
  const K1 = load<f32>(e, 12), K2 = load<f32>(e, 16), E = load<f32>(e, 20);
  const D0 = load<f32>(e, 24), D1 = load<f32>(e, 28), D2 = load<f32>(e, 32);
  // Out of line (inlined here they ran slower); one term and k > 0 as two with D1 = 0 (z * 0 + D0 is D0: z is finite).
  if (kind == KIND_ONE) meanCols1(w, m, v, d, x, D0, E, adam, 0, out);
  else if (kind == 1 || kind == 2) meanCols2(w, m, v, d, x, D0, D1, K1, K2, E, adam, 0, out);
  else if (kind == KIND_THREE_Q) meanCols3q(w, m, v, d, x, D0, D1, D2, K1, K2, E, adam, 0, out);
  else if (kind == 3) meanCols3(w, m, v, d, x, D0, D1, D2, K1, K2, E, adam, 0, out);
  else if (kind == 4) meanCols4(w, m, v, d, x, D0, D1, D2, load<f32>(e, 36), K1, K2, E, adam, 0, out);
  else if (kind > 4) catchUpColsMean(w, m, v, d, x, D0, D1, D2, load<f32>(e, 36), load<f32>(e, 40), load<f32>(e, 44), kind, K1, K2, E, adam, 0, out);
  else catchUpCols(w, m, v, d, x, D0, D1, D2, load<f32>(e, 36), K1, K2, E, adam, ia, ib, 0, out);
  store<f64>(at, <f64>(b + 1));
  store<f32>(pxAt, 0);
}

/**
 * The rest of meanCols' step of four columns at w, m after q (nt < 0: q is the one step's move; v stored by the
 * front, which then carries one vector fewer): w -= q (one step) or w -= (m1 * q) * (D0 + z (D1 + ... + z
 * D(nt-1))) with z = e * q; m stored.
 */
// @ts-ignore: decorator
@inline function meanRest(
  w: usize, m: usize, m1: v128, q: v128, nt: i32, ev: v128, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128,
  K1v: v128, K2v: v128, folded: bool,
): void {
  if (nt < 0) {
    // One step: m and v stored as m1 and v1 (K1 = K2 = 1).
    v128.store(m, m1);
    v128.store(w, f32x4.sub(v128.load(w), q));
    return;
  }
  const z = folded ? q : f32x4.mul(ev, q);
  let p = d0;
  if (nt == 2) p = f32x4.add(d0, f32x4.mul(z, d1));
  else if (nt == 3) p = f32x4.add(d0, f32x4.mul(z, f32x4.add(d1, f32x4.mul(z, d2))));
  else if (nt > 3) {
    p = nt == 4 ? d3 : nt == 5 ? d4 : d5;
    if (nt > 5) p = f32x4.add(d4, f32x4.mul(z, p));
    if (nt > 4) p = f32x4.add(d3, f32x4.mul(z, p));
    p = f32x4.add(d2, f32x4.mul(z, p));
    p = f32x4.add(d1, f32x4.mul(z, p));
    p = f32x4.add(d0, f32x4.mul(z, p));
  }
  v128.store(w, f32x4.sub(v128.load(w), f32x4.mul(f32x4.mul(m1, q), p)));
  v128.store(m, f32x4.mul(K1v, m1));
}

/** m1 = b1 m + (c1 x) d on the four columns at pm (the pixel folded into the rate: no g = x d formed). */
// @ts-ignore: decorator
@inline function firstMoment(pm: usize, dj: v128, b1v: v128, xc1: v128): v128 {
  return f32x4.add(f32x4.mul(b1v, v128.load(pm)), f32x4.mul(xc1, dj));
}

/**
 * The front of a catch-up on four columns (the part meanCols issues one vector ahead): v1 = b2 v + (c2 x x)(d d)
 * stored at pv (times K2, or as it is for a one-step row, nt < 0); returns the one step's move (D0 m1) / (s + E)
 * when nt < 0, else q = 1 / (s + E), s = sqrt(v1).
 */
// @ts-ignore: decorator
@inline function catchUpFront(pv: usize, dj: v128, m1: v128, b2v: v128, xc2: v128, nt: i32, d0: v128, Ev: v128, one: v128, K2v: v128): v128 {
  const v1 = f32x4.add(f32x4.mul(b2v, v128.load(pv)), f32x4.mul(xc2, f32x4.mul(dj, dj)));
  const q = nt < 0 ? f32x4.div(f32x4.mul(d0, m1), f32x4.add(f32x4.sqrt(v1), Ev)) : f32x4.div(one, f32x4.add(f32x4.sqrt(v1), Ev));
  v128.store(pv, nt < 0 ? v1 : f32x4.mul(K2v, v1));
  return q;
}

/**
 * The catch-up of one row's columns [c0, c1) (c0 a multiple of 4) by the series around the row's mean h, nt
 * terms (a constant where inlined): per element s = sqrt(v1), q = 1 / (s + E), z = e * q,
 * w -= (m1 * q) * (D0 + z (D1 + ... + z D(nt-1))) by Horner.
 */
// @ts-ignore: decorator
@inline function meanCols(
  w: usize, m: usize, v: usize, d: usize, x: f32, D0: f32, D1: f32, D2: f32, D3: f32, D4: f32, D5: f32, nt: i32, K1: f32, K2: f32, E: f32,
  adam: usize, c0: i32, c1: i32, folded: bool = false,
): void {
  const beta1 = load<f64>(adam), beta2 = load<f64>(adam, 8), eps = load<f64>(adam, 16);
  const b1 = <f32>beta1, b2 = <f32>beta2, c1f = <f32>(1 - beta1), c2f = <f32>(1 - beta2), e = <f32>eps;
  // The pixel folded into the moments' rates: m1 = b1 m + (c1 x) d, v1 = b2 v + (c2 x x) (d d) (no g = x d formed).
  const c1x = c1f * x, c2x = c2f * x * x;
  const b1v = f32x4.splat(b1), b2v = f32x4.splat(b2), xc1 = f32x4.splat(c1x), xc2 = f32x4.splat(c2x);
  const ev = f32x4.splat(e), one = f32x4.splat(1), Ev = f32x4.splat(E);
  const d0 = f32x4.splat(D0), d1 = f32x4.splat(D1), d2 = f32x4.splat(D2), d3 = f32x4.splat(D3), d4 = f32x4.splat(D4), d5 = f32x4.splat(D5);
  const K1v = f32x4.splat(K1), K2v = f32x4.splat(K2);
  // Software-pipelined by one vector: the sqrt and the div of columns j + 4 are issued before the rest of
  // columns j (their long chain otherwise fills the out-of-order window: measured 0.72x-0.78x the time of the
  // straight loop for three terms); every element's arithmetic as in the straight loop.
  let j = c0;
  if (j + 4 <= c1) {
    let o = <usize>j << 2;
    const dj = v128.load(d + o);
    let m1 = firstMoment(m + o, dj, b1v, xc1);
    let q = catchUpFront(v + o, dj, m1, b2v, xc2, nt, d0, Ev, one, K2v);
    j += 4;
    for (; j + 4 <= c1; j += 4) {
      const o2 = <usize>j << 2;
      const d2j = v128.load(d + o2);
      const m2 = firstMoment(m + o2, d2j, b1v, xc1);
      const q2 = catchUpFront(v + o2, d2j, m2, b2v, xc2, nt, d0, Ev, one, K2v);
      meanRest(w + o, m + o, m1, q, nt, ev, d0, d1, d2, d3, d4, d5, K1v, K2v, folded);
      o = o2;
      m1 = m2;
      q = q2;
    }
    meanRest(w + o, m + o, m1, q, nt, ev, d0, d1, d2, d3, d4, d5, K1v, K2v, folded);
  }
  for (; j < c1; j++) {
    const o = <usize>j << 2;
    const dj = load<f32>(d + o);
    const m1 = b1 * load<f32>(m + o) + c1x * dj;
    const v1 = b2 * load<f32>(v + o) + c2x * (dj * dj);
    if (nt < 0) {
      store<f32>(w + o, load<f32>(w + o) - (D0 * m1) / (Mathf.sqrt(v1) + E));
      store<f32>(m + o, m1);
      store<f32>(v + o, v1);
      continue;
    }
    const q = <f32>1 / (Mathf.sqrt(v1) + E);
    const z = folded ? q : e * q;
    let p = D0;
    if (nt == 2) p = D0 + z * D1;
    else if (nt == 3) p = D0 + z * (D1 + z * D2);
    else if (nt > 3) {
      p = nt == 4 ? D3 : nt == 5 ? D4 : D5;
      if (nt > 5) p = D4 + z * p;
      if (nt > 4) p = D3 + z * p;
      p = D2 + z * p;
      p = D1 + z * p;
      p = D0 + z * p;
    }
    store<f32>(w + o, load<f32>(w + o) - (m1 * q) * p);
    store<f32>(m + o, K1 * m1);
    store<f32>(v + o, K2 * v1);
  }
}

/** meanCols for a row of one step (k = 0, one term: K1 = K2 = 1, D1 = 0): w -= (D0 * m1) / (sqrt(v1) + E). */
export function meanCols1(w: usize, m: usize, v: usize, d: usize, x: f32, D0: f32, E: f32, adam: usize, c0: i32, c1: i32): void {
  meanCols(w, m, v, d, x, D0, 0, 0, 0, 0, 0, -1, 1, 1, E, adam, c0, c1);
}

/** meanCols with two terms (or one: D1 = 0). */
export function meanCols2(w: usize, m: usize, v: usize, d: usize, x: f32, D0: f32, D1: f32, K1: f32, K2: f32, E: f32, adam: usize, c0: i32, c1: i32): void {
  meanCols(w, m, v, d, x, D0, D1, 0, 0, 0, 0, 2, K1, K2, E, adam, c0, c1);
}

/** meanCols with three terms. */
export function meanCols3(w: usize, m: usize, v: usize, d: usize, x: f32, D0: f32, D1: f32, D2: f32, K1: f32, K2: f32, E: f32, adam: usize, c0: i32, c1: i32): void {
  meanCols(w, m, v, d, x, D0, D1, D2, 0, 0, 0, 3, K1, K2, E, adam, c0, c1);
}

/** meanCols with three terms, eps folded into D1 and D2 (KIND_THREE_Q): z = q. */
export function meanCols3q(w: usize, m: usize, v: usize, d: usize, x: f32, D0: f32, D1: f32, D2: f32, K1: f32, K2: f32, E: f32, adam: usize, c0: i32, c1: i32): void {
  meanCols(w, m, v, d, x, D0, D1, D2, 0, 0, 0, 3, K1, K2, E, adam, c0, c1, true);
}

/** meanCols with four terms (rows pending about 10 to 30 steps: a tenth of the catch-ups). */
export function meanCols4(
  w: usize, m: usize, v: usize, d: usize, x: f32, D0: f32, D1: f32, D2: f32, D3: f32, K1: f32, K2: f32, E: f32, adam: usize, c0: i32, c1: i32,
): void {
  meanCols(w, m, v, d, x, D0, D1, D2, D3, 0, 0, 4, K1, K2, E, adam, c0, c1);
}

/** meanCols with five or six terms (nt). */
export function catchUpColsMean(
  w: usize, m: usize, v: usize, d: usize, x: f32, D0: f32, D1: f32, D2: f32, D3: f32, D4: f32, D5: f32, nt: i32, K1: f32, K2: f32, E: f32,
  adam: usize, c0: i32, c1: i32,
): void {
  meanCols(w, m, v, d, x, D0, D1, D2, D3, D4, D5, nt, K1, K2, E, adam, c0, c1);
}

/**
 * The catch-up of one row's columns [c0, c1) (c0 a multiple of 4), the row's coefficients given: four columns
 * at a time, then one by one; elements whose series would not be accurate take the steps one by one.
 */
export function catchUpCols(
  w: usize, m: usize, v: usize, d: usize, x: f32, C0: f32, C1: f32, C2: f32, C3: f32, K1: f32, K2: f32, lim: f32,
  adam: usize, ia: i32, ib: i32, c0: i32, c1: i32,
): void {
  const beta1 = load<f64>(adam), beta2 = load<f64>(adam, 8), eps = load<f64>(adam, 16);
  const b1 = <f32>beta1, b2 = <f32>beta2, c1f = <f32>(1 - beta1), c2f = <f32>(1 - beta2), e = <f32>eps;
  const xv = f32x4.splat(x), b1v = f32x4.splat(b1), b2v = f32x4.splat(b2), k1v = f32x4.splat(c1f), k2v = f32x4.splat(c2f);
  const ev = f32x4.splat(e), one = f32x4.splat(1), c0v = f32x4.splat(C0), c1v = f32x4.splat(C1), c2v = f32x4.splat(C2), c3v = f32x4.splat(C3);
  const K1v = f32x4.splat(K1), K2v = f32x4.splat(K2), limv = f32x4.splat(lim);
  let j = c0;
  for (; j + 4 <= c1; j += 4) {
    const o = <usize>j << 2;
    const w0 = v128.load(w + o), m0 = v128.load(m + o), v0 = v128.load(v + o);
    const g = f32x4.mul(xv, v128.load(d + o));
    const m1 = f32x4.add(f32x4.mul(b1v, m0), f32x4.mul(k1v, g));
    const v1 = f32x4.add(f32x4.mul(b2v, v0), f32x4.mul(k2v, f32x4.mul(g, g)));
    const inv = f32x4.div(one, f32x4.sqrt(v1));
    const q = f32x4.mul(m1, inv);
    const u = f32x4.mul(ev, inv);
    const bad = i32x4.bitmask(v128.not(f32x4.le(inv, limv)));
    if (bad != 0) {
      // Some element's series is not used: the four one by one (the same float32 arithmetic, lane by lane).
      for (let l = 0; l < 4; l++) {
        const ol = o + (<usize>l << 2);
        oneElement(w + ol, m + ol, v + ol, load<f32>(d + ol), x, C0, C1, C2, C3, K1, K2, lim, beta1, beta2, eps, adam, ia, ib);
      }
      continue;
    }
    const p = f32x4.add(c0v, f32x4.mul(u, f32x4.add(c1v, f32x4.mul(u, f32x4.add(c2v, f32x4.mul(u, c3v))))));
    v128.store(w + o, f32x4.sub(w0, f32x4.mul(q, p)));
    v128.store(m + o, f32x4.mul(K1v, m1));
    v128.store(v + o, f32x4.mul(K2v, v1));
  }
  for (; j < c1; j++) {
    const o = <usize>j << 2;
    oneElement(w + o, m + o, v + o, load<f32>(d + o), x, C0, C1, C2, C3, K1, K2, lim, beta1, beta2, eps, adam, ia, ib);
  }
}

/** One element of catchUpCols: the vector path's arithmetic on one lane, or (inv > lim) the steps one by one. */
function oneElement(
  pw: usize, pm: usize, pv: usize, dj: f32, x: f32, C0: f32, C1: f32, C2: f32, C3: f32, K1: f32, K2: f32, lim: f32,
  beta1: f64, beta2: f64, eps: f64, adam: usize, ia: i32, ib: i32,
): void {
  const b1 = <f32>beta1, b2 = <f32>beta2, c1f = <f32>(1 - beta1), c2f = <f32>(1 - beta2), e = <f32>eps;
  const m0 = load<f32>(pm), v0 = load<f32>(pv);
  const g = x * dj;
  const m1 = b1 * m0 + c1f * g;
  const v1 = b2 * v0 + c2f * (g * g);
  const inv = <f32>1 / Mathf.sqrt(v1);
  if (inv <= lim) {
    const q = m1 * inv;
    const u = e * inv;
    store<f32>(pw, load<f32>(pw) - q * (C0 + u * (C1 + u * (C2 + u * C3))));
    store<f32>(pm, K1 * m1);
    store<f32>(pv, K2 * v1);
    return;
  }
  slowElement(pw, pm, pv, g, beta1, beta2, eps, adam, ia, ib);
}

/**
 * Steps ia .. ib of one element one by one, assembly/adam.ts's float64 element arithmetic (each stored value
 * rounded to float32), the first with the gradient g, the others with 0. With m and g zero, w does not move
 * and only v decays.
 */
function slowElement(pw: usize, pm: usize, pv: usize, g: f32, beta1: f64, beta2: f64, eps: f64, adam: usize, ia: i32, ib: i32): void {
  const B = load<i32>(adam, 32);
  const tables = <usize>load<i32>(adam, 36);
  const stride = <usize>(B + 1) << 3;
  const c1 = 1 - beta1, c2 = 1 - beta2;
  let mi = <f64>load<f32>(pm), vi = <f64>load<f32>(pv), wi = <f64>load<f32>(pw);
  if (mi == 0 && g == 0) {
    // v = +0 stays +0 (an element whose column's gradient was always 0): nothing moves.
    if (load<u32>(pv) == 0) return;
    for (let i = ia; i <= ib; i++) vi = <f64><f32>(beta2 * vi + c2 * 0.0 * 0.0);
    store<f32>(pv, <f32>vi);
    return;
  }
  for (let i = ia; i <= ib; i++) {
    const dd: f64 = i == ia ? <f64>g : 0.0;
    mi = <f64><f32>(beta1 * mi + c1 * dd);
    vi = <f64><f32>(beta2 * vi + c2 * dd * dd);
    const ss = load<f64>(tables + <usize>SS * stride + (<usize>i << 3));
    const bc = load<f64>(tables + <usize>BC * stride + (<usize>i << 3));
    wi = <f64><f32>(wi - (ss * mi) / (Math.sqrt(vi) / bc + eps));
  }
  store<f32>(pw, <f32>wi);
  store<f32>(pm, <f32>mi);
  store<f32>(pv, <f32>vi);
}
