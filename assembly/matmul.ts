/**
 * Matrix products for the engine's three shape classes, float32, row-major, pointers into linear memory.
 * Each call computes the output rows [r0, r1): threads split a product by output rows, and since every
 * output element is summed in the same order (ascending k) whatever the split, results do not depend on
 * the thread count.
 *
 * Zero-skipping: a row of op(a) is first compressed to its nonzero entries (exact, for finite b: 0 * b adds
 * nothing), then the output row is accumulated from those b rows in column blocks held in registers.
 * About 81% of MNIST pixels and half to three quarters of ReLU/dropout outputs are zero.
 */
import { madd } from './madd';

/** out[m,n] rows [r0,r1) = (accumulate ? out : 0) + a[m,k] · b[k,n]. scratch: 8k + 16 bytes. */
export function matmulNN(
  out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, accumulate: bool, r0: i32, r1: i32, scratch: usize,
): void {
  const nzOff = scratch; // i32[k]: byte offset of b's row p, for each nonzero a[i,p]
  const nzVal = scratch + (<usize>k << 2) + 16; // f32[k]: a[i,p] (16 bytes of slack after nzOff's last entry)
  const zero = f32x4.splat(0);
  const rowBytes = n << 2;
  for (let i = r0; i < r1; i++) {
    const arow = a + (<usize>(i * k) << 2);
    let cnt = 0;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const v = v128.load(arow + (<usize>p << 2));
      const mask = i32x4.bitmask(f32x4.ne(v, zero));
      if (mask == 0) continue; // runs of zero pixels (image borders) are long: predictable
      // Branch-free compaction: write every lane, advance past the nonzero ones only.
      const off = p * rowBytes;
      let q = <usize>cnt << 2;
      store<i32>(nzOff + q, off);
      store<f32>(nzVal + q, f32x4.extract_lane(v, 0));
      cnt += mask & 1;
      q = <usize>cnt << 2;
      store<i32>(nzOff + q, off + rowBytes);
      store<f32>(nzVal + q, f32x4.extract_lane(v, 1));
      cnt += (mask >> 1) & 1;
      q = <usize>cnt << 2;
      store<i32>(nzOff + q, off + 2 * rowBytes);
      store<f32>(nzVal + q, f32x4.extract_lane(v, 2));
      cnt += (mask >> 2) & 1;
      q = <usize>cnt << 2;
      store<i32>(nzOff + q, off + 3 * rowBytes);
      store<f32>(nzVal + q, f32x4.extract_lane(v, 3));
      cnt += mask >> 3;
    }
    for (; p < k; p++) {
      const v = load<f32>(arow + (<usize>p << 2));
      const q = <usize>cnt << 2;
      store<i32>(nzOff + q, p * rowBytes);
      store<f32>(nzVal + q, v);
      cnt += i32(v != 0);
    }
    rowFromNonzeros(out + (<usize>(i * n) << 2), b, n, nzOff, nzVal, cnt, accumulate);
  }
}

/** Bytes of scratch matmulTN needs for its part of c output rows (a's columns) with inner dimension k. */
export function matmulTNScratchBytes(k: i32, c: i32): i32 {
  return 8 * (k + 1) * (c + 4) + 4 * (c + 8) + 64;
}

/**
 * out[m,n] rows [r0,r1) = (accumulate ? out : 0) + a^T · b, a stored [k,m], b [k,n]. Output row i needs
 * column i of a: the columns [r0,r1) are compressed once, row by row (ascending p, so each column's
 * nonzeros come out in ascending p), into per-column lists (a counting sort), then each output row is
 * accumulated from its list. scratch: matmulTNScratchBytes(k, r1 - r0).
 */
export function matmulTN(
  out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, accumulate: bool, r0: i32, r1: i32, scratch: usize,
): void {
  const c = r1 - r0;
  if (c <= 0) return;
  const nzOff = columnLists(a, m, k, r0, r1, scratch, n << 2);
  const nzVal = nzOff + (<usize>(k + 1) * <usize>(c + 4) << 2);
  // cursor[j] now ends column j's list; column j + 1's starts after the slack slot that follows.
  let begin = 0;
  for (let j = 0; j < c; j++) {
    const end = load<i32>(scratch + (<usize>j << 2));
    const q = <usize>begin << 2;
    rowFromNonzeros(out + (<usize>((r0 + j) * n) << 2), b, n, nzOff + q, nzVal + q, end - begin, accumulate);
    begin = end + 1;
  }
}

/**
 * A dense layer's weight gradient and plain SGD step in one pass, rows [r0,r1) of w[m,n]:
 *   w -= lr * (x^T · dy), x stored [k,m], dy [k,n],
 * exactly matmulTN(g, x, dy, ...) then sgdStep(w, g, 0, lr, 0, 0, ...): each row's gradient is summed in
 * registers as matmulTN sums it, then stepped as sgdStep steps it, never stored. Rows whose column of x is all zero
 * have a zero gradient and are left as they are, unread: with batch 1 on MNIST that is 81% of W1.
 * scratch: matmulTNScratchBytes(k, r1 - r0).
 */
export function denseSgdStep(
  w: usize, x: usize, dy: usize, m: i32, k: i32, n: i32, lr: f64, r0: i32, r1: i32, scratch: usize,
): void {
  const c = r1 - r0;
  if (c <= 0) return;
  if (k == 1) {
    // One example (the chapter's SGD): x is one row; each nonzero x[i] is a one-entry list.
    store<i32>(scratch, 0);
    const zero = f32x4.splat(0);
    let i = r0;
    for (; i + 4 <= r1; i += 4) {
      const mask = i32x4.bitmask(f32x4.ne(v128.load(x + (<usize>i << 2)), zero));
      if (mask == 0) continue;
      for (let l = 0; l < 4; l++) if ((mask >> l) & 1) stepRowOne(w, x, dy, n, lr, i + l, scratch);
    }
    for (; i < r1; i++) if (load<f32>(x + (<usize>i << 2)) != 0) stepRowOne(w, x, dy, n, lr, i, scratch);
    return;
  }
  const nzOff = columnLists(x, m, k, r0, r1, scratch, n << 2);
  const slots = <usize>(k + 1) * <usize>(c + 4);
  const nzVal = nzOff + (slots << 2);
  let begin = 0;
  for (let j = 0; j < c; j++) {
    const end = load<i32>(scratch + (<usize>j << 2));
    if (end > begin) {
      const q = <usize>begin << 2;
      rowFromNonzeros(w + (<usize>((r0 + j) * n) << 2), dy, n, nzOff + q, nzVal + q, end - begin, false, true, lr);
    }
    begin = end + 1;
  }
}

/** w row i -= lr * x[i] * dy[n], the one-example case of denseSgdStep; scratch holds the list's offset 0. */
// @ts-ignore: decorator
@inline function stepRowOne(w: usize, x: usize, dy: usize, n: i32, lr: f64, i: i32, scratch: usize): void {
  const xi = x + (<usize>i << 2);
  rowFromNonzeros(w + (<usize>(i * n) << 2), dy, n, scratch, xi, 1, false, true, lr);
}

/**
 * Compresses columns [r0,r1) of a[k,m], row by row (ascending p, so each column's nonzeros come out in
 * ascending p), into per-column lists (a counting sort) of (p * rowBytes, a[p,i]). Column j (= i - r0) owns
 * entries [start[j] + j, cursor[j]) where cursor = scratch (i32[c]) ends up holding each list's end; one
 * slot of slack each, for branch-free writes. Returns the address of the offsets; the values follow
 * (k + 1) * (c + 4) slots later.
 */
// @ts-ignore: decorator
@inline function columnLists(a: usize, m: i32, k: i32, r0: i32, r1: i32, scratch: usize, rowBytes: i32): usize {
  const c = r1 - r0;
  const cursor = scratch; // i32[c]: counts, then start positions, then write positions
  const nzOff = (cursor + (<usize>(c + 8) << 2) + 15) & ~15;
  const slots = <usize>(k + 1) * <usize>(c + 4);
  const nzVal = nzOff + (slots << 2);
  const zero = f32x4.splat(0);
  memory.fill(cursor, 0, <usize>c << 2);
  for (let p = 0; p < k; p++) {
    const arow = a + (<usize>(p * m + r0) << 2);
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const mask = i32x4.bitmask(f32x4.ne(v128.load(arow + (<usize>j << 2)), zero));
      if (mask == 0) continue;
      const cp = cursor + (<usize>j << 2);
      store<i32>(cp, load<i32>(cp) + (mask & 1));
      store<i32>(cp, load<i32>(cp, 4) + ((mask >> 1) & 1), 4);
      store<i32>(cp, load<i32>(cp, 8) + ((mask >> 2) & 1), 8);
      store<i32>(cp, load<i32>(cp, 12) + (mask >> 3), 12);
    }
    for (; j < c; j++) {
      const cp = cursor + (<usize>j << 2);
      store<i32>(cp, load<i32>(cp) + i32(load<f32>(arow + (<usize>j << 2)) != 0));
    }
  }
  // counts -> start positions (with one slack slot per column)
  let total = 0;
  for (let j = 0; j < c; j++) {
    const cp = cursor + (<usize>j << 2);
    const count = load<i32>(cp);
    store<i32>(cp, total);
    total += count + 1;
  }
  for (let p = 0; p < k; p++) {
    const arow = a + (<usize>(p * m + r0) << 2);
    const off = p * rowBytes;
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const v = v128.load(arow + (<usize>j << 2));
      const mask = i32x4.bitmask(f32x4.ne(v, zero));
      if (mask == 0) continue;
      const cp = cursor + (<usize>j << 2);
      appendEntry(cp, nzOff, nzVal, off, f32x4.extract_lane(v, 0), mask & 1);
      appendEntry(cp + 4, nzOff, nzVal, off, f32x4.extract_lane(v, 1), (mask >> 1) & 1);
      appendEntry(cp + 8, nzOff, nzVal, off, f32x4.extract_lane(v, 2), (mask >> 2) & 1);
      appendEntry(cp + 12, nzOff, nzVal, off, f32x4.extract_lane(v, 3), mask >> 3);
    }
    for (; j < c; j++) {
      const v = load<f32>(arow + (<usize>j << 2));
      appendEntry(cursor + (<usize>j << 2), nzOff, nzVal, off, v, i32(v != 0));
    }
  }
  return nzOff;
}

/** Writes (off, v) at column list position cursor[0] and moves it on when keep is 1. */
// @ts-ignore: decorator
@inline function appendEntry(cp: usize, nzOff: usize, nzVal: usize, off: i32, v: f32, keep: i32): void {
  const pos = load<i32>(cp);
  const q = <usize>pos << 2;
  store<i32>(nzOff + q, off);
  store<f32>(nzVal + q, v);
  store<i32>(cp, pos + keep);
}

/**
 * out[cols,rows] = a[rows,cols]^T (a product with transB runs as one without, on b transposed): 4x4 blocks
 * through registers, then the edges one by one.
 */
export function transpose(out: usize, a: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  const outRowBytes = <usize>rows << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = a + <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const p = a0 + (<usize>c << 2);
      const x0 = v128.load(p), x1 = v128.load(p + rowBytes), x2 = v128.load(p + 2 * rowBytes), x3 = v128.load(p + 3 * rowBytes);
      const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5); // a00 a10 a01 a11
      const t1 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5); // a20 a30 a21 a31
      const t2 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7); // a02 a12 a03 a13
      const t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7); // a22 a32 a23 a33
      const o = out + <usize>c * outRowBytes + (<usize>r << 2);
      v128.store(o, v128.shuffle<i64>(t0, t1, 0, 2));
      v128.store(o + outRowBytes, v128.shuffle<i64>(t0, t1, 1, 3));
      v128.store(o + 2 * outRowBytes, v128.shuffle<i64>(t2, t3, 0, 2));
      v128.store(o + 3 * outRowBytes, v128.shuffle<i64>(t2, t3, 1, 3));
    }
    for (; c < cols; c++) {
      for (let i = 0; i < 4; i++) store<f32>(out + <usize>c * outRowBytes + (<usize>(r + i) << 2), load<f32>(a0 + <usize>i * rowBytes + (<usize>c << 2)));
    }
  }
  for (; r < rows; r++) {
    const arow = a + <usize>r * rowBytes;
    for (let c = 0; c < cols; c++) store<f32>(out + (<usize>(c * rows + r) << 2), load<f32>(arow + (<usize>c << 2)));
  }
}

/**
 * orow[n] = (accumulate ? orow : 0) + sum over q < cnt of nzVal[q] * (b row at byte offset nzOff[q]), summed in
 * q order: 32 columns at a time in eight registers, then 4 at a time, then one. With step (a constant, so
 * inlining removes the other branch), the row sum is a gradient g instead and orow takes the SGD step
 * orow -= lr * g straight from the registers, rounded as sgdStep rounds it.
 */
// @ts-ignore: decorator
@inline function rowFromNonzeros(
  orow: usize, b: usize, n: i32, nzOff: usize, nzVal: usize, cnt: i32, accumulate: bool, step: bool = false, lr: f64 = 0,
): void {
  const vlr = f64x2.splat(lr);
  // With 4 to 31 columns left over, the last 32-wide block takes four more in a ninth register (n = 100:
  // blocks of 32, 32 and 36): a pass of its own for four columns would wait on one register's chain of
  // multiply-adds. Each column's sum is the same either way.
  const wideLast = n >= 36 && (n & 31) >= 4;
  const blocksEnd = wideLast ? n - (n & 31) - 32 : n;
  let j = 0;
  for (; j + 32 <= blocksEnd; j += 32) block32(orow + (<usize>j << 2), b + (<usize>j << 2), nzOff, nzVal, cnt, accumulate, step, vlr, false);
  if (wideLast) {
    block32(orow + (<usize>j << 2), b + (<usize>j << 2), nzOff, nzVal, cnt, accumulate, step, vlr, true);
    j += 36;
  }
  for (; j + 4 <= n; j += 4) {
    const bj = b + (<usize>j << 2);
    let c0 = f32x4.splat(0);
    for (let q = 0; q < cnt; q++) {
      const av = v128.load32_splat(nzVal + (<usize>q << 2));
      c0 = madd(av, v128.load(bj + <usize>load<i32>(nzOff + (<usize>q << 2))), c0);
    }
    const op = orow + (<usize>j << 2);
    if (step) {
      sgdStep4(op, c0, vlr);
      continue;
    }
    if (accumulate) c0 = f32x4.add(v128.load(op), c0);
    v128.store(op, c0);
  }
  for (; j < n; j++) {
    const bj = b + (<usize>j << 2);
    let s: f32 = 0;
    for (let q = 0; q < cnt; q++) {
      s += load<f32>(nzVal + (<usize>q << 2)) * load<f32>(bj + <usize>load<i32>(nzOff + (<usize>q << 2)));
    }
    const op = orow + (<usize>j << 2);
    if (step) store<f32>(op, <f32>(<f64>load<f32>(op) - lr * <f64>s));
    else store<f32>(op, accumulate ? load<f32>(op) + s : s);
  }
}

/**
 * rowFromNonzeros' 32 columns at a time (36 with wide: a ninth register): op = orow + the block's first
 * column, bj = b + the same; every column summed in q order through madd, then stored or stepped.
 */
// @ts-ignore: decorator
@inline function block32(
  op: usize, bj: usize, nzOff: usize, nzVal: usize, cnt: i32, accumulate: bool, step: bool, vlr: v128, wide: bool,
): void {
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
    if (wide) c8 = madd(av, v128.load(bp, 128), c8);
  }
  if (step) {
    sgdStep4(op, c0, vlr);
    sgdStep4(op + 16, c1, vlr);
    sgdStep4(op + 32, c2, vlr);
    sgdStep4(op + 48, c3, vlr);
    sgdStep4(op + 64, c4, vlr);
    sgdStep4(op + 80, c5, vlr);
    sgdStep4(op + 96, c6, vlr);
    sgdStep4(op + 112, c7, vlr);
    if (wide) sgdStep4(op + 128, c8, vlr);
    return;
  }
  if (accumulate) {
    c0 = f32x4.add(v128.load(op), c0);
    c1 = f32x4.add(v128.load(op, 16), c1);
    c2 = f32x4.add(v128.load(op, 32), c2);
    c3 = f32x4.add(v128.load(op, 48), c3);
    c4 = f32x4.add(v128.load(op, 64), c4);
    c5 = f32x4.add(v128.load(op, 80), c5);
    c6 = f32x4.add(v128.load(op, 96), c6);
    c7 = f32x4.add(v128.load(op, 112), c7);
    if (wide) c8 = f32x4.add(v128.load(op, 128), c8);
  }
  v128.store(op, c0);
  v128.store(op, c1, 16);
  v128.store(op, c2, 32);
  v128.store(op, c3, 48);
  v128.store(op, c4, 64);
  v128.store(op, c5, 80);
  v128.store(op, c6, 96);
  v128.store(op, c7, 112);
  if (wide) v128.store(op, c8, 128);
}

/** w[4] -= lr * g[4] in float64, each rounded once to float32: sgdStep's plain step on four lanes. */
// @ts-ignore: decorator
@inline function sgdStep4(wp: usize, g: v128, vlr: v128): void {
  const lo = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(wp)), f64x2.mul(vlr, f64x2.promote_low_f32x4(g)));
  const gh = v128.shuffle<i32>(g, g, 2, 3, 0, 1);
  const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(wp, 8)), f64x2.mul(vlr, f64x2.promote_low_f32x4(gh)));
  v128.store64_lane(wp, f32x4.demote_f64x2_zero(lo), 0);
  v128.store64_lane(wp, f32x4.demote_f64x2_zero(hi), 0, 8);
}
