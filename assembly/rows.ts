/**
 * The lazy optimizer steps' row kernels (src/nn/lazy-rows.ts, src/backend/row-kernels.ts: the reference's,
 * which these equal bit for bit): only the listed rows of a weight matrix are read and written. Arithmetic in
 * float64, each stored value rounded once to float32, as the reference's JavaScript.
 */
import { high, join, stepElement } from './lanes';

/**
 * For each listed row r = list[q] (q < count) of w[., cols] (and v, when v != 0), with (a, b, c, d) = coef[4q ..]:
 * w' = a w + b v, v' = c w + d v (without v: w' = a w).
 */
export function rowsDecay(w: usize, v: usize, list: usize, coef: usize, count: i32, cols: i32): void {
  for (let q = 0; q < count; q++) {
    const base = (<usize>load<i32>(list + (<usize>q << 2)) * <usize>cols) << 2;
    const cq = coef + (<usize>q << 5);
    decayRow(w + base, v == 0 ? 0 : v + base, load<f64>(cq), load<f64>(cq, 8), load<f64>(cq, 16), load<f64>(cq, 24), cols);
  }
}

/**
 * One row's catch-up: w' = a w + b v, v' = c w + d v over cols elements (pv 0: no velocity, w' = a w; b, c, d
 * unread), from the old values in float64, each stored value rounded once to float32.
 */
// @ts-ignore: decorator
@inline export function decayRow(pw: usize, pv: usize, a: f64, b: f64, c: f64, d: f64, cols: i32): void {
  if (pv == 0) {
    const av = f64x2.splat(a);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      const wv = v128.load(pw + o);
      const lo = f64x2.mul(av, f64x2.promote_low_f32x4(wv));
      const hi = f64x2.mul(av, f64x2.promote_low_f32x4(high(wv)));
      v128.store(pw + o, join(lo, hi));
    }
    for (; j < cols; j++) store<f32>(pw + (<usize>j << 2), <f32>(a * <f64>load<f32>(pw + (<usize>j << 2))));
    return;
  }
  const av = f64x2.splat(a), bv = f64x2.splat(b), cv = f64x2.splat(c), dv = f64x2.splat(d);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    const w4 = v128.load(pw + o), v4 = v128.load(pv + o);
    const wl = f64x2.promote_low_f32x4(w4), wh = f64x2.promote_low_f32x4(high(w4));
    const vl = f64x2.promote_low_f32x4(v4), vh = f64x2.promote_low_f32x4(high(v4));
    v128.store(pw + o, join(f64x2.add(f64x2.mul(av, wl), f64x2.mul(bv, vl)), f64x2.add(f64x2.mul(av, wh), f64x2.mul(bv, vh))));
    v128.store(pv + o, join(f64x2.add(f64x2.mul(cv, wl), f64x2.mul(dv, vl)), f64x2.add(f64x2.mul(cv, wh), f64x2.mul(dv, vh))));
  }
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    const wj = <f64>load<f32>(pw + o), vj = <f64>load<f32>(pv + o);
    store<f32>(pw + o, <f32>(a * wj + b * vj));
    store<f32>(pv + o, <f32>(c * wj + d * vj));
  }
}

/**
 * SGD (g' = g + l2 w; v = momentum v + g'; w -= lr (v or g')) on the listed rows of w[m, n] (and v, when v != 0),
 * g = x^T · dy summed in float64 in example order (x [k, m], dy [k, n]) and rounded to float32, never stored.
 */
export function rowsSgdStep(
  w: usize, v: usize, x: usize, dy: usize, list: usize, count: i32, lr: f64, momentum: f64, l2: f64, m: i32, k: i32, n: i32,
): void {
  if (k == 1) {
    rowsSgdStepOne(w, v, x, dy, list, count, lr, momentum, l2, n);
    return;
  }
  for (let q = 0; q < count; q++) {
    const i = load<i32>(list + (<usize>q << 2));
    const pw = w + ((<usize>i * <usize>n) << 2);
    const pv = v + ((<usize>i * <usize>n) << 2);
    const x0 = <f64>load<f32>(x + (<usize>i << 2));
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      let s: f64;
      if (k == 1) s = x0 * <f64>load<f32>(dy + o);
      else {
        s = 0;
        for (let r = 0; r < k; r++) s += <f64>load<f32>(x + ((<usize>r * <usize>m + <usize>i) << 2)) * <f64>load<f32>(dy + ((<usize>r * <usize>n + <usize>j) << 2));
      }
      const wi = <f64>load<f32>(pw + o);
      let d = <f64><f32>s;
      if (l2 != 0) d = d + l2 * wi;
      if (v != 0) {
        d = momentum * <f64>load<f32>(pv + o) + d;
        store<f32>(pv + o, <f32>d);
      }
      store<f32>(pw + o, <f32>(wi - lr * d));
    }
  }
}

/**
 * rowsSgdStep with one example, four elements at a time: g = x[i] * dy[j] in float32 (the exact product rounded
 * once, as the double's product rounded to float32 is), the rest in float64 pairs.
 */
function rowsSgdStepOne(w: usize, v: usize, x: usize, dy: usize, list: usize, count: i32, lr: f64, momentum: f64, l2: f64, n: i32): void {
  for (let q = 0; q < count; q++) {
    const i = load<i32>(list + (<usize>q << 2));
    const base = (<usize>i * <usize>n) << 2;
    stepRowOne(w + base, v == 0 ? 0 : v + base, load<f32>(x + (<usize>i << 2)), dy, n, lr, momentum, l2);
  }
}

/**
 * One row's step of rowsSgdStepOne (pv 0: no velocity): g = xs * dy[j] in float32, the rest in float64
 * pairs, each stored value rounded once. One loop per case (L2 or not, velocity or not), eight columns a turn.
 */
// @ts-ignore: decorator
@inline export function stepRowOne(pw: usize, pv: usize, xs: f32, dy: usize, n: i32, lr: f64, momentum: f64, l2: f64): void {
  if (pv == 0) {
    if (l2 != 0) stepRowCase(pw, 0, xs, dy, n, lr, momentum, l2, true, false);
    else stepRowCase(pw, 0, xs, dy, n, lr, momentum, l2, false, false);
  } else if (l2 != 0) stepRowCase(pw, pv, xs, dy, n, lr, momentum, l2, true, true);
  else stepRowCase(pw, pv, xs, dy, n, lr, momentum, l2, false, true);
}

// @ts-ignore: decorator
@inline function stepRowCase(pw: usize, pv: usize, xs: f32, dy: usize, n: i32, lr: f64, momentum: f64, l2: f64, withL2: bool, withV: bool): void {
  const lrv = f64x2.splat(lr), l2v = f64x2.splat(l2), mv = f64x2.splat(momentum);
  const xv = f32x4.splat(xs);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    stepLanes(pw + o, pv + o, f32x4.mul(xv, v128.load(dy + o)), lrv, l2v, mv, withL2, withV);
    stepLanes(pw + o + 16, pv + o + 16, f32x4.mul(xv, v128.load(dy + o, 16)), lrv, l2v, mv, withL2, withV);
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    stepLanes(pw + o, pv + o, f32x4.mul(xv, v128.load(dy + o)), lrv, l2v, mv, withL2, withV);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    stepElement(pw + o, withV ? pv + o : 0, <f64>(xs * load<f32>(dy + o)), lr, withV ? momentum : 0, withL2 ? l2 : 0);
  }
}

/**
 * Four elements' SGD step from their float32 gradient g4 (stepElement's arithmetic in float64 pairs): L2
 * added when withL2, the velocity v = momentum v + d stored when withV, then w - lr d stored.
 */
// @ts-ignore: decorator
@inline export function stepLanes(pw: usize, pv: usize, g4: v128, lrv: v128, l2v: v128, mv: v128, withL2: bool, withV: bool): void {
  const w4 = v128.load(pw);
  const wl = f64x2.promote_low_f32x4(w4), wh = f64x2.promote_low_f32x4(high(w4));
  let dl = f64x2.promote_low_f32x4(g4);
  let dh = f64x2.promote_low_f32x4(high(g4));
  if (withL2) {
    // (Only with L2, as the reference: g + 0 * w is not g for a weight that is not finite, nor for g = -0.)
    dl = f64x2.add(dl, f64x2.mul(l2v, wl));
    dh = f64x2.add(dh, f64x2.mul(l2v, wh));
  }
  if (withV) {
    const v4 = v128.load(pv);
    dl = f64x2.add(f64x2.mul(mv, f64x2.promote_low_f32x4(v4)), dl);
    dh = f64x2.add(f64x2.mul(mv, f64x2.promote_low_f32x4(high(v4))), dh);
    v128.store(pv, join(dl, dh));
  }
  v128.store(pw, join(f64x2.sub(wl, f64x2.mul(lrv, dl)), f64x2.sub(wh, f64x2.mul(lrv, dh))));
}
