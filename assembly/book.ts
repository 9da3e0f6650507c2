/**
 * The book's chapter-8 network (784-H-10, no biases, ReLU, optional randint(2) dropout, linear output, squared
 * error, SGD: src/book/book-model.ts) in float64 WebAssembly SIMD, a module of its own (book-simd.wasm). Its
 * numbers are the reference path's (BookNet on refBackend('float64') + skipZerosBackend) bit for bit: every
 * sum below is the chain the reference sums, in the reference's order, with no fused multiply-add. Those
 * orders are what today prints numpy's digits, so they are kept, and each is named where it is summed:
 * - a hidden unit's pre-activation: over the image's nonzero pixels in ascending order (skip-zeros.ts);
 * - an output: over the hidden units in ascending order (the skipped zeros add nothing: a sum started at +0
 *   is never -0, so adding a zero product leaves it unchanged);
 * - an example's squared error: over the 10 outputs; a batch's: over its rows, then outputs (squaredError);
 *   the epoch's: over the batches in order (the Trainer); the test set's: over chunks of EVAL_CHUNK rows,
 *   each one chain (evaluate);
 * - a hidden delta: over the 10 outputs (the reference matmul with b transposed);
 * - a weight's gradient over a batch: over the batch's rows in ascending order (skip-zeros.ts, a transposed).
 *
 * Why whole steps: the per-example step of the book (one image at a time) is tiny (about 40 k multiply-adds
 * with H = 100 on MNIST's 150 nonzero pixels), so an epoch of them is one call here: forward, error, the
 * book's backward with its quirks and the update, 1,000 times, with no call between JavaScript and
 * WebAssembly in between. Rows are stored hp = H rounded up to even doubles apart (the pad column stays 0).
 *
 * Images are kept as lists of nonzero pixels: for image i, entries [starts[i], starts[i + 1]) of offs
 * (pixel index, i32) and vals (pixel / divisor, f64); the kernels read a network's copy of offs with each
 * entry times the row's bytes, hp * 8 (rows, or pixRows: scaleOffsets), where the pixel's W01 row starts
 * (no multiply per entry in the inner loops). Pointers are byte offsets into memory.
 */
import {
  sum10, sum8, sum4, sum2, sum1, step10, step8, step4, step2, step1, stepList8, stepList4, stepList2, stepList1,
  sumList8, sumList4, sumList2, sumList1,
} from './book-rows';
import { twist } from './mt19937';

export {
  sum10, sum8, sum4, sum2, sum1, step10, step8, step4, step2, step1, stepList8, stepList4, stepList2, stepList1,
  sumList8, sumList4, sumList2, sumList1,
};

const CLASSES = 10;
const OUT_BYTES = CLASSES << 3; // a row of 10 outputs (or a row of W12), five vectors

// @ts-ignore: decorator
@inline function align16(bytes: i32): i32 {
  return (bytes + 15) & ~15;
}

/** Vectors in the next register block when `left` are left. */
// @ts-ignore: decorator
@inline function blockWidth(left: i32): i32 {
  if (left >= 10) return 10;
  if (left >= 8) return 8;
  if (left >= 4) return 4;
  if (left >= 2) return 2;
  return 1;
}

/** dst[2 nv] = sum over q in [s, e) of vals[q] * b's row at byte offset rows[q] (or dst -= lr * that sum, when step). */
function sumRow(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, nv: i32, step: bool, lr: f64): void {
  let k = 0;
  while (k < nv) {
    const v = blockWidth(nv - k);
    const o = <usize>k << 4;
    if (v == 10) sum10(dst + o, b + o, rows, vals, s, e, step, lr);
    else if (v == 8) sum8(dst + o, b + o, rows, vals, s, e, step, lr);
    else if (v == 4) sum4(dst + o, b + o, rows, vals, s, e, step, lr);
    else if (v == 2) sum2(dst + o, b + o, rows, vals, s, e, step, lr);
    else sum1(dst + o, b + o, rows, vals, s, e, step, lr);
    k += v;
  }
}

/** As sumRow (step false), on the n vectors at the byte offsets list[n] of each row only (dst's others are left as they are). */
function sumRowList(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, list: usize, n: i32): void {
  let k = 0;
  while (k < n) {
    const left = n - k;
    const l = list + (<usize>k << 2);
    if (left >= 8) {
      sumList8(dst, b, rows, vals, s, e, l);
      k += 8;
    } else if (left >= 4) {
      sumList4(dst, b, rows, vals, s, e, l);
      k += 4;
    } else if (left >= 2) {
      sumList2(dst, b, rows, vals, s, e, l);
      k += 2;
    } else {
      sumList1(dst, b, rows, vals, s, e, l);
      k += 1;
    }
  }
}

/** w's rows at byte offsets rows[q], q in [s, e): -= lr * (vals[q] * delta[2 nv]). */
function stepRows(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, nv: i32, lr: f64): void {
  let k = 0;
  while (k < nv) {
    const v = blockWidth(nv - k);
    const o = <usize>k << 4;
    if (v == 10) step10(w + o, rows, vals, s, e, delta + o, lr);
    else if (v == 8) step8(w + o, rows, vals, s, e, delta + o, lr);
    else if (v == 4) step4(w + o, rows, vals, s, e, delta + o, lr);
    else if (v == 2) step2(w + o, rows, vals, s, e, delta + o, lr);
    else step1(w + o, rows, vals, s, e, delta + o, lr);
    k += v;
  }
}

/** As stepRows, on the n vectors at the byte offsets list[n] of each row only. */
function stepRowsList(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, list: usize, n: i32, lr: f64): void {
  let k = 0;
  while (k < n) {
    const left = n - k;
    const l = list + (<usize>k << 2);
    if (left >= 8) {
      stepList8(w, rows, vals, s, e, delta, l, lr);
      k += 8;
    } else if (left >= 4) {
      stepList4(w, rows, vals, s, e, delta, l, lr);
      k += 4;
    } else if (left >= 2) {
      stepList2(w, rows, vals, s, e, delta, l, lr);
      k += 2;
    } else {
      stepList1(w, rows, vals, s, e, delta, l, lr);
      k += 1;
    }
  }
}

/**
 * One image's forward pass: pre[hp] = relu(image · W01) (the ReLU's output), l1[hp] = pre * mask (mask [hp]:
 * 0 or 2, or 0 for none: l1 = pre), y[10] = l1 · W12.
 */
function forwardRow(y: usize, l1: usize, pre: usize, w01: usize, w12: usize, hp: i32, rows: usize, vals: usize, s: i32, e: i32, mask: usize): void {
  sumRow(pre, w01, rows, vals, s, e, hp >> 1, false, 0);
  forwardOut(y, l1, pre, w12, hp, mask);
}

/**
 * As forwardRow, with only the nLive pairs at the byte offsets live[nLive] of image · W01 summed, the others
 * taken as 0 (so pre and l1 are 0 there): trainExamples' skip of the dropped pairs.
 */
function forwardRowLive(
  y: usize, l1: usize, pre: usize, w01: usize, w12: usize, hp: i32, rows: usize, vals: usize, s: i32, e: i32, mask: usize,
  live: usize, nLive: i32,
): void {
  memory.fill(pre, 0, <usize>(hp << 3));
  sumRowList(pre, w01, rows, vals, s, e, live, nLive);
  forwardOut(y, l1, pre, w12, hp, mask);
}

/** The forward pass from pre[hp] = image · W01: pre = relu(pre), l1 = pre * mask (or pre), y[10] = l1 · W12. */
// @ts-ignore: decorator
@inline function forwardOut(y: usize, l1: usize, pre: usize, w12: usize, hp: i32, mask: usize): void {
  const nv = hp >> 1;
  const zero = f64x2.splat(0);
  for (let k = 0; k < nv; k++) {
    const o = <usize>k << 4;
    const p = v128.load(pre + o);
    const r = v128.and(p, f64x2.gt(p, zero)); // p > 0 ? p : +0, as the reference's relu
    v128.store(pre + o, r);
    v128.store(l1 + o, mask ? f64x2.mul(r, v128.load(mask + o)) : r);
  }
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero;
  for (let j = 0; j < hp; j++) {
    const x = v128.load64_splat(l1 + (<usize>j << 3));
    const wp = w12 + <usize>j * OUT_BYTES;
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(wp)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(wp, 16)));
    a2 = f64x2.add(a2, f64x2.mul(x, v128.load(wp, 32)));
    a3 = f64x2.add(a3, f64x2.mul(x, v128.load(wp, 48)));
    a4 = f64x2.add(a4, f64x2.mul(x, v128.load(wp, 64)));
  }
  v128.store(y, a0);
  v128.store(y, a1, 16);
  v128.store(y, a2, 32);
  v128.store(y, a3, 48);
  v128.store(y, a4, 64);
}

/** argmax of y[10], the first on ties. */
// @ts-ignore: decorator
@inline function argmax10(y: usize): i32 {
  let best = 0;
  let bv = load<f64>(y);
  for (let c = 1; c < CLASSES; c++) {
    const v = load<f64>(y + (<usize>c << 3));
    if (v > bv) {
      best = c;
      bv = v;
    }
  }
  return best;
}

/**
 * The squared error of y[10] against label t, summed from `loss` over the outputs in order; dy[10] = 2 * (y -
 * onehot) * gradScale when dy is not 0.
 */
// @ts-ignore: decorator
@inline function squaredError(loss: f64, dy: usize, y: usize, t: i32, gradScale: f64): f64 {
  for (let c = 0; c < CLASSES; c++) {
    const d = load<f64>(y + (<usize>c << 3)) - (c == t ? 1.0 : 0.0);
    loss += d * d;
    if (dy) store<f64>(dy + (<usize>c << 3), 2 * d * gradScale);
  }
  return loss;
}

/** Bytes of scratch trainExamples needs. */
export function trainExamplesScratchBytes(hp: i32): i32 {
  return 3 * (hp << 3) + 2 * OUT_BYTES + align16((hp >> 1) << 2);
}

/**
 * Examples [first, first + count), one step each (batch 1), in order. The backward is the book's: delta =
 * (dy · W12^T) * (mask * maskBackScale) (the book's `layer_1_delta *= dropout_mask` has maskBackScale 0.5, a
 * Dropout layer's own backward 1), then, with reluDerivFromPre, 0 where the ReLU's output is not > 0 (the book
 * as printed takes relu2deriv on the output: always 1, skipped). Then W12 -= lr * l1^T · dy and
 * W01 -= lr * x^T · delta, the update only on the image's nonzero pixels (the others' gradient is 0).
 * masks: [count, hp] (0 or 2), or 0 without dropout. loss[0] += each example's squared error, in order.
 * Returns the examples classified correctly, or -1 - i when example i's error was not finite (nothing of
 * that example applied, the examples before it kept).
 *
 * With dropout, a pair of hidden units both dropped (a quarter of the pairs) is left out of W01's update: its
 * delta is +-0 (once the error is finite, every W12 weight and dy are finite, so dy · W12^T is finite and the
 * mask's 0 makes it +-0), and w - lr * (x * +-0) = w bit for bit (inf and NaN too) for every w but -0 (-0 - -0
 * is +0), which no weight is: they start as 0.2 * r - 0.1 (never -0) and a difference is -0 only from a -0.
 * The other pairs are stepped as before, each element by the same operations, so no bit changes.
 *
 * Such a pair is also left out of the forward pass (its pre-activations taken as 0) while that is exact: the
 * reference computes relu(pre) * 0, which is +0 for a finite pre but NaN for an infinite one. So each example
 * first checks that no pre-activation can overflow. With every image value at most xMax and every W01 weight
 * at most wMax in magnitude at the call's start, bound (from max(wMax, 1)) stays above every W01 weight's
 * magnitude: after each example's step it grows by |lr| * xMax * (the example's largest |delta|), which is as
 * far as a weight moves (|lr * (x * delta)| <= |lr| xMax |delta|), times 1 + 1e-12 for the roundings (a few
 * operations, each off by at most 2^-53 relatively; bound >= 1 keeps them normal). While (e - s) * xMax *
 * bound < 1e300, every partial sum of the image's e - s products x * w is below that (and a hair): finite, and
 * the dropped pairs are skipped; otherwise (and for good once a delta is NaN, which makes bound NaN) every pair
 * is summed.
 */
export function trainExamples(
  loss: usize, w01: usize, w12: usize, hp: i32, h: i32,
  starts: usize, rows: usize, vals: usize, labels: usize, masks: usize, scratch: usize,
  first: i32, count: i32, lr: f64, gradScale: f64, maskBackScale: f64, reluDerivFromPre: bool, xMax: f64, wMax: f64,
): i32 {
  const rowBytes = hp << 3;
  const nv = hp >> 1;
  const lrX = abs<f64>(lr) * xMax;
  let bound = max<f64>(wMax, 1); // NaN stays NaN: no skip
  const pre = scratch;
  const l1 = pre + rowBytes;
  const delta = l1 + rowBytes;
  const y = delta + rowBytes;
  const dy = y + OUT_BYTES;
  const live = dy + OUT_BYTES; // i32 [nv]: byte offsets of the pairs not all dropped
  const vlr = f64x2.splat(lr);
  const vmb = f64x2.splat(maskBackScale);
  const zero = f64x2.splat(0);
  let correct = 0;
  for (let n = 0; n < count; n++) {
    const i = first + n;
    const s = load<i32>(starts + (<usize>i << 2));
    const e = load<i32>(starts + (<usize>(i + 1) << 2));
    const mask = masks ? masks + <usize>n * rowBytes : 0;
    let nLive = nv;
    if (mask) {
      nLive = 0;
      for (let k = 0; k < nv; k++) {
        // Written every time, kept (the count moving past it) only for a pair not dropped whole: no branch.
        const o = <usize>k << 4;
        store<i32>(live + (<usize>nLive << 2), <i32>o);
        nLive += i32(v128.any_true(v128.load(mask + o)));
      }
    }
    const skip = mask != 0 && <f64>(e - s) * xMax * bound < 1e300;
    if (skip) forwardRowLive(y, l1, pre, w01, w12, hp, rows, vals, s, e, mask, live, nLive);
    else forwardRow(y, l1, pre, w01, w12, hp, rows, vals, s, e, mask);
    const t = <i32>load<u8>(labels + i);
    const err = squaredError(0, dy, y, t, gradScale);
    if (!isFinite(err)) return -1 - i;
    store<f64>(loss, load<f64>(loss) + err);
    if (argmax10(y) == t) correct++;

    // delta[j] = sum over the 10 outputs of dy[c] * W12[j, c], through the W12 of the forward pass: units j, j + 1
    // side by side (each lane its own chain; W12's pad row, for an odd h, is 0 and gives a 0 delta).
    let vMax = zero;
    for (let k = 0; k < nv; k++) {
      const o = <usize>k << 4;
      const wp = w12 + <usize>(k << 1) * OUT_BYTES;
      let a = zero;
      for (let m = 0; m < OUT_BYTES; m += 16) {
        const r0 = v128.load(wp + m);
        const r1 = v128.load(wp + OUT_BYTES + m);
        a = f64x2.add(a, f64x2.mul(v128.load64_splat(dy + m), v128.shuffle<f64>(r0, r1, 0, 2)));
        a = f64x2.add(a, f64x2.mul(v128.load64_splat(dy + m + 8), v128.shuffle<f64>(r0, r1, 1, 3)));
      }
      if (mask) a = f64x2.mul(a, f64x2.mul(v128.load(mask + o), vmb));
      if (reluDerivFromPre) a = v128.and(a, f64x2.gt(v128.load(pre + o), zero)); // 0 unless the ReLU's output is > 0
      v128.store(delta + o, a);
      if (mask) vMax = f64x2.max(vMax, f64x2.abs(a));
    }
    const dMax = max<f64>(f64x2.extract_lane(vMax, 0), f64x2.extract_lane(vMax, 1));
    // W12[j, c] -= lr * (l1[j] * dy[c]): a zero l1[j] leaves its row as it is.
    const g0 = v128.load(dy), g1 = v128.load(dy, 16), g2 = v128.load(dy, 32), g3 = v128.load(dy, 48), g4 = v128.load(dy, 64);
    for (let j = 0; j < h; j++) {
      const x = v128.load64_splat(l1 + (<usize>j << 3));
      const wp = w12 + <usize>j * OUT_BYTES;
      v128.store(wp, f64x2.sub(v128.load(wp), f64x2.mul(vlr, f64x2.mul(x, g0))));
      v128.store(wp, f64x2.sub(v128.load(wp, 16), f64x2.mul(vlr, f64x2.mul(x, g1))), 16);
      v128.store(wp, f64x2.sub(v128.load(wp, 32), f64x2.mul(vlr, f64x2.mul(x, g2))), 32);
      v128.store(wp, f64x2.sub(v128.load(wp, 48), f64x2.mul(vlr, f64x2.mul(x, g3))), 48);
      v128.store(wp, f64x2.sub(v128.load(wp, 64), f64x2.mul(vlr, f64x2.mul(x, g4))), 64);
    }
    if (mask) stepRowsList(w01, rows, vals, s, e, delta, live, nLive, lr);
    else stepRows(w01, rows, vals, s, e, delta, nv, lr);
    if (mask) bound = (bound + lrX * dMax) * (1 + 1e-12);
  }
  return correct;
}

/** The largest |v| among the doubles v[n] (NaN if one is NaN). */
export function maxAbs(v: usize, n: i32): f64 {
  // pmax is one instruction but passes a NaN over, so NaNs are looked for on their own (v != v).
  let m = f64x2.splat(0);
  let nan = m;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const x = v128.load(v + (<usize>i << 3));
    m = f64x2.pmax(m, f64x2.abs(x));
    nan = v128.or(nan, f64x2.ne(x, x));
  }
  if (v128.any_true(nan)) return NaN;
  let r = max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (i < n) r = max<f64>(r, abs<f64>(load<f64>(v + (<usize>i << 3))));
  return r;
}

/** Bytes of scratch trainBatch needs for `rows` rows. */
export function trainBatchScratchBytes(hp: i32, rows: i32, pixels: i32): i32 {
  const rowBytes = hp << 3;
  return 3 * rows * rowBytes + 2 * rows * OUT_BYTES + hp * OUT_BYTES + CLASSES * rowBytes
    + align16((pixels + 2) << 2) + align16((rows * pixels) << 2) + ((rows * pixels) << 3);
}

/**
 * One batch of rows examples from `first` (the engine's batch step: gradients of the mean error, gradScale =
 * 1 / rows), with the book's backward as trainExamples, except that with inLoop (the book's update inside its
 * per-example loop, in closed form: book-model.ts) delta goes through Wm = W12 - lrMid * dW12 instead of W12.
 * Then W01 -= lr * x^T · delta (each weight's gradient summed over the rows, in order, then stepped: only the
 * pixels nonzero in some row) and W12 -= lr * dW12. masks: [rows, hp] or 0. loss[0] += the batch's error.
 * Returns the rows classified correctly, or -1 when the error was not finite (nothing applied).
 */
export function trainBatch(
  loss: usize, w01: usize, w12: usize, hp: i32, h: i32, pixels: i32,
  starts: usize, offs: usize, pixRows: usize, vals: usize, labels: usize, masks: usize, scratch: usize,
  first: i32, rows: i32, lr: f64, gradScale: f64, maskBackScale: f64, reluDerivFromPre: bool, inLoop: bool, lrMid: f64,
): i32 {
  const rowBytes = hp << 3;
  const nv = hp >> 1;
  const pre = scratch; // [rows, hp], the ReLU's output
  const l1 = pre + <usize>rows * rowBytes; // [rows, hp]
  const delta = l1 + <usize>rows * rowBytes; // [rows, hp]
  const y = delta + <usize>rows * rowBytes; // [rows, 10]
  const dy = y + <usize>rows * OUT_BYTES; // [rows, 10]
  const g12 = dy + <usize>rows * OUT_BYTES; // [hp, 10]
  const wT = g12 + <usize>hp * OUT_BYTES; // [10, hp]: W12 (or Wm) transposed
  const pixStart = wT + <usize>CLASSES * rowBytes; // i32 [pixels + 2]
  const tOffs = pixStart + <usize>align16((pixels + 2) << 2); // i32 [nonzeros]: the row's byte offset in delta
  const tVals = tOffs + <usize>align16((rows * pixels) << 2); // f64 [nonzeros]

  for (let r = 0; r < rows; r++) {
    const i = first + r;
    const ro = <usize>r * rowBytes;
    const mask = masks ? masks + ro : 0;
    forwardRow(y + <usize>r * OUT_BYTES, l1 + ro, pre + ro, w01, w12, hp, pixRows, vals,
      load<i32>(starts + (<usize>i << 2)), load<i32>(starts + (<usize>(i + 1) << 2)), mask);
  }
  // The batch's error: one chain over rows, then outputs.
  let err: f64 = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * OUT_BYTES;
    const t = <i32>load<u8>(labels + first + r);
    err = squaredError(err, dy + <usize>r * OUT_BYTES, yr, t, gradScale);
    if (argmax10(yr) == t) correct++;
  }
  if (!isFinite(err)) return -1;

  // dW12[j, c] = sum over rows, in order, of l1[r, j] * dy[r, c].
  const zero = f64x2.splat(0);
  for (let j = 0; j < hp; j++) {
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero;
    for (let r = 0; r < rows; r++) {
      const x = v128.load64_splat(l1 + <usize>r * rowBytes + (<usize>j << 3));
      const d = dy + <usize>r * OUT_BYTES;
      a0 = f64x2.add(a0, f64x2.mul(x, v128.load(d)));
      a1 = f64x2.add(a1, f64x2.mul(x, v128.load(d, 16)));
      a2 = f64x2.add(a2, f64x2.mul(x, v128.load(d, 32)));
      a3 = f64x2.add(a3, f64x2.mul(x, v128.load(d, 48)));
      a4 = f64x2.add(a4, f64x2.mul(x, v128.load(d, 64)));
    }
    const g = g12 + <usize>j * OUT_BYTES;
    v128.store(g, a0);
    v128.store(g, a1, 16);
    v128.store(g, a2, 32);
    v128.store(g, a3, 48);
    v128.store(g, a4, 64);
  }
  // The W12 that delta goes through, transposed: wT[c, j] = W12[j, c] (- lrMid * dW12[j, c] with inLoop).
  for (let j = 0; j < hp; j++) {
    for (let c = 0; c < CLASSES; c++) {
      const at = <usize>j * OUT_BYTES + (<usize>c << 3);
      const w = load<f64>(w12 + at);
      store<f64>(wT + <usize>c * rowBytes + (<usize>j << 3), inLoop ? w - lrMid * load<f64>(g12 + at) : w);
    }
  }
  // delta[r, j] = sum over the 10 outputs, in order, of dy[r, c] * wT[c, j]; then the mask and the ReLU's derivative.
  const vmb = f64x2.splat(maskBackScale);
  for (let r = 0; r < rows; r++) {
    const ro = <usize>r * rowBytes;
    const d = dy + <usize>r * OUT_BYTES;
    for (let k = 0; k < nv; k++) {
      const o = <usize>k << 4;
      let a = zero;
      for (let c = 0; c < CLASSES; c++) {
        a = f64x2.add(a, f64x2.mul(v128.load64_splat(d + (<usize>c << 3)), v128.load(wT + <usize>c * rowBytes + o)));
      }
      if (masks) a = f64x2.mul(a, f64x2.mul(v128.load(masks + ro + o), vmb));
      if (reluDerivFromPre) {
        const p = v128.load(pre + ro + o);
        a = v128.and(a, f64x2.gt(p, zero));
      }
      v128.store(delta + ro + o, a);
    }
  }
  // The batch's pixels column by column: for pixel p, the rows (ascending) where it is nonzero, and the value.
  for (let p = 0; p <= pixels + 1; p++) store<i32>(pixStart + (<usize>p << 2), 0);
  for (let r = 0; r < rows; r++) {
    const i = first + r;
    const e = load<i32>(starts + (<usize>(i + 1) << 2));
    for (let q = load<i32>(starts + (<usize>i << 2)); q < e; q++) {
      const at = pixStart + (<usize>(load<i32>(offs + (<usize>q << 2)) + 2) << 2);
      store<i32>(at, load<i32>(at) + 1);
    }
  }
  for (let p = 0; p < pixels; p++) {
    const at = pixStart + (<usize>(p + 2) << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
  // Now pixStart[p + 1] is where pixel p's entries go; filling them moves it to the end of p's entries.
  for (let r = 0; r < rows; r++) {
    const i = first + r;
    const e = load<i32>(starts + (<usize>(i + 1) << 2));
    for (let q = load<i32>(starts + (<usize>i << 2)); q < e; q++) {
      const at = pixStart + (<usize>(load<i32>(offs + (<usize>q << 2)) + 1) << 2);
      const pos = load<i32>(at);
      store<i32>(at, pos + 1);
      store<i32>(tOffs + (<usize>pos << 2), r * rowBytes);
      store<f64>(tVals + (<usize>pos << 3), load<f64>(vals + (<usize>q << 3)));
    }
  }
  // W01[p] -= lr * (sum over p's rows of x[r, p] * delta[r]): pixels zero in every row keep their weights.
  for (let p = 0; p < pixels; p++) {
    const s = load<i32>(pixStart + (<usize>p << 2));
    const e = load<i32>(pixStart + (<usize>(p + 1) << 2));
    if (s < e) sumRow(w01 + <usize>p * rowBytes, delta, tOffs, tVals, s, e, nv, true, lr);
  }
  // W12 -= lr * dW12.
  const vlr = f64x2.splat(lr);
  for (let j = 0; j < h; j++) {
    const wp = w12 + <usize>j * OUT_BYTES;
    const g = g12 + <usize>j * OUT_BYTES;
    for (let o = 0; o < OUT_BYTES; o += 16) v128.store(wp + o, f64x2.sub(v128.load(wp + o), f64x2.mul(vlr, v128.load(g + o))));
  }
  store<f64>(loss, load<f64>(loss) + err);
  return correct;
}

/** Bytes of scratch testPass needs. */
export function testPassScratchBytes(hp: i32): i32 {
  return 2 * (hp << 3) + OUT_BYTES;
}

/**
 * The error and the number correct of images [0, count) in eval mode (no dropout): out[0] = the squared
 * error summed in chunks of `chunk` rows (each chunk one chain, the chunks added in order: evaluate()'s
 * sum), out[1] = the count correct.
 */
export function testPass(
  out: usize, w01: usize, w12: usize, hp: i32, starts: usize, rows: usize, vals: usize, labels: usize,
  count: i32, chunk: i32, scratch: usize,
): void {
  const rowBytes = hp << 3;
  const pre = scratch;
  const l1 = pre + rowBytes;
  const y = l1 + rowBytes;
  let total: f64 = 0;
  let part: f64 = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    forwardRow(y, l1, pre, w01, w12, hp, rows, vals, load<i32>(starts + (<usize>i << 2)), load<i32>(starts + (<usize>(i + 1) << 2)), 0);
    const t = <i32>load<u8>(labels + i);
    part = squaredError(part, 0, y, t, 0);
    if (argmax10(y) == t) correct++;
    if ((i + 1) % chunk == 0 || i == count - 1) {
      total += part;
      part = 0;
    }
  }
  store<f64>(out, total);
  store<f64>(out, <f64>correct, 8);
}

/**
 * testPass's work for images [from, to) (from at a chunk boundary): parts[k] = the squared error of chunk k
 * of the range (images from + k * chunk on, each chunk one chain, as testPass sums it), and the count correct
 * returned. Added over the chunks in order from 0 (by the caller), the parts of [0, count) in any ranges cut
 * at chunk boundaries give testPass's out[0] bit for bit; so two threads can each take a range.
 */
export function testPart(
  parts: usize, w01: usize, w12: usize, hp: i32, starts: usize, rows: usize, vals: usize, labels: usize,
  from: i32, to: i32, chunk: i32, scratch: usize,
): i32 {
  const rowBytes = hp << 3;
  const pre = scratch;
  const l1 = pre + rowBytes;
  const y = l1 + rowBytes;
  let part: f64 = 0;
  let correct = 0;
  let k: usize = 0;
  for (let i = from; i < to; i++) {
    forwardRow(y, l1, pre, w01, w12, hp, rows, vals, load<i32>(starts + (<usize>i << 2)), load<i32>(starts + (<usize>(i + 1) << 2)), 0);
    const t = <i32>load<u8>(labels + i);
    part = squaredError(part, 0, y, t, 0);
    if (argmax10(y) == t) correct++;
    if ((i + 1 - from) % chunk == 0 || i == to - 1) {
      store<f64>(parts + (k << 3), part);
      k++;
      part = 0;
    }
  }
  return correct;
}

/** dst[n] = src[n] * factor (i32): a list's pixel indices as the byte offsets of their rows. */
export function scaleOffsets(dst: usize, src: usize, n: i32, factor: i32): void {
  const f = i32x4.splat(factor);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), i32x4.mul(v128.load(src + (<usize>i << 2)), f));
  for (; i < n; i++) store<i32>(dst + (<usize>i << 2), load<i32>(src + (<usize>i << 2)) * factor);
}

/** Nonzero bytes among bytes[n]. */
export function countNonzero(bytes: usize, n: i32): i32 {
  let count = 0;
  let i = 0;
  const zero = i8x16.splat(0);
  for (; i + 16 <= n; i += 16) count += popcnt(i8x16.bitmask(i8x16.ne(v128.load(bytes + i), zero)));
  for (; i < n; i++) count += i32(load<u8>(bytes + i) != 0);
  return count;
}

/**
 * The nonzero-pixel lists of count images of cols pixels (bytes [count, cols]): starts[count + 1], offs and
 * vals as described above, vals = byte / divisor (a division, as the reference's gatherRows). All-zero
 * 16-byte blocks are skipped with one test; in the others every byte is written and the list advances past
 * the nonzero ones only (no branch per pixel: inside a digit, zeros and nonzeros alternate unpredictably),
 * so offs and vals need room for one entry more than the nonzeros.
 */
export function compressImages(starts: usize, offs: usize, vals: usize, bytes: usize, count: i32, cols: i32, divisor: f64): void {
  let q = 0;
  for (let i = 0; i < count; i++) {
    store<i32>(starts + (<usize>i << 2), q);
    const row = bytes + <usize>i * cols;
    let p = 0;
    for (; p + 16 <= cols; p += 16) {
      if (!v128.any_true(v128.load(row + p))) continue;
      for (let b = p; b < p + 16; b++) {
        const v = load<u8>(row + b);
        store<i32>(offs + (<usize>q << 2), b);
        store<f64>(vals + (<usize>q << 3), <f64>v);
        q += i32(v != 0);
      }
    }
    for (; p < cols; p++) {
      const v = load<u8>(row + p);
      store<i32>(offs + (<usize>q << 2), p);
      store<f64>(vals + (<usize>q << 3), <f64>v);
      q += i32(v != 0);
    }
  }
  store<i32>(starts + (<usize>count << 2), q);
  for (let k = 0; k < q; k++) store<f64>(vals + (<usize>k << 3), load<f64>(vals + (<usize>k << 3)) / divisor);
}

/**
 * Dropout masks as numpy's randint(2) draws them, one MT19937 word per unit: masks[r, j] = (u & 1) * scale for
 * j < h, 0 for h <= j < hp, rows r in order, drawing from key[624] at pos (624: twist first); returns the new
 * position.
 */
export function randintMasks(masks: usize, key: usize, pos: i32, rows: i32, h: i32, hp: i32, scale: f64): i32 {
  const vs = f64x2.splat(scale);
  const one = i32x4.splat(1);
  const b = i32x4.splat(0x9d2c5680);
  const c = i32x4.splat(0xefc60000);
  for (let r = 0; r < rows; r++) {
    const row = masks + (<usize>(r * hp) << 3);
    let j = 0;
    while (j < h) {
      if (pos == 624) {
        twist(key);
        pos = 0;
      }
      // Four words at a time while the row and the key have four left (the same tempering as below).
      for (; j + 4 <= h && pos + 4 <= 624; j += 4, pos += 4) {
        let y = v128.load(key + (<usize>pos << 2));
        y = v128.xor(y, i32x4.shr_u(y, 11));
        y = v128.xor(y, v128.and(i32x4.shl(y, 7), b));
        y = v128.xor(y, v128.and(i32x4.shl(y, 15), c));
        y = v128.xor(y, i32x4.shr_u(y, 18));
        const bits = v128.and(y, one);
        const o = row + (<usize>j << 3);
        v128.store(o, f64x2.mul(f64x2.convert_low_i32x4_u(bits), vs));
        v128.store(o, f64x2.mul(f64x2.convert_low_i32x4_u(v128.shuffle<i32>(bits, bits, 2, 3, 0, 1)), vs), 16);
      }
      if (j < h && pos < 624) {
        let u = load<u32>(key + (<usize>pos << 2));
        pos++;
        u ^= u >> 11;
        u ^= (u << 7) & 0x9d2c5680;
        u ^= (u << 15) & 0xefc60000;
        u ^= u >> 18;
        store<f64>(row + (<usize>j << 3), <f64>(u & 1) * scale);
        j++;
      }
    }
    for (let k = h; k < hp; k++) store<f64>(row + (<usize>k << 3), 0);
  }
  return pos;
}
