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
import { addRow, sgdStep4, stepRow, sumListRows } from './rowsum';

/** Rows of a compressed together before their sums (see rowsum.ts: a group's rows of b are reused from L1); threads split
 * a product into whole groups (NN_ROW_GROUP in src/backend/wasm/tasks.ts, the same number). */
const GROUP = 8;
/** Bytes for GROUP counts, a multiple of 64. */
const COUNT_BYTES: usize = (GROUP * 4 + 63) & ~63;

/** Bytes of scratch matmulNN needs for inner dimension k and n columns, 16-byte aligned. */
export function matmulNNScratchBytes(k: i32, n: i32): i32 {
  return <i32>(LEFT_PACK_BYTES + COUNT_BYTES) + GROUP * 8 * (k + 4) + GROUP * 4 * n + 32;
}

/**
 * out[m,n] rows [r0,r1) = (accumulate ? out : 0) + a[m,k] · b[k,n]. Rows of a are compressed to lists of their
 * nonzeros, GROUP at a time, then summed. scratch: matmulNNScratchBytes(k, n), 16-byte aligned.
 */
export function matmulNN(
  out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, accumulate: bool, r0: i32, r1: i32, scratch: usize,
): void {
  const packs = leftPackTable(scratch);
  const cnts = scratch + LEFT_PACK_BYTES; // i32[GROUP]
  const lists = cnts + COUNT_BYTES; // per row: i32[k + 4] byte offsets of b's rows, then f32[k + 4] values of a
  const half = (<usize>k + 4) << 2;
  const listBytes = half << 1;
  const tmp = lists + listBytes * GROUP; // f32[GROUP][n]: sums that are added
  const zero = f32x4.splat(0);
  const rowBytes = n << 2;
  const laneOffs = i32x4(0, rowBytes, 2 * rowBytes, 3 * rowBytes);
  const step4 = i32x4.splat(4 * rowBytes);
  for (let i0 = r0; i0 < r1; i0 += GROUP) {
    const g = min(GROUP, r1 - i0);
    for (let r = 0; r < g; r++) {
      const nzOff = lists + <usize>r * listBytes;
      const nzVal = nzOff + half;
      const arow = a + (<usize>((i0 + r) * k) << 2);
      let cnt = 0;
      let p = 0;
      // Sixteen entries at a time: one test skips sixteen zeros (image borders come in long runs, so it is
      // predictable); otherwise the four groups are packed without branches (a group of zeros packs nothing):
      // inside a digit, zero and nonzero groups alternate too irregularly to predict.
      for (; p + 16 <= k; p += 16) {
        const ap = arow + (<usize>p << 2);
        const v0 = v128.load(ap), v1 = v128.load(ap, 16), v2 = v128.load(ap, 32), v3 = v128.load(ap, 48);
        const m0 = f32x4.ne(v0, zero), m1 = f32x4.ne(v1, zero), m2 = f32x4.ne(v2, zero), m3 = f32x4.ne(v3, zero);
        if (!v128.any_true(v128.or(v128.or(m0, m1), v128.or(m2, m3)))) continue;
        const vo = i32x4.add(i32x4.splat(p * rowBytes), laneOffs);
        cnt = leftPack(nzOff, nzVal, cnt, v0, vo, i32x4.bitmask(m0), packs);
        cnt = leftPack(nzOff, nzVal, cnt, v1, i32x4.add(vo, step4), i32x4.bitmask(m1), packs);
        cnt = leftPack(nzOff, nzVal, cnt, v2, i32x4.add(vo, i32x4.add(step4, step4)), i32x4.bitmask(m2), packs);
        cnt = leftPack(nzOff, nzVal, cnt, v3, i32x4.add(vo, i32x4.add(step4, i32x4.add(step4, step4))), i32x4.bitmask(m3), packs);
      }
      for (; p + 4 <= k; p += 4) {
        const v = v128.load(arow + (<usize>p << 2));
        cnt = leftPack(nzOff, nzVal, cnt, v, i32x4.add(i32x4.splat(p * rowBytes), laneOffs), i32x4.bitmask(f32x4.ne(v, zero)), packs);
      }
      for (; p < k; p++) cnt = appendOne(nzOff, nzVal, cnt, load<f32>(arow + (<usize>p << 2)), p * rowBytes);
      store<i32>(cnts + (<usize>r << 2), cnt);
    }
    const orow = out + (<usize>(i0 * n) << 2);
    if (!accumulate) {
      sumListRows(orow, rowBytes, b, n, lists, lists + half, listBytes, cnts, g);
      continue;
    }
    sumListRows(tmp, rowBytes, b, n, lists, lists + half, listBytes, cnts, g);
    for (let r = 0; r < g; r++) addRow(orow + <usize>r * rowBytes, tmp + <usize>r * rowBytes, n);
  }
}

/** Bytes of scratch matmulTN needs for its part of c output rows (a's columns) with inner dimension k. */
export function matmulTNScratchBytes(k: i32, c: i32, n: i32): i32 {
  return tnListBytes(k, c) + 4 * n + 32;
}

/** Bytes of matmulTN's scratch before its row of sums (which starts 16-byte aligned). */
// @ts-ignore: decorator
@inline function tnListBytes(k: i32, c: i32): i32 {
  return (8 * (k + 1) * (c + 4) + 4 * (c + 8) + 64 + 15) & ~15;
}

/**
 * out[m,n] rows [r0,r1) = (accumulate ? out : 0) + a^T · b, a stored [k,m], b [k,n]. Output row i needs
 * column i of a: the columns [r0,r1) are compressed once, row by row (ascending p, so each column's
 * nonzeros come out in ascending p), into per-column lists (a counting sort), then each output row is
 * accumulated from its list. scratch: matmulTNScratchBytes(k, r1 - r0, n), 16-byte aligned.
 */
export function matmulTN(
  out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, accumulate: bool, r0: i32, r1: i32, scratch: usize,
): void {
  const c = r1 - r0;
  if (c <= 0) return;
  const nzOff = columnLists(a, m, k, r0, r1, scratch, n << 2);
  const nzVal = nzOff + (<usize>(k + 1) * <usize>(c + 4) << 2);
  const tmp = (scratch + <usize>tnListBytes(k, c) + 15) & ~15; // f32[n]: a row's sums when they are added
  const cntSlot = tmp + (<usize>n << 2);
  // cursor[j] now ends column j's list; column j + 1's starts after the slack slot that follows.
  let begin = 0;
  for (let j = 0; j < c; j++) {
    const end = load<i32>(scratch + (<usize>j << 2));
    const q = <usize>begin << 2;
    store<i32>(cntSlot, end - begin);
    const orow = out + (<usize>((r0 + j) * n) << 2);
    sumListRows(accumulate ? tmp : orow, 0, b, n, nzOff + q, nzVal + q, 0, cntSlot, 1);
    if (accumulate) addRow(orow, tmp, n);
    begin = end + 1;
  }
}

/**
 * A dense layer's weight gradient and plain SGD step in one pass, rows [r0,r1) of w[m,n]:
 *   w -= lr * (x^T · dy), x stored [k,m], dy [k,n],
 * exactly matmulTN(g, x, dy, ...) then sgdStep(w, g, 0, lr, 0, 0, ...): each row's gradient is summed in
 * registers as matmulTN sums it, then stepped as sgdStep steps it, never stored. Rows whose column of x is all zero
 * have a zero gradient and are left as they are, unread: with batch 1 on MNIST that is 81% of the first layer's
 * weight rows.
 * scratch: denseSgdStepScratchBytes(k, n), 16-byte aligned.
 */
export function denseSgdStep(
  w: usize, x: usize, dy: usize, m: i32, k: i32, n: i32, lr: f64, r0: i32, r1: i32, scratch: usize,
): void {
  const c = r1 - r0;
  if (c <= 0) return;
  if (k == 1) {
    // One example (the chapter's SGD): x is one row; each nonzero x[i] is a one-entry list.
    const zero = f32x4.splat(0);
    let i = r0;
    for (; i + 4 <= r1; i += 4) {
      const mask = i32x4.bitmask(f32x4.ne(v128.load(x + (<usize>i << 2)), zero));
      if (mask == 0) continue;
      for (let l = 0; l < 4; l++) if ((mask >> l) & 1) stepRowOne(w, x, dy, n, lr, i + l);
    }
    for (; i < r1; i++) if (load<f32>(x + (<usize>i << 2)) != 0) stepRowOne(w, x, dy, n, lr, i);
    return;
  }
  // Columns of x four at a time: 4x4 blocks of x (four examples, four columns) are transposed in registers and
  // each column's nonzeros appended to its list, in ascending example order; then each list is summed and
  // stepped. Blocks of four examples whose sixteen values are all zero (image borders) cost one test.
  const packs = leftPackTable(scratch);
  const cnts = scratch + LEFT_PACK_BYTES; // i32[4]
  const stride = <usize>k + 4;
  const offs = cnts + 64; // i32[4][k + 4]: byte offsets of dy rows, per column
  const vals = offs + (stride << 4); // f32[4][k + 4]
  const tmp = (vals + (stride << 4) + 15) & ~15; // f32[4][n]: the four rows' gradients
  const xRow = <usize>m << 2;
  const dyRow = n << 2;
  const zero = f32x4.splat(0);
  const laneOffs = i32x4(0, dyRow, 2 * dyRow, 3 * dyRow);
  let i = r0;
  for (; i + 4 <= r1; i += 4) {
    const x0 = x + (<usize>i << 2);
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    let e = 0;
    for (; e + 4 <= k; e += 4) {
      const p = x0 + <usize>e * xRow;
      const a0 = v128.load(p), a1 = v128.load(p + xRow), a2 = v128.load(p + 2 * xRow), a3 = v128.load(p + 3 * xRow);
      if (!v128.any_true(v128.or(v128.or(a0, a1), v128.or(a2, a3)))) continue;
      const t0 = v128.shuffle<i32>(a0, a1, 0, 4, 1, 5); // x[e][i] x[e+1][i] x[e][i+1] x[e+1][i+1]
      const t1 = v128.shuffle<i32>(a2, a3, 0, 4, 1, 5);
      const t2 = v128.shuffle<i32>(a0, a1, 2, 6, 3, 7);
      const t3 = v128.shuffle<i32>(a2, a3, 2, 6, 3, 7);
      const vo = i32x4.add(i32x4.splat(e * dyRow), laneOffs);
      c0 = appendFour(offs, vals, c0, v128.shuffle<i64>(t0, t1, 0, 2), vo, zero, packs);
      c1 = appendFour(offs + (stride << 2), vals + (stride << 2), c1, v128.shuffle<i64>(t0, t1, 1, 3), vo, zero, packs);
      c2 = appendFour(offs + (stride << 3), vals + (stride << 3), c2, v128.shuffle<i64>(t2, t3, 0, 2), vo, zero, packs);
      c3 = appendFour(offs + stride * 12, vals + stride * 12, c3, v128.shuffle<i64>(t2, t3, 1, 3), vo, zero, packs);
    }
    for (; e < k; e++) {
      const v = v128.load(x0 + <usize>e * xRow);
      const off = e * dyRow;
      c0 = appendOne(offs, vals, c0, f32x4.extract_lane(v, 0), off);
      c1 = appendOne(offs + (stride << 2), vals + (stride << 2), c1, f32x4.extract_lane(v, 1), off);
      c2 = appendOne(offs + (stride << 3), vals + (stride << 3), c2, f32x4.extract_lane(v, 2), off);
      c3 = appendOne(offs + stride * 12, vals + stride * 12, c3, f32x4.extract_lane(v, 3), off);
    }
    if ((c0 | c1 | c2 | c3) == 0) continue;
    store<i32>(cnts, c0);
    store<i32>(cnts, c1, 4);
    store<i32>(cnts, c2, 8);
    store<i32>(cnts, c3, 12);
    sumListRows(tmp, <usize>dyRow, dy, n, offs, vals, stride << 2, cnts, 4);
    const w0 = w + (<usize>(i * n) << 2);
    const wRow = <usize>dyRow;
    if (c0 > 0) stepRow(w0, tmp, n, lr);
    if (c1 > 0) stepRow(w0 + wRow, tmp + wRow, n, lr);
    if (c2 > 0) stepRow(w0 + 2 * wRow, tmp + 2 * wRow, n, lr);
    if (c3 > 0) stepRow(w0 + 3 * wRow, tmp + 3 * wRow, n, lr);
  }
  for (; i < r1; i++) {
    let c0 = 0;
    for (let e = 0; e < k; e++) c0 = appendOne(offs, vals, c0, load<f32>(x + (<usize>e * xRow) + (<usize>i << 2)), e * dyRow);
    if (c0 == 0) continue;
    store<i32>(cnts, c0);
    sumListRows(tmp, 0, dy, n, offs, vals, 0, cnts, 1);
    stepRow(w + (<usize>(i * n) << 2), tmp, n, lr);
  }
}

/** Bytes of scratch denseSgdStep needs for k examples and n outputs (four lists of k entries, a row of sums). */
export function denseSgdStepScratchBytes(k: i32, n: i32): i32 {
  return <i32>LEFT_PACK_BYTES + 64 + 32 * (k + 4) + 16 * n + 48;
}

/**
 * Appends the nonzero lanes of v (x values of four examples, their dy rows at the byte offsets in vo) to a list
 * at offs/vals holding cnt entries; returns the new count (the list has four slots of slack).
 */
// @ts-ignore: decorator
@inline function appendFour(offs: usize, vals: usize, cnt: i32, v: v128, vo: v128, zero: v128, packs: usize): i32 {
  return leftPack(offs, vals, cnt, v, vo, i32x4.bitmask(f32x4.ne(v, zero)), packs);
}

/**
 * Bytes of v by the indices in pattern: a single pshufb with relaxed SIMD (which may leave anything in lanes whose
 * index is out of range; leftPack never reads those lanes), else swizzle's exact zeros.
 */
// @ts-ignore: decorator
@inline function pick(v: v128, pattern: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i8x16.relaxed_swizzle(v, pattern);
  return i8x16.swizzle(v, pattern);
}

/** Bytes of leftPackTable's table: sixteen shuffles of 16 bytes. */
const LEFT_PACK_BYTES: usize = 256;

/**
 * Writes at t the sixteen byte shuffles that move the float32 lanes set in a 4-bit mask to the front, in lane
 * order (the other lanes get zeros); returns t. 256 bytes, rewritten by each call that uses it (a part's
 * scratch is its own), cheaper than keeping data in a memory the kernels do not own.
 */
// @ts-ignore: decorator
@inline function leftPackTable(t: usize): usize {
  for (let mask = 0; mask < 16; mask++) {
    const row = t + (<usize>mask << 4);
    let j = 0;
    for (let lane = 0; lane < 4; lane++) {
      if (((mask >> lane) & 1) == 0) continue;
      store<u32>(row + (<usize>j << 2), 0x03020100 + 0x04040404 * <u32>lane);
      j++;
    }
    for (; j < 4; j++) store<u32>(row + (<usize>j << 2), 0x80808080);
  }
  return t;
}

/**
 * Appends the lanes of v set in mask (and the same lanes of the offsets vo) to a list at offs/vals holding cnt
 * entries, in lane order, with one shuffle and one 16-byte store each; returns the new count. The stores run
 * past the new end by up to 12 bytes: lists keep 16 bytes of slack.
 */
// @ts-ignore: decorator
@inline function leftPack(offs: usize, vals: usize, cnt: i32, v: v128, vo: v128, mask: i32, packs: usize): i32 {
  const pattern = v128.load(packs + (<usize>mask << 4));
  const q = <usize>cnt << 2;
  v128.store(vals + q, pick(v, pattern));
  v128.store(offs + q, pick(vo, pattern));
  return cnt + popcnt(mask);
}

/** appendFour for one value. */
// @ts-ignore: decorator
@inline function appendOne(offs: usize, vals: usize, cnt: i32, v: f32, off: i32): i32 {
  const q = <usize>cnt << 2;
  store<i32>(offs + q, off);
  store<f32>(vals + q, v);
  return cnt + i32(v != 0);
}

/**
 * w row i -= lr * x[i] * dy[n], the one-example case of denseSgdStep: each gradient is 0 + x[i] * dy[j], rounded
 * as sumListRows rounds a one-entry sum.
 */
// @ts-ignore: decorator
@inline function stepRowOne(w: usize, x: usize, dy: usize, n: i32, lr: f64, i: i32): void {
  const xi = x + (<usize>i << 2);
  const av = v128.load32_splat(xi);
  const wrow = w + (<usize>(i * n) << 2);
  const vlr = f64x2.splat(lr);
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) sgdStep4(wrow + (<usize>j << 2), madd(av, v128.load(dy + (<usize>j << 2)), zero), vlr);
  const x0 = load<f32>(xi);
  for (; j < n; j++) {
    const s: f32 = <f32>0 + x0 * load<f32>(dy + (<usize>j << 2));
    const wp = wrow + (<usize>j << 2);
    store<f32>(wp, <f32>(<f64>load<f32>(wp) - lr * <f64>s));
  }
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
