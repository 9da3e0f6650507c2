/**
 * Lane helpers the float32 steps share (sgd.ts, rows.ts, adam.ts): they compute in float64 pairs and round
 * to float32 once per stored value, as the reference backend does.
 */

/** Lanes 2, 3 of v moved to lanes 0, 1. */
// @ts-ignore: decorator
@inline export function high(v: v128): v128 {
  return v128.shuffle<i32>(v, v, 2, 3, 0, 1);
}

/** Four float32 lanes from two float64 pairs (each rounded once). */
// @ts-ignore: decorator
@inline export function join(lo: v128, hi: v128): v128 {
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * One element's SGD step from its gradient d (PyTorch's convention, as Backend.sgdStep): L2 added to d, then
 * the velocity (pv 0 when there is none) v = momentum * v + d stored, then w - lr * d stored, in float64.
 */
// @ts-ignore: decorator
@inline export function stepElement(pw: usize, pv: usize, g: f64, lr: f64, momentum: f64, l2: f64): void {
  const wi = <f64>load<f32>(pw);
  let d = g;
  if (l2 != 0) d = d + l2 * wi;
  if (pv != 0) {
    d = momentum * <f64>load<f32>(pv) + d;
    store<f32>(pv, <f32>d);
  }
  store<f32>(pw, <f32>(wi - lr * d));
}
