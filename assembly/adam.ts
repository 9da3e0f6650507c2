/**
 * One Adam step (see Backend.adamStep) on elements [i0, i1), bit for bit the reference backend's: the
 * arithmetic runs in float64 in the reference's order and each stored value (m, v, w) is rounded to float32
 * once; the update reads m and v back as stored. The bias-correction factors stepSize = lr / (1 - beta1^t)
 * and bc2Sqrt = sqrt(1 - beta2^t) come from JavaScript (ref.ts's adamFactors, libm.ts's pow). f64x2.sqrt and
 * f64x2.div are correctly rounded, as Math.sqrt and JavaScript's division are. No fused multiply-adds.
 */
import { high, join } from './lanes';
export function adamStep(
  w: usize, m: usize, v: usize, g: usize, stepSize: f64, bc2Sqrt: f64, beta1: f64, beta2: f64, eps: f64, l2: f64, i0: i32, i1: i32,
): void {
  const c1 = 1 - beta1, c2 = 1 - beta2;
  const b1 = f64x2.splat(beta1), b2 = f64x2.splat(beta2), k1 = f64x2.splat(c1), k2 = f64x2.splat(c2);
  const ss = f64x2.splat(stepSize), bc = f64x2.splat(bc2Sqrt), ev = f64x2.splat(eps), lv = f64x2.splat(l2);
  const decay = l2 != 0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const w4 = v128.load(w + o), g4 = v128.load(g + o), m4 = v128.load(m + o), v4 = v128.load(v + o);
    const wl = f64x2.promote_low_f32x4(w4), wh = f64x2.promote_low_f32x4(high(w4));
    let dl = f64x2.promote_low_f32x4(g4), dh = f64x2.promote_low_f32x4(high(g4));
    if (decay) {
      dl = f64x2.add(dl, f64x2.mul(lv, wl));
      dh = f64x2.add(dh, f64x2.mul(lv, wh));
    }
    // m = beta1 m + (1 - beta1) d;  v = beta2 v + ((1 - beta2) d) d, each rounded to float32 as stored
    const mn = join(
      f64x2.add(f64x2.mul(b1, f64x2.promote_low_f32x4(m4)), f64x2.mul(k1, dl)),
      f64x2.add(f64x2.mul(b1, f64x2.promote_low_f32x4(high(m4))), f64x2.mul(k1, dh)),
    );
    const vn = join(
      f64x2.add(f64x2.mul(b2, f64x2.promote_low_f32x4(v4)), f64x2.mul(f64x2.mul(k2, dl), dl)),
      f64x2.add(f64x2.mul(b2, f64x2.promote_low_f32x4(high(v4))), f64x2.mul(f64x2.mul(k2, dh), dh)),
    );
    v128.store(m + o, mn);
    v128.store(v + o, vn);
    // w -= (stepSize m) / (sqrt(v) / bc2Sqrt + eps), from m and v as stored
    const ul = f64x2.div(f64x2.mul(ss, f64x2.promote_low_f32x4(mn)), f64x2.add(f64x2.div(f64x2.sqrt(f64x2.promote_low_f32x4(vn)), bc), ev));
    const uh = f64x2.div(f64x2.mul(ss, f64x2.promote_low_f32x4(high(mn))), f64x2.add(f64x2.div(f64x2.sqrt(f64x2.promote_low_f32x4(high(vn))), bc), ev));
    v128.store(w + o, join(f64x2.sub(wl, ul), f64x2.sub(wh, uh)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const wi = <f64>load<f32>(w + o);
    let d = <f64>load<f32>(g + o);
    if (decay) d = d + l2 * wi;
    const mi = <f32>(beta1 * <f64>load<f32>(m + o) + c1 * d);
    const vi = <f32>(beta2 * <f64>load<f32>(v + o) + c2 * d * d);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, <f32>(wi - (stepSize * <f64>mi) / (Math.sqrt(<f64>vi) / bc2Sqrt + eps)));
  }
}
