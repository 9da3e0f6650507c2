/**
 * The float32 weight step of perExampleSgd (assembly/per-example.ts) on the rows of a layer's input list:
 * w[row][j] = fl32(w[row][j] - fl32(x * ld[j])) for each entry (row offset, x) of the list, a float32 multiply
 * then a float32 subtract (never fused), the same arithmetic as stepRow32 element for element.
 *
 * Columns go in blocks as sumListRows's (n = 100: 48 then 52 columns), each block a function of its own with
 * its ld held in registers across the rows (exported so that Binaryen does not inline it: see rowsum.ts).
 */
import { loadTail, storeTail } from './rowsum';

/** Vectors (of four columns) in the next block when `left` are left: 13, 12, or at most 11 (the generic loop). */
// @ts-ignore: decorator
@inline function blockWidth(left: i32): i32 {
  if (left >= 12) return left == 13 ? 13 : 12;
  return left;
}

/** w [?, n] rows of the list (offs: byte offsets of rows, vals: x; cnt entries) stepped by ld [n]. */
export function stepListRows(w: usize, n: i32, offs: usize, vals: usize, cnt: i32, ld: usize): void {
  if (n < 16) {
    stepNarrow(w, n, offs, vals, cnt, ld);
    return;
  }
  let j = 0;
  let left = n >> 2;
  while (left > 0) {
    const v = blockWidth(left);
    const col = <usize>j << 4;
    if (v == 13) step52(w + col, offs, vals, cnt, ld + col);
    else if (v == 12) step48(w + col, offs, vals, cnt, ld + col);
    else {
      for (let q = 0; q < cnt; q++) {
        const xv = v128.load32_splat(vals + (<usize>q << 2));
        const bp = w + col + <usize>load<i32>(offs + (<usize>q << 2));
        for (let i = 0; i < v; i++) {
          const o = <usize>i << 4;
          v128.store(bp + o, f32x4.sub(v128.load(bp + o), f32x4.mul(xv, v128.load(ld + col + o))));
        }
      }
    }
    j += v;
    left -= v;
  }
  const c0 = <usize>(n & ~3) << 2;
  if ((n & 3) == 0) return;
  for (let q = 0; q < cnt; q++) {
    const x = load<f32>(vals + (<usize>q << 2));
    const bp = w + <usize>load<i32>(offs + (<usize>q << 2));
    for (let c = c0; c < (<usize>n << 2); c += 4) store<f32>(bp + c, load<f32>(bp + c) - x * load<f32>(ld + c));
  }
}

/**
 * stepListRows for fewer than 16 columns (a network's last layer: 10) in one pass over the list: ld in
 * registers, the last one to three columns in lanes of one more vector, each
 * weight's step the same multiply and subtract.
 */
export function stepNarrow(w: usize, n: i32, offs: usize, vals: usize, cnt: i32, ld: usize): void {
  // Ten columns (MNIST's classes) with the widths known to the compiler.
  if (n == 10) narrowSteps(w, 2, 2, offs, vals, cnt, ld);
  else narrowSteps(w, n >> 2, n & 3, offs, vals, cnt, ld);
}

/** stepNarrow of v vectors and t more columns. */
// @ts-ignore: decorator
@inline function narrowSteps(w: usize, v: i32, t: i32, offs: usize, vals: usize, cnt: i32, ld: usize): void {
  const tailAt = <usize>v << 4;
  const zero = f32x4.splat(0);
  const l0 = v >= 1 ? v128.load(ld) : zero, l1 = v >= 2 ? v128.load(ld, 16) : zero, l2 = v >= 3 ? v128.load(ld, 32) : zero;
  const lt = t != 0 ? loadTail(ld + tailAt, t) : zero;
  for (let q = 0; q < cnt; q++) {
    const xv = v128.load32_splat(vals + (<usize>q << 2));
    const bp = w + <usize>load<i32>(offs + (<usize>q << 2));
    if (v >= 1) v128.store(bp, f32x4.sub(v128.load(bp), f32x4.mul(xv, l0)));
    if (v >= 2) v128.store(bp, f32x4.sub(v128.load(bp, 16), f32x4.mul(xv, l1)), 16);
    if (v >= 3) v128.store(bp, f32x4.sub(v128.load(bp, 32), f32x4.mul(xv, l2)), 32);
    if (t != 0) storeTail(bp + tailAt, f32x4.sub(loadTail(bp + tailAt, t), f32x4.mul(xv, lt)), t);
  }
}

export function step52(bj: usize, nzOff: usize, nzVal: usize, cnt: i32, ld: usize): void {
  const l0 = v128.load(ld, 0);
  const l1 = v128.load(ld, 16);
  const l2 = v128.load(ld, 32);
  const l3 = v128.load(ld, 48);
  const l4 = v128.load(ld, 64);
  const l5 = v128.load(ld, 80);
  const l6 = v128.load(ld, 96);
  const l7 = v128.load(ld, 112);
  const l8 = v128.load(ld, 128);
  const l9 = v128.load(ld, 144);
  const l10 = v128.load(ld, 160);
  const l11 = v128.load(ld, 176);
  const l12 = v128.load(ld, 192);
  for (let q = 0; q < cnt; q++) {
    const xv = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    v128.store(bp, f32x4.sub(v128.load(bp, 0), f32x4.mul(xv, l0)), 0);
    v128.store(bp, f32x4.sub(v128.load(bp, 16), f32x4.mul(xv, l1)), 16);
    v128.store(bp, f32x4.sub(v128.load(bp, 32), f32x4.mul(xv, l2)), 32);
    v128.store(bp, f32x4.sub(v128.load(bp, 48), f32x4.mul(xv, l3)), 48);
    v128.store(bp, f32x4.sub(v128.load(bp, 64), f32x4.mul(xv, l4)), 64);
    v128.store(bp, f32x4.sub(v128.load(bp, 80), f32x4.mul(xv, l5)), 80);
    v128.store(bp, f32x4.sub(v128.load(bp, 96), f32x4.mul(xv, l6)), 96);
    v128.store(bp, f32x4.sub(v128.load(bp, 112), f32x4.mul(xv, l7)), 112);
    v128.store(bp, f32x4.sub(v128.load(bp, 128), f32x4.mul(xv, l8)), 128);
    v128.store(bp, f32x4.sub(v128.load(bp, 144), f32x4.mul(xv, l9)), 144);
    v128.store(bp, f32x4.sub(v128.load(bp, 160), f32x4.mul(xv, l10)), 160);
    v128.store(bp, f32x4.sub(v128.load(bp, 176), f32x4.mul(xv, l11)), 176);
    v128.store(bp, f32x4.sub(v128.load(bp, 192), f32x4.mul(xv, l12)), 192);
  }
}

export function step48(bj: usize, nzOff: usize, nzVal: usize, cnt: i32, ld: usize): void {
  const l0 = v128.load(ld, 0);
  const l1 = v128.load(ld, 16);
  const l2 = v128.load(ld, 32);
  const l3 = v128.load(ld, 48);
  const l4 = v128.load(ld, 64);
  const l5 = v128.load(ld, 80);
  const l6 = v128.load(ld, 96);
  const l7 = v128.load(ld, 112);
  const l8 = v128.load(ld, 128);
  const l9 = v128.load(ld, 144);
  const l10 = v128.load(ld, 160);
  const l11 = v128.load(ld, 176);
  for (let q = 0; q < cnt; q++) {
    const xv = v128.load32_splat(nzVal + (<usize>q << 2));
    const bp = bj + <usize>load<i32>(nzOff + (<usize>q << 2));
    v128.store(bp, f32x4.sub(v128.load(bp, 0), f32x4.mul(xv, l0)), 0);
    v128.store(bp, f32x4.sub(v128.load(bp, 16), f32x4.mul(xv, l1)), 16);
    v128.store(bp, f32x4.sub(v128.load(bp, 32), f32x4.mul(xv, l2)), 32);
    v128.store(bp, f32x4.sub(v128.load(bp, 48), f32x4.mul(xv, l3)), 48);
    v128.store(bp, f32x4.sub(v128.load(bp, 64), f32x4.mul(xv, l4)), 64);
    v128.store(bp, f32x4.sub(v128.load(bp, 80), f32x4.mul(xv, l5)), 80);
    v128.store(bp, f32x4.sub(v128.load(bp, 96), f32x4.mul(xv, l6)), 96);
    v128.store(bp, f32x4.sub(v128.load(bp, 112), f32x4.mul(xv, l7)), 112);
    v128.store(bp, f32x4.sub(v128.load(bp, 128), f32x4.mul(xv, l8)), 128);
    v128.store(bp, f32x4.sub(v128.load(bp, 144), f32x4.mul(xv, l9)), 144);
    v128.store(bp, f32x4.sub(v128.load(bp, 160), f32x4.mul(xv, l10)), 160);
    v128.store(bp, f32x4.sub(v128.load(bp, 176), f32x4.mul(xv, l11)), 176);
  }
}
