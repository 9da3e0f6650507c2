/**
 * exp and log in float64 inside the module: src/backend/libm.ts (reglab's own fdlibm e_exp.c and e_log.c, which
 * give Node 20's Math.exp and Math.log bit for bit) ported operation for operation, so that a loss computed
 * here is the reference's to the last bit without a call out to JavaScript. The same constants (from the
 * same words), the same branches on the same thresholds, the same order of every +, -, * and /; a double's
 * words are read and written by reinterpretation instead of a scratch buffer, and 2^k is made from its
 * exponent bits instead of read from a table of the same exact values. src/backend/wasm/libm.test.ts compares
 * the two on millions of arguments and the edge cases (+-0, subnormals, huge, NaN, +-Infinity).
 *
 * The algorithms and coefficients are fdlibm's: Copyright (C) 1993 by Sun Microsystems, Inc. All rights
 * reserved. Developed at SunSoft, a Sun Microsystems, Inc. business. Permission to use, copy, modify, and
 * distribute this software is freely granted, provided that this notice is preserved.
 */

// @ts-ignore: decorator
@inline function fromWords(hi: u32, lo: u32): f64 {
  return reinterpret<f64>((<u64>hi << 32) | <u64>lo);
}

/** 2^k for -1022 <= k <= 1023, exactly (libm.ts: twoTo, POW2). */
// @ts-ignore: decorator
@inline function twoTo(k: i32): f64 {
  return reinterpret<f64>(<u64>(0x3ff + k) << 52);
}

/** e^x, as libm.ts's exp (Node 20's Math.exp). */
export function exp(x: f64): f64 {
  const O_THRESHOLD = fromWords(0x40862e42, 0xfefa39ef);
  const U_THRESHOLD = fromWords(0xc0874910, 0xd52d3051);
  const ax = Math.abs(x);
  if (!(ax < fromWords(0x40862e42, 0))) {
    if (x != x) return x + x; // NaN
    if (ax == Infinity) return x < 0 ? 0 : x;
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0.0;
  let lo = 0.0;
  let k = 0;
  if (ax >= fromWords(0x3fd62e43, 0)) {
    if (ax < fromWords(0x3ff0a2b2, 0)) {
      if (x == 1) return Math.E;
      if (x < 0) {
        hi = x + fromWords(0x3fe62e42, 0xfee00000);
        lo = -fromWords(0x3dea39ef, 0x35793c76);
        k = -1;
      } else {
        hi = x - fromWords(0x3fe62e42, 0xfee00000);
        lo = fromWords(0x3dea39ef, 0x35793c76);
        k = 1;
      }
    } else {
      k = <i32>(fromWords(0x3ff71547, 0x652b82fe) * x + (x < 0 ? -0.5 : 0.5)); // truncated toward zero
      hi = x - <f64>k * fromWords(0x3fe62e42, 0xfee00000);
      lo = <f64>k * fromWords(0x3dea39ef, 0x35793c76);
    }
    x = hi - lo;
  } else if (ax < fromWords(0x3e300000, 0)) {
    return 1 + x;
  }
  const P1 = fromWords(0x3fc55555, 0x5555553e);
  const P2 = fromWords(0xbf66c16c, 0x16bebd93);
  const P3 = fromWords(0x3f11566a, 0xaf25de2c);
  const P4 = fromWords(0xbebbbd41, 0xc5d26bf1);
  const P5 = fromWords(0x3e663769, 0x72bea4d0);
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) return k == 1024 ? y * 2 * fromWords(0x7fe00000, 0) : y * twoTo(k);
  return y * twoTo(k + 1000) * fromWords(0x01700000, 0); // a subnormal result: rounded once, by the last product
}

/** The natural logarithm of x, as libm.ts's log (Node 20's Math.log). */
export function log(x: f64): f64 {
  let bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022: zero, negative, or subnormal
    if (((hx & 0x7fffffff) | <i32>(<u32>bits)) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    bits = reinterpret<u64>(x * fromWords(0x43500000, 0));
    hx = <i32>(bits >> 32);
  }
  if (hx >= 0x7ff00000) return x + x; // inf or NaN
  if (x == 1) return 0;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000; // whether the fraction is above sqrt(2): then halve it
  x = fromWords(<u32>(hx | (i ^ 0x3ff00000)), <u32>bits); // the fraction, scaled into [sqrt(2)/2, sqrt(2))
  k += i >> 20;
  const f = x - 1;
  const dk = <f64>k;
  const LN2_HI = fromWords(0x3fe62e42, 0xfee00000);
  const LN2_LO = fromWords(0x3dea39ef, 0x35793c76);
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f == 0) return k == 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - r : dk * LN2_HI - (r - dk * LN2_LO - f);
  }
  const LG1 = fromWords(0x3fe55555, 0x55555593);
  const LG2 = fromWords(0x3fd99999, 0x9997fa04);
  const LG3 = fromWords(0x3fd24924, 0x94229359);
  const LG4 = fromWords(0x3fcc71c5, 0x1d8e78af);
  const LG5 = fromWords(0x3fc74664, 0x96cb03de);
  const LG6 = fromWords(0x3fc39a09, 0xd078c69f);
  const LG7 = fromWords(0x3fc2f112, 0xdf3e5244);
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - (hfsq - (s * (hfsq + r) + dk * LN2_LO) - f);
  }
  return k == 0 ? f - s * (f - r) : dk * LN2_HI - (s * (f - r) - dk * LN2_LO - f);
}
