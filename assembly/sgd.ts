/**
 * One SGD step, PyTorch's convention (see Backend.sgdStep), on elements [i0, i1). The arithmetic runs in
 * float64 and rounds to float32 once per stored value, exactly as the reference backend's JavaScript does,
 * so both backends take bit-identical steps from the same gradients.
 *
 * Without L2 and momentum, four-element blocks whose gradient bits are all zero are skipped: w - lr * (+0) is
 * w exactly. With batch 1 on MNIST, the first layer's weight rows for zero pixels (81%) have such gradients.
 */
import { high, join, stepElement } from './lanes';
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
    stepElement(w + o, velocity == 0 ? 0 : velocity + o, <f64>load<f32>(g + o), lr, momentum, l2);
  }
}
