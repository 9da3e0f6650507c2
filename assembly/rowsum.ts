/**
 * Row sums from lists of nonzeros, the inner loop of every product: dst[n] = sum over q < cnt of
 * vals[q] * (the row of b at byte offset offs[q]), each column summed in q order by one chain of madd (so a
 * column's sum is the same whatever the blocking, the grouping of rows or the thread).
 *
 * Columns go in blocks held in registers (n = 100: 48 then 52 columns), each block a function of its own,
 * exported so that Binaryen does not inline it: inlined into a caller's loop, TurboFan ran out of x64's sixteen
 * vector registers and kept an accumulator on the stack, a store-to-load round trip on that chain for every
 * nonzero (measured: about twice the time per nonzero). Alone, the accumulators stay in registers.
 *
 * Rows go in groups, block by block: a group's rows of b for one block of columns (MNIST digits share most of
 * their pixels) are then read from L1 instead of L2 (measured on real MNIST rows: 18% to 25% less time).
 */
import { madd } from './madd';

/** Vectors (of four columns) in the next block when `left` are left: 13, 12, 9, 8, 4, 3, 2 or 1. */
// @ts-ignore: decorator
@inline function blockWidth(left: i32): i32 {
  if (left >= 12) return left == 13 ? 13 : 12;
  if (left >= 9) return 9;
  if (left >= 8) return 8;
  if (left >= 4) return 4;
  return left;
}

/**
 * The sums of g rows: row r's list is at offs + r * listBytes (offsets) and vals + r * listBytes (values),
 * cnts[r] entries; its sums go to dst + r * dstBytes.
 */
export function sumListRows(
  dst: usize, dstBytes: usize, b: usize, n: i32, offs: usize, vals: usize, listBytes: usize, cnts: usize, g: i32,
): void {
  if (n < 16) {
    for (let r = 0; r < g; r++) {
      const o = <usize>r * listBytes;
      sumNarrow(dst + <usize>r * dstBytes, b, n, offs + o, vals + o, load<i32>(cnts + (<usize>r << 2)));
    }
    return;
  }
  let j = 0;
  let left = n >> 2;
  while (left > 0) {
    const v = blockWidth(left);
    const col = <usize>j << 4;
    for (let r = 0; r < g; r++) {
      const d = dst + <usize>r * dstBytes + col;
      const bj = b + col;
      const o = offs + <usize>r * listBytes;
      const a = vals + <usize>r * listBytes;
      const cnt = load<i32>(cnts + (<usize>r << 2));
      if (v == 13) sum52(d, bj, o, a, cnt);
      else if (v == 12) sum48(d, bj, o, a, cnt);
      else if (v == 9) sum36(d, bj, o, a, cnt);
      else if (v == 8) sum32(d, bj, o, a, cnt);
      else if (v == 4) sum16(d, bj, o, a, cnt);
      else if (v == 3) sum12(d, bj, o, a, cnt);
      else if (v == 2) sum8(d, bj, o, a, cnt);
      else sum4(d, bj, o, a, cnt);
    }
    j += v;
    left -= v;
  }
  const tail = n & 3;
  if (tail == 0) return;
  // The last one to three columns one by one, side by side (independent chains of adds).
  const c0 = <usize>(n & ~3) << 2;
  for (let r = 0; r < g; r++) {
    const o = offs + <usize>r * listBytes;
    const a = vals + <usize>r * listBytes;
    const cnt = load<i32>(cnts + (<usize>r << 2));
    const bj = b + c0;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0;
    for (let q = 0; q < cnt; q++) {
      const x = load<f32>(a + (<usize>q << 2));
      const bp = bj + <usize>load<i32>(o + (<usize>q << 2));
      s0 += x * load<f32>(bp);
      if (tail >= 2) s1 += x * load<f32>(bp, 4);
      if (tail == 3) s2 += x * load<f32>(bp, 8);
    }
    const d = dst + <usize>r * dstBytes + c0;
    store<f32>(d, s0);
    if (tail >= 2) store<f32>(d, s1, 4);
    if (tail == 3) store<f32>(d, s2, 8);
  }
}

/**
 * One row of sums of fewer than 16 columns (a network's last layer: 10) in one pass over the list: the
 * vectors of four columns as the blocks sum them (madd), the last one to three columns in lanes of one more
 * vector as the one-by-one loop sums them (a multiply, then an add), so every column's sum is the same.
 */
export function sumNarrow(d: usize, b: usize, n: i32, offs: usize, vals: usize, cnt: i32): void {
  // Ten columns (MNIST's classes) with the widths known to the compiler.
  if (n == 10) narrowSums(d, b, 2, 2, offs, vals, cnt);
  else narrowSums(d, b, n >> 2, n & 3, offs, vals, cnt);
}

/** sumNarrow of v vectors and t more columns. */
// @ts-ignore: decorator
@inline function narrowSums(d: usize, b: usize, v: i32, t: i32, offs: usize, vals: usize, cnt: i32): void {
  const tailAt = <usize>v << 4;
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, ct = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(vals + (<usize>q << 2));
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    if (v >= 1) c0 = madd(av, v128.load(bp), c0);
    if (v >= 2) c1 = madd(av, v128.load(bp, 16), c1);
    if (v >= 3) c2 = madd(av, v128.load(bp, 32), c2);
    if (t != 0) ct = f32x4.add(ct, f32x4.mul(av, loadTail(bp + tailAt, t)));
  }
  if (v >= 1) v128.store(d, c0);
  if (v >= 2) v128.store(d, c1, 16);
  if (v >= 3) v128.store(d, c2, 32);
  if (t != 0) storeTail(d + tailAt, ct, t);
}

/** The first t (1 to 3) floats at p in the low lanes of a vector (the others 0). */
// @ts-ignore: decorator
@inline export function loadTail(p: usize, t: i32): v128 {
  if (t == 1) return v128.load32_zero(p);
  const two = v128.load64_zero(p);
  return t == 2 ? two : v128.load32_lane(p, two, 2, 8);
}

/** The low t (1 to 3) lanes of x to p. */
// @ts-ignore: decorator
@inline export function storeTail(p: usize, x: v128, t: i32): void {
  if (t == 1) {
    v128.store32_lane(p, x, 0);
    return;
  }
  v128.store64_lane(p, x, 0);
  if (t == 3) v128.store32_lane(p, x, 2, 8);
}

/** w[n] -= lr * g[n], rounded as sgdStep rounds it (in float64, once to float32). */
export function stepRow(w: usize, g: usize, n: i32, lr: f64): void {
  const vlr = f64x2.splat(lr);
  let j = 0;
  for (; j + 4 <= n; j += 4) sgdStep4(w + (<usize>j << 2), v128.load(g + (<usize>j << 2)), vlr);
  for (; j < n; j++) {
    const wp = w + (<usize>j << 2);
    store<f32>(wp, <f32>(<f64>load<f32>(wp) - lr * <f64>load<f32>(g + (<usize>j << 2))));
  }
}

/** out[n] += s[n]. */
export function addRow(out: usize, s: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = out + (<usize>j << 2);
    v128.store(o, f32x4.add(v128.load(o), v128.load(s + (<usize>j << 2))));
  }
  for (; j < n; j++) {
    const o = out + (<usize>j << 2);
    store<f32>(o, load<f32>(o) + load<f32>(s + (<usize>j << 2)));
  }
}

/** w[4] -= lr * g[4] in float64, each rounded once to float32: sgdStep's plain step on four lanes. */
// @ts-ignore: decorator
@inline export function sgdStep4(wp: usize, g: v128, vlr: v128): void {
  const lo = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(wp)), f64x2.mul(vlr, f64x2.promote_low_f32x4(g)));
  const gh = v128.shuffle<i32>(g, g, 2, 3, 0, 1);
  const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(wp, 8)), f64x2.mul(vlr, f64x2.promote_low_f32x4(gh)));
  v128.store64_lane(wp, f32x4.demote_f64x2_zero(lo), 0);
  v128.store64_lane(wp, f32x4.demote_f64x2_zero(hi), 0, 8);
}

// The blocks: dst[4V] = sum over q < cnt of nzVal[q] * (bj at byte offset nzOff[q])[4V], in V registers.

export function sum52(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
    c1 = madd(av, v128.load(bp, 16), c1);
    c2 = madd(av, v128.load(bp, 32), c2);
    c3 = madd(av, v128.load(bp, 48), c3);
    c4 = madd(av, v128.load(bp, 64), c4);
    c5 = madd(av, v128.load(bp, 80), c5);
    c6 = madd(av, v128.load(bp, 96), c6);
    c7 = madd(av, v128.load(bp, 112), c7);
    c8 = madd(av, v128.load(bp, 128), c8);
    c9 = madd(av, v128.load(bp, 144), c9);
    c10 = madd(av, v128.load(bp, 160), c10);
    c11 = madd(av, v128.load(bp, 176), c11);
    c12 = madd(av, v128.load(bp, 192), c12);
  }
  v128.store(dst, c0);
  v128.store(dst, c1, 16);
  v128.store(dst, c2, 32);
  v128.store(dst, c3, 48);
  v128.store(dst, c4, 64);
  v128.store(dst, c5, 80);
  v128.store(dst, c6, 96);
  v128.store(dst, c7, 112);
  v128.store(dst, c8, 128);
  v128.store(dst, c9, 144);
  v128.store(dst, c10, 160);
  v128.store(dst, c11, 176);
  v128.store(dst, c12, 192);
}

export function sum48(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
    c1 = madd(av, v128.load(bp, 16), c1);
    c2 = madd(av, v128.load(bp, 32), c2);
    c3 = madd(av, v128.load(bp, 48), c3);
    c4 = madd(av, v128.load(bp, 64), c4);
    c5 = madd(av, v128.load(bp, 80), c5);
    c6 = madd(av, v128.load(bp, 96), c6);
    c7 = madd(av, v128.load(bp, 112), c7);
    c8 = madd(av, v128.load(bp, 128), c8);
    c9 = madd(av, v128.load(bp, 144), c9);
    c10 = madd(av, v128.load(bp, 160), c10);
    c11 = madd(av, v128.load(bp, 176), c11);
  }
  v128.store(dst, c0);
  v128.store(dst, c1, 16);
  v128.store(dst, c2, 32);
  v128.store(dst, c3, 48);
  v128.store(dst, c4, 64);
  v128.store(dst, c5, 80);
  v128.store(dst, c6, 96);
  v128.store(dst, c7, 112);
  v128.store(dst, c8, 128);
  v128.store(dst, c9, 144);
  v128.store(dst, c10, 160);
  v128.store(dst, c11, 176);
}

export function sum36(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
    c1 = madd(av, v128.load(bp, 16), c1);
    c2 = madd(av, v128.load(bp, 32), c2);
    c3 = madd(av, v128.load(bp, 48), c3);
    c4 = madd(av, v128.load(bp, 64), c4);
    c5 = madd(av, v128.load(bp, 80), c5);
    c6 = madd(av, v128.load(bp, 96), c6);
    c7 = madd(av, v128.load(bp, 112), c7);
    c8 = madd(av, v128.load(bp, 128), c8);
  }
  v128.store(dst, c0);
  v128.store(dst, c1, 16);
  v128.store(dst, c2, 32);
  v128.store(dst, c3, 48);
  v128.store(dst, c4, 64);
  v128.store(dst, c5, 80);
  v128.store(dst, c6, 96);
  v128.store(dst, c7, 112);
  v128.store(dst, c8, 128);
}

export function sum32(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
    c1 = madd(av, v128.load(bp, 16), c1);
    c2 = madd(av, v128.load(bp, 32), c2);
    c3 = madd(av, v128.load(bp, 48), c3);
    c4 = madd(av, v128.load(bp, 64), c4);
    c5 = madd(av, v128.load(bp, 80), c5);
    c6 = madd(av, v128.load(bp, 96), c6);
    c7 = madd(av, v128.load(bp, 112), c7);
  }
  v128.store(dst, c0);
  v128.store(dst, c1, 16);
  v128.store(dst, c2, 32);
  v128.store(dst, c3, 48);
  v128.store(dst, c4, 64);
  v128.store(dst, c5, 80);
  v128.store(dst, c6, 96);
  v128.store(dst, c7, 112);
}

export function sum16(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
    c1 = madd(av, v128.load(bp, 16), c1);
    c2 = madd(av, v128.load(bp, 32), c2);
    c3 = madd(av, v128.load(bp, 48), c3);
  }
  v128.store(dst, c0);
  v128.store(dst, c1, 16);
  v128.store(dst, c2, 32);
  v128.store(dst, c3, 48);
}

export function sum12(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
    c1 = madd(av, v128.load(bp, 16), c1);
    c2 = madd(av, v128.load(bp, 32), c2);
  }
  v128.store(dst, c0);
  v128.store(dst, c1, 16);
  v128.store(dst, c2, 32);
}

export function sum8(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0), c1 = c0;
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
    c1 = madd(av, v128.load(bp, 16), c1);
  }
  v128.store(dst, c0);
  v128.store(dst, c1, 16);
}

export function sum4(dst: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32): void {
  let c0 = f32x4.splat(0);
  for (let q = 0; q < cnt; q++) {
    const av = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    c0 = madd(av, v128.load(bp), c0);
  }
  v128.store(dst, c0);
}
