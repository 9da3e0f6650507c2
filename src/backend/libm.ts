/**
 * exp, log, pow, expm1 and tanh of our own, in plain double arithmetic, so that training gives the same bits
 * on every JavaScript engine. Math.exp, Math.log, Math.pow and Math.tanh are only approximately specified:
 * Node 20's V8 computes them with its port of fdlibm, Chromium's V8 differs from it in the last bit for some
 * arguments (about one exp in ten; newer V8 call the C library's pow), and a loss summed from them differs
 * with them. These functions follow fdlibm's algorithms (e_exp.c, e_log.c, e_pow.c, s_expm1.c, s_tanh.c) with
 * fdlibm's coefficients, written here in TypeScript, as V8 11 (Node 20) runs them: they give what Node 20's
 * Math gives, bit for bit (libm.test.ts compares them on millions of arguments), wherever they run. Only
 * +, -, *, / (exactly rounded by IEEE 754 on every engine), Math.sqrt and Math.abs (exact) and reads and
 * writes of a double's two 32-bit words are used.
 *
 * The algorithms and coefficients are fdlibm's: Copyright (C) 1993 by Sun Microsystems, Inc. All rights
 * reserved. Developed at SunSoft, a Sun Microsystems, Inc. business. Permission to use, copy, modify, and
 * distribute this software is freely granted, provided that this notice is preserved.
 *
 * exp: x = k ln2 + r with |r| <= ln2/2 (ln2 split hi + lo so that k * hi is exact), exp(r) from a degree-5
 * minimax polynomial R(r^2) in r - r^2 R = 2r / (exp(r) - 1) - ..., then scaled by 2^k. log: x = 2^k (1 + f)
 * with sqrt(2)/2 < 1 + f < sqrt(2), log(1 + f) = 2s + s R(s^2) with s = f / (2 + f), a degree-7 polynomial,
 * then k ln2 (hi + lo) added. pow: x^y = 2^(y log2 x), log2 x and the product carried in extra precision
 * (hi + lo pairs with zeroed low words), then 2^z as exp does. expm1: exp's reduction with its rounding error
 * kept, a rational approximation of r (e^r + 1) / (e^r - 1); tanh(x) = -expm1(-2|x|) / (expm1(-2|x|) + 2).
 */

// A double's words: high (sign, exponent, top 20 bits of the fraction) and low, through one scratch buffer.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The high word as a signed 32-bit integer. */
function highWord(x: number): number {
  F64[0] = x;
  return U32[HI]! | 0;
}

/** The low word as an unsigned 32-bit integer. */
function lowWord(x: number): number {
  F64[0] = x;
  return U32[LO]!;
}

/** The double with these words. */
function fromWords(hi: number, lo: number): number {
  U32[HI] = hi >>> 0;
  U32[LO] = lo >>> 0;
  return F64[0]!;
}

/** x with its low word zeroed (the high part of a hi + lo split). */
function withLowZero(x: number): number {
  F64[0] = x;
  U32[LO] = 0;
  return F64[0]!;
}

/** 2^k for -1022 <= k <= 1023, exactly. */
function twoTo(k: number): number {
  return fromWords((0x3ff + k) << 20, 0);
}

const LN2_HI = fromWords(0x3fe62e42, 0xfee00000); // 6.93147180369123816490e-01: k * LN2_HI exact for |k| < 2^11
const LN2_LO = fromWords(0x3dea39ef, 0x35793c76); // 1.90821492927058770002e-10
const INV_LN2 = fromWords(0x3ff71547, 0x652b82fe); // 1.44269504088896338700e+00
const O_THRESHOLD = fromWords(0x40862e42, 0xfefa39ef); // 7.09782712893383973096e+02: exp overflows above it
const U_THRESHOLD = fromWords(0xc0874910, 0xd52d3051); // -7.45133219101941108420e+02: exp underflows below it
const TWO_M1000 = fromWords(0x01700000, 0); // 2^-1000
const TWO_1023 = fromWords(0x7fe00000, 0); // 2^1023
const TWO_54 = fromWords(0x43500000, 0); // 2^54
const TWO_53 = fromWords(0x43400000, 0); // 2^53

// exp's polynomial (also pow's 2^z): P1..P5.
const P1 = fromWords(0x3fc55555, 0x5555553e); // 1.66666666666666019037e-01
const P2 = fromWords(0xbf66c16c, 0x16bebd93); // -2.77777777770155933842e-03
const P3 = fromWords(0x3f11566a, 0xaf25de2c); // 6.61375632143793436117e-05
const P4 = fromWords(0xbebbbd41, 0xc5d26bf1); // -1.65339022054652515390e-06
const P5 = fromWords(0x3e663769, 0x72bea4d0); // 4.13813679705723846039e-08

// exp's thresholds on |x| as doubles: fdlibm compares |x|'s high word, the same as comparing |x| with the
// double of that high word and a zero low word (which keeps exp off the scratch buffer: it is the hot one).
const EXP_BIG = fromWords(0x40862e42, 0); // |x| >= 709.78...: overflows, underflows, or is not finite
const EXP_HALF_LN2 = fromWords(0x3fd62e43, 0); // |x| > ln2 / 2: reduce
const EXP_3HALF_LN2 = fromWords(0x3ff0a2b2, 0); // |x| < 1.5 ln2: k = +-1
const EXP_TINY = fromWords(0x3e300000, 0); // |x| < 2^-28: 1 + x
/** POW2[k + 1075] = 2^k for -1075 < k <= 1023 (exact; -1074 on, subnormal). */
const POW2 = new Float64Array(2099);
for (let k = -1022; k <= 1023; k++) POW2[k + 1075] = twoTo(k);
for (let k = -1074; k < -1022; k++) POW2[k + 1075] = twoTo(k + 100) * fromWords(0x39b00000, 0);

/** e^x, as Node 20's Math.exp gives it. */
export function exp(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < EXP_BIG)) {
    if (x !== x) return x + x; // NaN
    if (ax === Infinity) return x < 0 ? 0 : x;
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ax >= EXP_HALF_LN2) {
    if (ax < EXP_3HALF_LN2) {
      if (x === 1) return Math.E;
      if (x < 0) {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      } else {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      }
    } else {
      k = (INV_LN2 * x + (x < 0 ? -0.5 : 0.5)) | 0; // truncated toward zero, as C's (int)
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < EXP_TINY) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) return k === 1024 ? y * 2 * TWO_1023 : y * POW2[k + 1075]!;
  return y * POW2[k + 1000 + 1075]! * TWO_M1000; // a subnormal result: rounded once, by the last product
}

// log's polynomial: LG1..LG7.
const LG1 = fromWords(0x3fe55555, 0x55555593); // 6.666666666666735130e-01
const LG2 = fromWords(0x3fd99999, 0x9997fa04); // 3.999999999940941908e-01
const LG3 = fromWords(0x3fd24924, 0x94229359); // 2.857142874366239149e-01
const LG4 = fromWords(0x3fcc71c5, 0x1d8e78af); // 2.222219843214978396e-01
const LG5 = fromWords(0x3fc74664, 0x96cb03de); // 1.818357216161805012e-01
const LG6 = fromWords(0x3fc39a09, 0xd078c69f); // 1.531383769920937332e-01
const LG7 = fromWords(0x3fc2f112, 0xdf3e5244); // 1.479819860511658591e-01

/** The natural logarithm of x, as Node 20's Math.log gives it. */
export function log(x: number): number {
  F64[0] = x;
  let hx = U32[HI]! | 0;
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022: zero, negative, or subnormal
    if (((hx & 0x7fffffff) | U32[LO]!) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    F64[0] = x * TWO_54;
    hx = U32[HI]! | 0;
  }
  if (hx >= 0x7ff00000) return x + x; // inf or NaN
  if (x === 1) return 0;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000; // whether the fraction is above sqrt(2): then halve it
  U32[HI] = hx | (i ^ 0x3ff00000); // the fraction, scaled into [sqrt(2)/2, sqrt(2))
  x = F64[0]!;
  k += i >> 20;
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - k * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - r) : k * LN2_HI - (s * (f - r) - k * LN2_LO - f);
}

// pow's constants: log2 of x in extra precision, then 2^z.
const DP_H = [0, fromWords(0x3fe2b803, 0x40000000)]; // log2(1.5), high part
const DP_L = [0, fromWords(0x3e4cfdeb, 0x43cfd006)]; // its tail
const L1 = fromWords(0x3fe33333, 0x33333303); // 5.99999999999994648725e-01
const L2 = fromWords(0x3fdb6db6, 0xdb6fabff); // 4.28571428578550184252e-01
const L3 = fromWords(0x3fd55555, 0x518f264d); // 3.33333329818377432918e-01
const L4 = fromWords(0x3fd17460, 0xa91d4101); // 2.72728123808534006489e-01
const L5 = fromWords(0x3fcd864a, 0x93c9db65); // 2.30660745775561754067e-01
const L6 = fromWords(0x3fca7e28, 0x4a454eef); // 2.06975017800338417784e-01
const LG2_FULL = fromWords(0x3fe62e42, 0xfefa39ef); // ln2
const LG2_H = fromWords(0x3fe62e43, 0); // ln2, high part
const LG2_L = fromWords(0xbe205c61, 0x0ca86c39); // its tail
const OVT = 8.0085662595372944372e-17; // -(1024 - log2(overflow threshold + 0.5 ulp))
const CP = fromWords(0x3feec709, 0xdc3a03fd); // 2 / (3 ln2)
const CP_H = fromWords(0x3feec709, 0xe0000000); // its high part
const CP_L = fromWords(0xbe3e2fe0, 0x145b01f5); // its tail
const IVLN2 = INV_LN2;
const IVLN2_H = fromWords(0x3ff71547, 0x60000000); // 1 / ln2 to 24 bits
const IVLN2_L = fromWords(0x3e54ae0b, 0xf85ddf44); // its tail
const HUGE = 1e300;
const TINY = 1e-300;

/** x to the power y, as Node 20's Math.pow (and **) gives it. */
export function pow(x: number, y: number): number {
  const hx = highWord(x);
  const lx = lowWord(x);
  const hy = highWord(y);
  const ly = lowWord(y);
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;

  if ((iy | ly) === 0) return 1; // x^0 = 1, even for NaN x
  if (x !== x || y !== y) return NaN; // JavaScript: 1^NaN is NaN too

  // yisint: 0 y not an integer, 1 odd, 2 even (only needed for x < 0)
  let yisint = 0;
  if (hx < 0) {
    if (iy >= 0x43400000) yisint = 2;
    else if (iy >= 0x3ff00000) {
      const e = (iy >> 20) - 0x3ff;
      if (e > 20) {
        const j = ly >>> (52 - e);
        if ((j << (52 - e)) >>> 0 === ly) yisint = 2 - (j & 1);
      } else if (ly === 0) {
        const j = iy >> (20 - e);
        if (j << (20 - e) === iy) yisint = 2 - (j & 1);
      }
    }
  }

  if (ly === 0) {
    if (iy === 0x7ff00000) {
      // y = +-inf
      if (((ix - 0x3ff00000) | lx) === 0) return NaN; // JavaScript: (+-1)^+-inf is NaN
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0;
      return hy < 0 ? -y : 0;
    }
    if (iy === 0x3ff00000) return hy < 0 ? 1 / x : x;
    if (hy === 0x40000000) return x * x;
    if (hy === 0x3fe00000 && hx >= 0) return Math.sqrt(x);
  }

  let ax = Math.abs(x);
  if (lx === 0 && (ix === 0x7ff00000 || ix === 0 || ix === 0x3ff00000)) {
    // x = +-0, +-inf, +-1
    let z = hy < 0 ? 1 / ax : ax;
    if (hx < 0) {
      if (((ix - 0x3ff00000) | yisint) === 0) z = NaN; // (-1)^non-integer
      else if (yisint === 1) z = -z;
    }
    return z;
  }

  const xNegative = hx < 0;
  if (xNegative && yisint === 0) return NaN; // (x < 0)^non-integer
  const s = xNegative && yisint === 1 ? -1 : 1; // the result's sign

  let t1: number;
  let t2: number;
  if (iy > 0x41e00000) {
    // |y| > 2^31
    if (iy > 0x43f00000) {
      // |y| > 2^64: overflows or underflows
      if (ix <= 0x3fefffff) return hy < 0 ? HUGE * HUGE : TINY * TINY;
      if (ix >= 0x3ff00000) return hy > 0 ? HUGE * HUGE : TINY * TINY;
    }
    if (ix < 0x3fefffff) return hy < 0 ? s * HUGE * HUGE : s * TINY * TINY;
    if (ix > 0x3ff00000) return hy > 0 ? s * HUGE * HUGE : s * TINY * TINY;
    // |1 - x| <= 2^-20: log(x) from x - x^2/2 + x^3/3 - x^4/4
    const t = ax - 1;
    const w = t * t * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
    const u = IVLN2_H * t;
    const v = t * IVLN2_L - w * IVLN2;
    t1 = withLowZero(u + v);
    t2 = v - (t1 - u);
  } else {
    let n = 0;
    if (ix < 0x00100000) {
      // subnormal x
      ax *= TWO_53;
      n -= 53;
      ix = highWord(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    ix = j | 0x3ff00000;
    let k: number;
    if (j <= 0x3988e) k = 0; // |x| < sqrt(3/2)
    else if (j < 0xbb67a) k = 1; // |x| < sqrt(3)
    else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = fromWords(ix, lowWord(ax));
    const bp = k === 0 ? 1 : 1.5;
    // ss = s_h + s_l = (x - bp) / (x + bp)
    const u = ax - bp;
    const v = 1 / (ax + bp);
    const ss = u * v;
    const sH = withLowZero(ss);
    let tH = fromWords(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0); // ax + bp, high part
    let tL = ax - (tH - bp);
    const sL = v * (u - sH * tH - sH * tL);
    // log(ax)
    let s2 = ss * ss;
    let r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += sL * (sH + ss);
    s2 = sH * sH;
    tH = withLowZero(3 + s2 + r);
    tL = r - (tH - 3 - s2);
    const uu = sH * tH;
    const vv = sL * tH + tL * ss;
    // 2 / (3 ln2) * (ss + ...)
    const pH = withLowZero(uu + vv);
    const pL = vv - (pH - uu);
    const zH = CP_H * pH;
    const zL = CP_L * pH + pL * CP + DP_L[k]!;
    // log2(ax) = n + dp_h + z_h + z_l
    const t = n;
    t1 = withLowZero(zH + zL + DP_H[k]! + t);
    t2 = zL - (t1 - t - DP_H[k]! - zH);
  }

  // (y1 + y2) * (t1 + t2), y1 = y with its low word zeroed
  const y1 = withLowZero(y);
  const pL = (y - y1) * t1 + y * t2;
  let pH = y1 * t1;
  let z = pL + pH;
  let j = highWord(z);
  const i = lowWord(z);
  if (j >= 0x40900000) {
    // z >= 1024
    if (((j - 0x40900000) | i) !== 0) return s * HUGE * HUGE;
    if (pL + OVT > z - pH) return s * HUGE * HUGE;
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    // z <= -1075
    if (((j - 0xc090cc00) | i) !== 0) return s * TINY * TINY;
    if (pL <= z - pH) return s * TINY * TINY;
  }

  // 2^(pH + pL)
  const iz = j & 0x7fffffff;
  let k = (iz >> 20) - 0x3ff;
  let n = 0;
  if (iz > 0x3fe00000) {
    // |z| > 0.5: n = [z + 0.5]
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff;
    const t = fromWords(n & ~(0x000fffff >> k), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    pH -= t;
  }
  const t = withLowZero(pL + pH);
  const u = t * LG2_H;
  const v = (pL - (t - pH)) * LG2_FULL + t * LG2_L;
  z = u + v;
  const w = v - (z - u);
  const tt = z * z;
  const r1 = z - tt * (P1 + tt * (P2 + tt * (P3 + tt * (P4 + tt * P5))));
  // V8's port groups this as z r1 / ((r1 - 2) - (w + z w)), where fdlibm has z r1 / (r1 - 2) - (w + z w): a
  // little less accurate, but it is what Node 20 gives, so it is what this gives.
  const r = (z * r1) / (r1 - 2 - (w + z * w));
  z = 1 - (r - z);
  j = highWord(z) + (n << 20);
  if (j >> 20 <= 0) return s * scaled(z, n); // a subnormal result
  return s * fromWords(j, lowWord(z));
}

/** z * 2^n for z near 1 and a result below 2^-1022, rounded once (as scalbn). */
function scaled(z: number, n: number): number {
  return z * twoTo(n + 100) * fromWords(0x39b00000, 0); // 2^(n + 100) normal: the first product is exact; 2^-100
}

// expm1's polynomial, scaled: Q1..Q5 for R(x^2 / 2).
const Q1 = fromWords(0xbfa11111, 0x111110f4); // -3.33333333333331316428e-02
const Q2 = fromWords(0x3f5a01a0, 0x19fe5585); // 1.58730158725481460165e-03
const Q3 = fromWords(0xbf14ce19, 0x9eaadbb7); // -7.93650757867487942473e-05
const Q4 = fromWords(0x3ed0cfca, 0x86e65239); // 4.00821782732936239552e-06
const Q5 = fromWords(0xbe8afdb7, 0x6e09c32d); // -2.01099218183624371326e-07

/** e^x - 1, accurate near 0, as Node 20's Math.expm1 gives it (tanh is made of it). */
export function expm1(x: number): number {
  const hw = highWord(x);
  const negative = hw < 0;
  const hx = hw & 0x7fffffff;
  if (hx >= 0x4043687a) {
    // |x| >= 56 ln2
    if (hx >= 0x40862e42) {
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | lowWord(x)) !== 0) return x + x; // NaN
        return negative ? -1 : x;
      }
      if (x > O_THRESHOLD) return Infinity;
    }
    if (negative) return -1; // x < -56 ln2
  }
  let c = 0;
  let k = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ln2 / 2: x = k ln2 + r, c the rounding error of r
    let hi: number;
    let lo: number;
    if (hx < 0x3ff0a2b2) {
      if (negative) {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      } else {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      }
    } else {
      k = (INV_LN2 * x + (negative ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) {
    return x; // |x| < 2^-54
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e);
  if (k <= -2 || k > 56) {
    const y = 1 - (e - x);
    return (k === 1024 ? y * 2 * TWO_1023 : y * twoTo(k)) - 1;
  }
  if (k < 20) return (fromWords(0x3ff00000 - (0x200000 >> k), 0) - (e - x)) * twoTo(k); // (1 - 2^-k) - (e - x)
  return (x - (e + fromWords((0x3ff - k) << 20, 0)) + 1) * twoTo(k); // 1 - ((e + 2^-k) - x)
}

/** The hyperbolic tangent of x, as Node 20's Math.tanh gives it. */
export function tanh(x: number): number {
  const jx = highWord(x);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1 / x + 1 : 1 / x - 1; // +-1, or NaN
  let z: number;
  if (ix < 0x40360000) {
    // |x| < 22
    if (ix < 0x3e300000) return x; // |x| < 2^-28
    if (ix >= 0x3ff00000) {
      z = 1 - 2 / (expm1(2 * Math.abs(x)) + 2);
    } else {
      const t = expm1(-2 * Math.abs(x));
      z = -t / (t + 2);
    }
  } else {
    z = 1;
  }
  return jx >= 0 ? z : -z;
}
