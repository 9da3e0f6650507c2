/**
 * One SGD step, PyTorch's convention (see Backend.sgdStep), on elements [i0, i1). The arithmetic runs in
 * float64 and rounds to float32 once per stored value, exactly as the reference backend's JavaScript does,
 * so both backends take bit-identical steps from the same gradients.
 *
 * Without L2 and momentum, four-element blocks whose gradient bits are all zero are skipped: w - lr * (+0) is
 * w exactly. With batch 1 on MNIST, the first layer's weight rows for zero pixels (81%) have such gradients.
 */
export function sgdStep(
  w: usize, g: usize, velocity: usize, lr: f64, momentum: f64, l2: f64, i0: i32, i1: i32,
): void {
  let i = i0;
  if (velocity == 0 && l2 == 0) {
    const vlr = f64x2.splat(lr);
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i << 2;
      const gv = v128.load(g + o);
      if (!v128.any_true(gv)) continue;
      const wv = v128.load(w + o);
      const lo = f64x2.sub(f64x2.promote_low_f32x4(wv), f64x2.mul(vlr, f64x2.promote_low_f32x4(gv)));
      const hi = f64x2.sub(f64x2.promote_low_f32x4(high(wv)), f64x2.mul(vlr, f64x2.promote_low_f32x4(high(gv))));
      v128.store(w + o, join(lo, hi));
    }
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const wi = <f64>load<f32>(w + o);
    let d = <f64>load<f32>(g + o);
    if (l2 != 0) d = d + l2 * wi;
    if (velocity != 0) {
      d = momentum * <f64>load<f32>(velocity + o) + d;
      store<f32>(velocity + o, <f32>d);
    }
    store<f32>(w + o, <f32>(wi - lr * d));
  }
}

/** Lanes 2, 3 of v moved to lanes 0, 1. */
// @ts-ignore: decorator
@inline function high(v: v128): v128 {
  return v128.shuffle<i32>(v, v, 2, 3, 0, 1);
}

/** Four float32 lanes from two float64 pairs (each rounded once). */
// @ts-ignore: decorator
@inline function join(lo: v128, hi: v128): v128 {
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
