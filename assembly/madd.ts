/**
 * a * b + c on four float32 lanes: one fused instruction where the build targets relaxed SIMD (rounded once,
 * or twice on hardware without FMA: the runtime picks, the same way every time on one machine), else a
 * multiply then an add (rounded twice). Decided at compile time.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
