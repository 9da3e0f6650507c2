/**
 * Per-example SGD steps of a dense-ReLU-...-dense network with softmax cross-entropy, many in one call
 * (Backend.perExampleSgd): for each example, gather its pixels, forward, loss and its gradient, backward and
 * the plain SGD step of every weight and bias, with no call between JavaScript and WebAssembly in between.
 *
 * The forward pass, the loss and the gradients are the engine's batch-1 step on the fast backend
 * (Model.trainStep: matmul, addRowVector, relu, softmaxCrossEntropy, countCorrect, reluBackward, sumRows)
 * operation for operation, by the same functions where they are WebAssembly (sumListRows, transpose), so the
 * losses, counts and gradients of a step from the same weights come out bit for bit the same:
 * - a layer's outputs: sumListRows over its input's nonzeros in ascending order, as matmulNN sums them;
 * - the loss: the reference's JavaScript in float64 (ref.ts: softmaxCrossEntropyRows), with the reference's
 *   exp and log (src/backend/libm.ts) as assembly/libm.ts ports them, so that every bit is the same;
 * - a hidden layer's input gradient: d · W^T as matmul with b transposed takes it (W transposed, then the
 *   nonzeros of d in ascending order), from the weights of the forward pass. Above the first layer each layer
 *   keeps its W transposed (+60), made at the start of a call and stepped with W, element for element the same
 *   arithmetic, so it is W^T bit for bit without a transpose per step.
 * The steps (perExampleSgd's own, not denseSgdStep's and sgdStep's float64 step rounded once) are float32:
 * - ld[j] = fl32(lr * d[j]) once per step and layer (the float64 product of W's rate and d, rounded once);
 * - W's row of each nonzero input x (as denseSgdStep's one-example case skips zero inputs):
 *   w[j] = fl32(w[j] - fl32(x * ld[j])), a float32 multiply then a float32 subtract, never fused;
 * - b from its gradient gB = 0 + d (as sumRows writes it) by b's rate: b[j] = fl32(b[j] - fl32(lrB * gB[j])).
 * composedPerExampleSgd(backend, net, 'float32') (src/backend/per-example-ref.ts) is this step kernel by
 * kernel with the steps in JavaScript (Math.fround), equal bit for bit; an epoch of MNIST stays within 1e-6
 * per weight of the float64 step's (src/backend/wasm/per-example-drift.test.ts). Another export (
 * inputGradient, with the per-step transpose) is the Adam kernel's (assembly/per-example-adam.ts).
 *
 * The network is described at `desc` (written by src/backend/wasm/per-example.ts), byte offsets:
 *   0 layers L, 4 images, 8 pixel table (f32[256]: byte / divisor), 12 dx (f32[max in]),
 *   16 transposed W (f32[max in * out]), 20 offsets and 24 values of a delta's nonzeros (max out + 4 each),
 *   28 their count, 32 the image set's lists of nonzero pixels (u32 starts, one per image and one more; 0: none,
 *   the images' bytes are scanned), 36 their entries (nonzero-lists.ts), 44 the table's divisor (f32) when the
 *   table is byte / divisor in float32 (else 0); then 64 bytes per layer from 48:
 *   +0 in, +4 out, +8 W [in, out], +12 b [out] (0: none), +16 b's gradient [out], +20 y [out] (a hidden
 *   layer's ReLU output; the last layer's logits), +24 d [out] (the gradient at the layer's output),
 *   +28 offsets and +32 values of the nonzeros of the layer's input (in + 4 each), +36 their count,
 *   +40 W's rate (f64), +48 b's rate (f64), +56 ld [out + 4] (perExampleSgd: fl32(lr * d)), +60 W^T [out, in]
 *   (perExampleSgd, layers above the first; else 0).
 * Pointers are byte offsets into memory.
 */
import { softmaxRow } from './softmax';
import { transpose } from './matmul';
import { sumListRows } from './rowsum';
import { stepListRows } from './step-rows';


export const HEADER: usize = 48;
export const LAYER: usize = 64;

/**
 * Runs count steps, example r = idx[r] (an image of the set at desc + 4) with class labels[r]; writes each
 * step's loss (f64) to losses[r] and 1 or 0 (argmax right) to correct[r]. Stops before the update of the
 * first step whose loss is not finite (nothing of that step is applied) and returns its index; else count.
 */
export function perExampleSgd(desc: usize, idx: usize, labels: usize, count: i32, losses: usize, correct: usize): i32 {
  const layers = load<i32>(desc);
  const last = desc + HEADER + <usize>(layers - 1) * LAYER;
  const classes = load<i32>(last, 4);
  // Each layer's W above the first, transposed into the layer's own copy (kept equal by the weight steps).
  for (let l = 1; l < layers; l++) {
    const layer = desc + HEADER + <usize>l * LAYER;
    transpose(<usize>load<i32>(layer, 60), <usize>load<i32>(layer, 8), load<i32>(layer), load<i32>(layer, 4));
  }
  for (let r = 0; r < count; r++) {
    const first = desc + HEADER;
    exampleList(desc, <usize>load<i32>(first, 28), <usize>load<i32>(first, 32), <usize>load<i32>(first, 36), load<i32>(first, 4) << 2, idx, r);
    for (let l = 0; l < layers; l++) forwardLayer(desc + HEADER + <usize>l * LAYER, l == layers - 1);
    const label = <i32>load<u8>(labels + <usize>r);
    const loss = softmaxCrossEntropy(load<i32>(last, 24), load<i32>(last, 20), label, classes);
    store<f64>(losses + (<usize>r << 3), loss);
    store<u8>(correct + <usize>r, <u8>(argmax(load<i32>(last, 20), classes) == label));
    if (!isFinite(loss)) return r;
    for (let l = layers - 1; l >= 0; l--) backwardLayer32(desc, desc + HEADER + <usize>l * LAYER, l > 0);
  }
  return count;
}

/**
 * The first layer's input list from an image's bytes: (pixel * W's row bytes, table[byte]) for each pixel
 * whose value is not 0, in ascending order (matmulNN's compression of the gathered row); with rows (not 0),
 * each entry's pixel (its row of W) too. Zero bytes are skipped sixteen at a time when table[0] is 0. The list
 * goes to offs and vals, its count to cntSlot.
 */
export function gatherInto(offs: usize, vals: usize, cntSlot: usize, n: i32, rowBytes: i32, img: usize, table: usize, rows: usize = 0): void {
  let cnt = 0;
  let p = 0;
  if (load<f32>(table) == 0) {
    const zero = i8x16.splat(0);
    for (; p + 16 <= n; p += 16) {
      let mask = i8x16.bitmask(i8x16.ne(v128.load(img + <usize>p), zero));
      while (mask != 0) {
        const q = p + ctz(mask);
        mask &= mask - 1;
        if (rows != 0) store<i32>(rows + (<usize>cnt << 2), q);
        cnt = append(offs, vals, cnt, q * rowBytes, load<f32>(table + (<usize>load<u8>(img + <usize>q) << 2)));
      }
    }
  }
  for (; p < n; p++) {
    if (rows != 0) store<i32>(rows + (<usize>cnt << 2), p);
    cnt = append(offs, vals, cnt, p * rowBytes, load<f32>(table + (<usize>load<u8>(img + <usize>p) << 2)));
  }
  store<i32>(cntSlot, cnt);
}

/**
 * gatherInto from an image's cached list (nonzero-lists.ts: entries [from, to) of (pixel << 8) | byte): the
 * same entries in the same order as scanning its bytes, for a table with table[0] == 0. A divisor (not 0)
 * says the table is byte / divisor in float32 (pixelTableIsDivision): the values are divided in lanes then.
 */
export function listInto(offs: usize, vals: usize, cntSlot: usize, rowBytes: i32, entries: usize, from: u32, to: u32, table: usize, rows: usize = 0, divisor: f32 = 0): void {
  // Every entry's byte is not 0, so (unless the table maps one to 0) each is appended: four at a time.
  const end = entries + (<usize>to << 2);
  let e = entries + (<usize>from << 2);
  let q: usize = 0;
  const rb = i32x4.splat(rowBytes), low = i32x4.splat(255), zero = f32x4.splat(0), dv = f32x4.splat(divisor);
  let zeros = i32x4.splat(0);
  for (; e + 16 <= end; e += 16, q += 16) {
    const v = v128.load(e);
    const pixel = i32x4.shr_u(v, 8);
    v128.store(offs + q, i32x4.mul(pixel, rb));
    if (rows != 0) v128.store(rows + q, pixel);
    const b = v128.and(v, low);
    let x: v128;
    if (divisor != 0) x = f32x4.div(f32x4.convert_i32x4_u(b), dv);
    else {
      x = f32x4.splat(load<f32>(table + (<usize>i32x4.extract_lane(b, 0) << 2)));
      x = f32x4.replace_lane(x, 1, load<f32>(table + (<usize>i32x4.extract_lane(b, 1) << 2)));
      x = f32x4.replace_lane(x, 2, load<f32>(table + (<usize>i32x4.extract_lane(b, 2) << 2)));
      x = f32x4.replace_lane(x, 3, load<f32>(table + (<usize>i32x4.extract_lane(b, 3) << 2)));
    }
    v128.store(vals + q, x);
    zeros = v128.or(zeros, f32x4.eq(x, zero));
  }
  if (!v128.any_true(zeros)) {
    let cnt = <i32>(q >> 2);
    for (; e < end; e += 4) {
      const v = load<u32>(e);
      const p = <i32>(v >> 8);
      if (rows != 0) store<i32>(rows + (<usize>cnt << 2), p);
      cnt = append(offs, vals, cnt, p * rowBytes, load<f32>(table + (<usize>(v & 255) << 2)));
    }
    store<i32>(cntSlot, cnt);
    return;
  }
  // Some entry maps to 0: entry by entry, skipping those.
  let cnt = 0;
  for (let e = entries + (<usize>from << 2); e < end; e += 4) {
    const v = load<u32>(e);
    const q = <i32>(v >> 8);
    if (rows != 0) store<i32>(rows + (<usize>cnt << 2), q);
    cnt = append(offs, vals, cnt, q * rowBytes, load<f32>(table + (<usize>(v & 255) << 2)));
  }
  store<i32>(cntSlot, cnt);
}

/**
 * The first layer's input list for example r of a call: from the image set's cached lists when the
 * description has them (+32 starts, +36 entries: nonzero-lists.ts), else by scanning the image's bytes.
 */
export function exampleList(desc: usize, offs: usize, vals: usize, cntSlot: usize, rowBytes: i32, idx: usize, r: i32, rows: usize = 0): void {
  const image = <usize>load<i32>(idx + (<usize>r << 2));
  const table = <usize>load<i32>(desc, 8);
  const starts = <usize>load<i32>(desc, 32);
  if (starts != 0) {
    const s = starts + (image << 2);
    listInto(offs, vals, cntSlot, rowBytes, <usize>load<i32>(desc, 36), load<u32>(s), load<u32>(s, 4), table, rows, load<f32>(desc, 44));
  } else {
    const inputs = load<i32>(desc, HEADER);
    gatherInto(offs, vals, cntSlot, inputs, rowBytes, <usize>load<i32>(desc, 4) + image * <usize>inputs, table, rows);
  }
}

/** Appends (off, v) to a list of cnt entries when v is not 0; returns the new count. */
// @ts-ignore: decorator
@inline export function append(offs: usize, vals: usize, cnt: i32, off: i32, v: f32): i32 {
  const q = <usize>cnt << 2;
  store<i32>(offs + q, off);
  store<f32>(vals + q, v);
  return cnt + i32(v != 0);
}

/**
 * y = x · W (+ b), x the layer's input list; a hidden layer then applies the ReLU in place and writes the
 * next layer's input list from its nonzero outputs.
 */
export function forwardLayer(layer: usize, isLast: bool): void {
  const out = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const y = <usize>load<i32>(layer, 20);
  sumListRows(y, 0, w, out, <usize>load<i32>(layer, 28), <usize>load<i32>(layer, 32), 0, <usize>load<i32>(layer, 36), 1);
  biasAndRelu(layer, isLast);
}

/** forwardLayer after the sums: b added to y, then (a hidden layer) the ReLU and the next layer's input list. */
export function biasAndRelu(layer: usize, isLast: bool): void {
  const out = load<i32>(layer, 4);
  const b = <usize>load<i32>(layer, 12);
  const y = <usize>load<i32>(layer, 20);
  if (b != 0) {
    // addRowVector
    let c = 0;
    for (; c + 4 <= out; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(b + o)));
    }
    for (; c < out; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, load<f32>(y + o) + load<f32>(b + o));
    }
  }
  if (isLast) return;
  // relu (NaN and -0 give +0), and the next layer's input list
  const next = layer + LAYER;
  const rowBytes = load<i32>(next, 4) << 2;
  const offs = <usize>load<i32>(next, 28);
  const vals = <usize>load<i32>(next, 32);
  let cnt = 0;
  let j = 0;
  // Four at a time: the ReLU as relu's kernel (v & (v > 0): +0 for NaN, -0 and below), then the four appends,
  // each lane stored at the count of the nonzero lanes before it (what four appends in turn leave).
  const zero = f32x4.splat(0);
  for (; j + 4 <= out; j += 4) {
    const yp = y + (<usize>j << 2);
    const v = v128.load(yp);
    const on = f32x4.gt(v, zero);
    const r = v128.and(v, on);
    v128.store(yp, r);
    const mask = i32x4.bitmask(on);
    const off = j * rowBytes;
    const q0 = <usize>cnt << 2;
    const q1 = q0 + (<usize>(mask & 1) << 2);
    const q2 = q0 + (<usize>popcnt(mask & 3) << 2);
    const q3 = q0 + (<usize>popcnt(mask & 7) << 2);
    store<i32>(offs + q0, off);
    store<f32>(vals + q0, f32x4.extract_lane(r, 0));
    store<i32>(offs + q1, off + rowBytes);
    store<f32>(vals + q1, f32x4.extract_lane(r, 1));
    store<i32>(offs + q2, off + 2 * rowBytes);
    store<f32>(vals + q2, f32x4.extract_lane(r, 2));
    store<i32>(offs + q3, off + 3 * rowBytes);
    store<f32>(vals + q3, f32x4.extract_lane(r, 3));
    cnt += <i32>popcnt(mask);
  }
  for (; j < out; j++) {
    const yp = y + (<usize>j << 2);
    const v = load<f32>(yp);
    const r: f32 = v > 0 ? v : 0;
    store<f32>(yp, r);
    cnt = append(offs, vals, cnt, j * rowBytes, r);
  }
  store<i32>(<usize>load<i32>(next, 36), cnt);
}

/**
 * softmaxCrossEntropyRows of ref.ts for one row with gradScale 1, in float64 as JavaScript computes it (exp and
 * log: libm.ts's, ported):
 * writes dLogits (rounded to float32) and returns the row's loss, 0 + (log(sum exp(z - max)) + max - z[label]).
 */
export function softmaxCrossEntropy(dLogits: usize, logits: usize, label: i32, cols: i32): f64 {
  // A label outside the row reads undefined in JavaScript: the loss is NaN.
  return 0.0 + softmaxRow(dLogits, logits, label, cols, 1.0, label < cols ? <f64>load<f32>(logits + (<usize>label << 2)) : NaN);
}

/** countCorrect's argmax: the first index of the largest value (comparisons with NaN are false). */
export function argmax(x: usize, cols: i32): i32 {
  let best = 0;
  for (let c = 1; c < cols; c++) if (load<f32>(x + (<usize>c << 2)) > load<f32>(x + (<usize>best << 2))) best = c;
  return best;
}

/**
 * The gradient at a layer's input (d · W^T from the forward pass's W) through the ReLU below into that layer's
 * d: matmul(dx, d, W, 1, out, n, transB) as the backend takes it (W^T [out, n], then the nonzeros of d in
 * ascending order), then reluBackward.
 */
export function inputGradient(desc: usize, layer: usize): void {
  const n = load<i32>(layer);
  const out = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const d = <usize>load<i32>(layer, 24);
  const dx = <usize>load<i32>(desc, 12);
  const wt = <usize>load<i32>(desc, 16);
  const offs = <usize>load<i32>(desc, 20);
  const vals = <usize>load<i32>(desc, 24);
  const cntSlot = <usize>load<i32>(desc, 28);
  transpose(wt, w, n, out);
  const rowBytes = n << 2;
  let cnt = 0;
  for (let c = 0; c < out; c++) cnt = append(offs, vals, cnt, c * rowBytes, load<f32>(d + (<usize>c << 2)));
  store<i32>(cntSlot, cnt);
  sumListRows(dx, 0, wt, n, offs, vals, 0, cntSlot, 1);
  const below = layer - LAYER;
  const y = <usize>load<i32>(below, 20);
  const dBelow = <usize>load<i32>(below, 24);
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dBelow + o, load<f32>(y + o) > 0 ? load<f32>(dx + o) : 0);
  }
}

/** The bias's gradient as sumRows writes it for one row: 0 + d (nothing without a bias). */
export function biasGradient(layer: usize): void {
  const out = load<i32>(layer, 4);
  const b = <usize>load<i32>(layer, 12);
  const d = <usize>load<i32>(layer, 24);
  const bGrad = <usize>load<i32>(layer, 16);
  if (b != 0) for (let c = 0; c < out; c++) store<f32>(bGrad + (<usize>c << 2), <f32>0 + load<f32>(d + (<usize>c << 2)));
}

/**
 * perExampleSgd's backward pass of a layer with float32 steps: when hasBelow, the gradient at the layer's input
 * (d · W^T from the forward pass's W, read from the layer's transposed copy) through the ReLU below into that
 * layer's d; b's gradient 0 + d; ld = fl32(lr * d) (float64 product, rounded once); each row of a nonzero
 * input x: w[j] = fl32(w[j] - fl32(x * ld[j])), and the transposed copy the same; then b's step by its own
 * rate from its gradient: b[j] = fl32(b[j] - fl32(lrB * gB[j])).
 */
function backwardLayer32(desc: usize, layer: usize, hasBelow: bool): void {
  const out = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const b = <usize>load<i32>(layer, 12);
  const d = <usize>load<i32>(layer, 24);
  const ld = <usize>load<i32>(layer, 56);
  if (hasBelow) inputGradientKept(desc, layer);
  biasGradient(layer);
  const offs = <usize>load<i32>(layer, 28);
  const vals = <usize>load<i32>(layer, 32);
  const cnt = load<i32>(<usize>load<i32>(layer, 36));
  scaledDelta(ld, d, out, load<f64>(layer, 40));
  stepListRows(w, out, offs, vals, cnt, ld);
  if (hasBelow) stepTransposed(<usize>load<i32>(layer, 60), <usize>load<i32>(layer - LAYER, 20), ld, load<i32>(layer), out);
  if (b != 0) {
    scaledDelta(ld, <usize>load<i32>(layer, 16), out, load<f64>(layer, 48));
    stepRow32(b, 1, ld, out);
  }
}

/**
 * inputGradient from the layer's transposed copy of W (+60) instead of transposing W: the same list of d's
 * nonzeros, the same sums (sumListRows over W^T's rows in ascending order), then reluBackward.
 */
export function inputGradientKept(desc: usize, layer: usize): void {
  const n = load<i32>(layer);
  const out = load<i32>(layer, 4);
  const d = <usize>load<i32>(layer, 24);
  const wt = <usize>load<i32>(layer, 60);
  const below = layer - LAYER;
  const dx = <usize>load<i32>(below, 24);
  const offs = <usize>load<i32>(desc, 20);
  const vals = <usize>load<i32>(desc, 24);
  const cntSlot = <usize>load<i32>(desc, 28);
  const rowBytes = n << 2;
  let cnt = 0;
  for (let c = 0; c < out; c++) cnt = append(offs, vals, cnt, c * rowBytes, load<f32>(d + (<usize>c << 2)));
  store<i32>(cntSlot, cnt);
  // The sums straight into the layer below's d, then masked by its ReLU (y > 0) in place.
  sumListRows(dx, 0, wt, n, offs, vals, 0, cntSlot, 1);
  const y = <usize>load<i32>(below, 20);
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dx + o, v128.and(v128.load(dx + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dx + o) : 0);
  }
}

/** ld[n] = fl32(lr * d[n]): each product in float64, rounded once to float32. */
export function scaledDelta(ld: usize, d: usize, n: i32, lr: f64): void {
  const vlr = f64x2.splat(lr);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const v = v128.load(d + o);
    const lo = f64x2.mul(vlr, f64x2.promote_low_f32x4(v));
    const hi = f64x2.mul(vlr, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
    v128.store(ld + o, v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; j < n; j++) store<f32>(ld + (<usize>j << 2), <f32>(lr * <f64>load<f32>(d + (<usize>j << 2))));
}

/** w row[j] = fl32(w[j] - fl32(x * ld[j])) for j < n, in float32 (a multiply, then a subtract: never fused). */
// @ts-ignore: decorator
@inline export function stepRow32(wrow: usize, x: f32, ld: usize, n: i32): void {
  const xv = f32x4.splat(x);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    const w0 = v128.load(wrow + o);
    const w1 = v128.load(wrow + o, 16);
    v128.store(wrow + o, f32x4.sub(w0, f32x4.mul(xv, v128.load(ld + o))));
    v128.store(wrow + o, f32x4.sub(w1, f32x4.mul(xv, v128.load(ld + o, 16))), 16);
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(wrow + o, f32x4.sub(v128.load(wrow + o), f32x4.mul(xv, v128.load(ld + o))));
  }
  for (; j < n; j++) {
    const wp = wrow + (<usize>j << 2);
    store<f32>(wp, load<f32>(wp) - x * load<f32>(ld + (<usize>j << 2)));
  }
}

/**
 * The transposed copy wt [out, n] stepped as W's rows of nonzero inputs: wt[c][j] = fl32(wt[c][j] -
 * fl32(x[j] * ld[c])) where x[j] (the ReLU output below: never NaN or -0) is not 0; the others kept.
 */
function stepTransposed(wt: usize, x: usize, ld: usize, n: i32, out: i32): void {
  if (out == 10) {
    stepTransposed10(wt, x, ld, n);
    return;
  }
  const zero = f32x4.splat(0);
  const rowBytes = <usize>n << 2;
  for (let c = 0; c < out; c++) {
    const row = wt + <usize>c * rowBytes;
    const l: f32 = load<f32>(ld + (<usize>c << 2));
    const lv = f32x4.splat(l);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const xv = v128.load(x + o);
      const wv = v128.load(row + o);
      v128.store(row + o, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, lv)), wv, f32x4.ne(xv, zero)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const xj = load<f32>(x + o);
      if (xj != 0) store<f32>(row + o, load<f32>(row + o) - xj * l);
    }
  }
}

/**
 * stepTransposed of ten rows (MNIST's classes): four columns at a time down all ten rows, x, its mask and the
 * ten rates in registers; each weight's arithmetic the same.
 */
function stepTransposed10(wt: usize, x: usize, ld: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const rb = <usize>n << 2;
  const l0 = v128.load32_splat(ld), l1 = v128.load32_splat(ld, 4), l2 = v128.load32_splat(ld, 8), l3 = v128.load32_splat(ld, 12);
  const l4 = v128.load32_splat(ld, 16), l5 = v128.load32_splat(ld, 20), l6 = v128.load32_splat(ld, 24), l7 = v128.load32_splat(ld, 28);
  const l8 = v128.load32_splat(ld, 32), l9 = v128.load32_splat(ld, 36);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const xv = v128.load(x + o);
    const keep = f32x4.ne(xv, zero);
    let p = wt + o;
    let wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l0)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l1)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l2)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l3)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l4)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l5)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l6)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l7)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l8)), wv, keep));
    p += rb; wv = v128.load(p);
    v128.store(p, v128.bitselect(f32x4.sub(wv, f32x4.mul(xv, l9)), wv, keep));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const xj = load<f32>(x + o);
    if (xj == 0) continue;
    for (let c = 0; c < 10; c++) {
      const wp = wt + <usize>c * rb + o;
      store<f32>(wp, load<f32>(wp) - xj * load<f32>(ld + (<usize>c << 2)));
    }
  }
}
