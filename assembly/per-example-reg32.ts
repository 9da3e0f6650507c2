/**
 * Per-example steps with momentum and L2 weight decay, many in one call (Backend.perExampleSgd with 'sgd-reg'
 * rules), in float32: per example, gather, forward (the first layer's rows the image reads brought up to date
 * on the way), loss, backward and the regularised steps, with no call between JavaScript and WebAssembly.
 *
 * The arithmetic is its own (not the kernel-by-kernel path's float64 steps), written out and argued exact in
 * src/backend/per-example-reg-ref.ts, whose JavaScript this kernel equals bit for bit:
 * - L2 alone on the first layer ('scaled'): W = s_k U with one scale for the whole matrix, so that a step costs
 *   the plain kernel's sums and steps (sumListRows, stepListRows) on the image's rows, the sums times s_k, the
 *   rate divided by s_(k+1); every P steps (s_k >= 1/2) and at sync the rows are brought back to W;
 * - momentum on the first layer ('modal'): the matrix in the zero-gradient step's eigenbasis (P in W's buffer,
 *   Q in the velocity's, two scales for the whole matrix: src/backend/modal-map.ts), so that a step costs two
 *   of the plain kernel's sums and steps on the image's rows; renormalised when the smaller scale falls below
 *   2^-64; converted into it at a call's start when the optimizer's flag says it is not;
 * - momentum without such an eigenbasis ('lazy'): rows stored as of their step count, brought up to date by
 *   M^k (float32 coefficients, one pass fused with the forward sum), then the float32 element step;
 * - the layers above: the input gradient from W's rows, the element step on every row;
 * - the element step: g' = fl32(g + fl32(l2 w)); v = fl32(fl32(m v) + g'); w = fl32(w - fl32(lr v)).
 * No multiply-add is fused here (the sums of the plain kernel's functions are theirs: madd, as matmul's).
 * The first layer's per-step work (catch-up and sums, scale, steps) is written over a column range [c0, c1)
 * with every per-column value separable, so that it can be split across threads by column blocks.
 *
 * The description is assembly/per-example.ts's (HEADER, LAYER per layer), then RULE bytes per layer:
 *   +0 kind (0 plain SGD, 1 dense: every row, 2 lazy rows, 3 scaled, 4 modal; 2 to 4 the first layer only),
 *   +4 W's velocity (0: none), +8 b's velocity (0: none), +12 the row steps (f64[in], 0: none; kind 1 sets them
 *   all to the step count at the end), +16 momentum (f64), +24 W's L2 (f64), +32 b's momentum (f64),
 *   +40 the power table (f64[4 T]: M^0 .. M^(T-1)), +44 T, +48 the step count before the call (f64),
 *   +56 the rows of the first layer's list (i32[in + 4]), +64 b's L2 (f64), +72 P (kind 3), +76 a scratch of
 *   32 bytes per row of the first layer (kind 2: each listed row's M^k in float32 and whether k is 0; kind 4:
 *   z2 and ld2; a layer above: d twice), +80 r1, +88 r2, +96 h1, +104 h2, +112 c1, +120 c2 (f64, kind 4),
 *   +128 the optimizer's flag (f64[1]: 1 while the matrix is held as P, Q).
 */
import { HEADER, LAYER, argmax, exampleList, biasAndRelu, biasGradient, forwardLayer, softmaxCrossEntropy, scaledDelta, stepRow32 } from './per-example';
import { high, join } from './lanes';
import { decayRow } from './rows';
import { sumListRows } from './rowsum';
import { stepListRows } from './step-rows';

const RULE: usize = 136;
const SGD = 0;
const DENSE = 1;
const LAZY = 2;
const SCALED = 3;
const MODAL = 4;
/** backend/modal-map.ts: MIN_MODAL_SCALE. */
const MIN_MODAL_SCALE: f64 = 5.421010862427522e-20; // 2^-64

/** perExampleSgd's contract (assembly/per-example.ts) with the rules of the description's RULE blocks. */
export function perExampleSgdReg(desc: usize, idx: usize, labels: usize, count: i32, losses: usize, correct: usize): i32 {
  const layers = load<i32>(desc);
  const inputs = load<i32>(desc, HEADER);
  const first = desc + HEADER;
  const last = first + <usize>(layers - 1) * LAYER;
  const rules = first + <usize>layers * LAYER;
  const classes = load<i32>(last, 4);
  const now0 = load<f64>(rules, 48);
  const kind0 = load<i32>(rules);
  const cols = load<i32>(first, 4);
  if (kind0 == SCALED && count > 0 && !allAt(rules, inputs)) syncRows(first, rules, now0);
  // A modal matrix: into its eigenbasis at its first call (every row current first), then its scales.
  let s1: f64 = 1, s2: f64 = 1;
  if (kind0 == MODAL && count > 0) {
    const flag = <usize>load<i32>(rules, 128);
    if (load<f64>(flag) == 0) {
      syncRows(first, rules, now0);
      toModal(first, rules);
      store<f64>(flag, 1);
    }
    const r1 = load<f64>(rules, 80), r2 = load<f64>(rules, 88);
    for (let k = <i32>(now0 - load<f64>(<usize>load<i32>(rules, 12))); k > 0; k--) {
      s1 *= r1;
      s2 *= r2;
    }
  }
  let r = 0;
  for (; r < count; r++) {
    const now = now0 + <f64>r;
    exampleList(desc, <usize>load<i32>(first, 28), <usize>load<i32>(first, 32), <usize>load<i32>(first, 36), load<i32>(first, 4) << 2, idx, r, kind0 == LAZY ? <usize>load<i32>(rules, 56) : 0);
    let next: f64 = 1;
    if (kind0 == LAZY) {
      lazyCoefficients(first, rules, now);
      lazySums(first, rules, 0, cols);
    } else if (kind0 == MODAL) {
      if (s2 < MIN_MODAL_SCALE) {
        renormalise(first, rules, s1, s2, now);
        s1 = 1;
        s2 = 1;
      }
      modalSums(first, rules, s1, s2, 0, cols);
    } else {
      const y = <usize>load<i32>(first, 20);
      const steps = <usize>load<i32>(rules, 12);
      // The scaled matrix brought back to W when k reaches P, before it is read.
      if (kind0 == SCALED && now - load<f64>(steps) >= <f64>load<i32>(rules, 72)) syncRows(first, rules, now);
      sumListRows(y, 0, <usize>load<i32>(first, 8), cols, <usize>load<i32>(first, 28), <usize>load<i32>(first, 32), 0, <usize>load<i32>(first, 36), 1);
      if (kind0 == SCALED) {
        const powers = <usize>load<i32>(rules, 40);
        const k = <usize><i32>(now - load<f64>(steps));
        scaleColumns(y, load<f64>(powers + (k << 5)), 0, cols);
        next = load<f64>(powers + ((k + 1) << 5));
      }
    }
    biasAndRelu(first, layers == 1);
    for (let l = 1; l < layers; l++) forwardLayer(first + <usize>l * LAYER, l == layers - 1);
    const label = <i32>load<u8>(labels + <usize>r);
    const loss = softmaxCrossEntropy(load<i32>(last, 24), load<i32>(last, 20), label, classes);
    store<f64>(losses + (<usize>r << 3), loss);
    store<u8>(correct + <usize>r, <u8>(argmax(load<i32>(last, 20), classes) == label));
    if (!isFinite(loss)) break;
    for (let l = layers - 1; l >= 1; l--) {
      const layer = first + <usize>l * LAYER;
      inputGradientRows(desc, layer);
      biasGradient(layer);
      stepLayer(layer, rules + <usize>l * RULE);
    }
    biasGradient(first);
    if (kind0 == LAZY) {
      lazySteps(first, rules, 0, cols);
      lazyStepped(first, rules, now + 1);
    } else if (kind0 == MODAL) {
      const n1 = s1 * load<f64>(rules, 80), n2 = s2 * load<f64>(rules, 88);
      modalSteps(first, rules, n1, n2, 0, cols);
      s1 = n1;
      s2 = n2;
    } else {
      const ld = <usize>load<i32>(first, 56);
      const lr = load<f64>(first, 40);
      scaledDelta(ld, <usize>load<i32>(first, 24), cols, kind0 == SCALED ? lr / next : lr);
      listSteps(first, 0, cols);
    }
    stepBias(first, rules);
  }
  denseRowsAt(first, rules, layers, now0 + <f64>r);
  return r;
}

/** The first layer's (w, v) at scale 1 into (P, Q) (modal-map.ts's toModal): q = (v - h1 w) * (1 / (h2 - h1)). */
function toModal(layer: usize, rule: usize): void {
  const size = load<i32>(layer) * load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const v = <usize>load<i32>(rule, 4);
  const h1 = load<f64>(rule, 96);
  const inv = 1 / (load<f64>(rule, 104) - h1);
  const hv = f64x2.splat(h1), iv = f64x2.splat(inv);
  let j = 0;
  for (; j + 4 <= size; j += 4) {
    const o = <usize>j << 2;
    const w4 = v128.load(w + o), v4 = v128.load(v + o);
    const wl = f64x2.promote_low_f32x4(w4), wh = f64x2.promote_low_f32x4(high(w4));
    const ql = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v4), f64x2.mul(hv, wl)), iv);
    const qh = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(high(v4)), f64x2.mul(hv, wh)), iv);
    v128.store(w + o, join(f64x2.sub(wl, ql), f64x2.sub(wh, qh)));
    v128.store(v + o, join(ql, qh));
  }
  for (; j < size; j++) {
    const o = <usize>j << 2;
    const wj = <f64>load<f32>(w + o);
    const q = (<f64>load<f32>(v + o) - h1 * wj) * inv;
    store<f32>(w + o, <f32>(wj - q));
    store<f32>(v + o, <f32>q);
  }
}

/**
 * P = flushV(fl32(s1 P)), Q = flushV(fl32(s2 Q)) (float64 products, rounded once; below 2^-64 +0, else the
 * rows of rare pixels would shrink into float32's subnormals), every row's step count now: scales 1. P is
 * kept as it is when s1 is 1 (without L2 r1 is 1: P does not shrink), a pass over the matrix saved.
 */
function renormalise(layer: usize, rule: usize, s1: f64, s2: f64, now: f64): void {
  const rows = load<i32>(layer);
  const size = rows * load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const v = <usize>load<i32>(rule, 4);
  if (s1 != 1) scaleAll(w, size, s1);
  scaleAll(v, size, s2);
  const steps = <usize>load<i32>(rule, 12);
  for (let i = 0; i < rows; i++) store<f64>(steps + (<usize>i << 3), now);
}

/** x[n] = flushV(fl32(s * x)) (s * x in float64), four at a time: a row unread for many periods goes to +0. */
function scaleAll(x: usize, n: i32, s: f64): void {
  const sv = f64x2.splat(s);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const x4 = v128.load(x + o);
    v128.store(x + o, flushV4(join(f64x2.mul(sv, f64x2.promote_low_f32x4(x4)), f64x2.mul(sv, f64x2.promote_low_f32x4(high(x4))))));
  }
  for (; j < n; j++) store<f32>(x + (<usize>j << 2), flushV(<f32>(s * <f64>load<f32>(x + (<usize>j << 2)))));
}

/**
 * A modal matrix's sums over columns [c0, c1): z1 = x · P into y, z2 = x · Q (sumListRows, each), then
 * y = fl32(s1 z1 + s2 z2) in float64.
 */
function modalSums(layer: usize, rule: usize, s1: f64, s2: f64, c0: i32, c1: i32): void {
  const col = <usize>c0 << 2;
  const y = <usize>load<i32>(layer, 20) + col;
  const z2 = <usize>load<i32>(rule, 76) + col;
  const offs = <usize>load<i32>(layer, 28), vals = <usize>load<i32>(layer, 32), cnt = <usize>load<i32>(layer, 36);
  sumListRows(y, 0, <usize>load<i32>(layer, 8) + col, c1 - c0, offs, vals, 0, cnt, 1);
  sumListRows(z2, 0, <usize>load<i32>(rule, 4) + col, c1 - c0, offs, vals, 0, cnt, 1);
  const v1 = f64x2.splat(s1), v2 = f64x2.splat(s2);
  let j = 0;
  for (; j + 4 <= c1 - c0; j += 4) {
    const o = <usize>j << 2;
    const a = v128.load(y + o), b = v128.load(z2 + o);
    const lo = f64x2.add(f64x2.mul(v1, f64x2.promote_low_f32x4(a)), f64x2.mul(v2, f64x2.promote_low_f32x4(b)));
    const hi = f64x2.add(f64x2.mul(v1, f64x2.promote_low_f32x4(high(a))), f64x2.mul(v2, f64x2.promote_low_f32x4(high(b))));
    v128.store(y + o, join(lo, hi));
  }
  for (; j < c1 - c0; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, <f32>(s1 * <f64>load<f32>(y + o) + s2 * <f64>load<f32>(z2 + o)));
  }
}

/**
 * A modal matrix's step over columns [c0, c1) with the scales after it n1, n2: ld1 = fl32((-c1 / n1) d),
 * ld2 = fl32((-c2 / n2) d) (float64, rounded once: scaledDelta), then P and Q's listed rows stepped by them (stepListRows).
 */
function modalSteps(layer: usize, rule: usize, n1: f64, n2: f64, c0: i32, c1: i32): void {
  const col = <usize>c0 << 2;
  const d = <usize>load<i32>(layer, 24) + col;
  const ld1 = <usize>load<i32>(layer, 56) + col;
  const ld2 = <usize>load<i32>(rule, 76) + col;
  scaledDelta(ld1, d, c1 - c0, -load<f64>(rule, 112) / n1);
  scaledDelta(ld2, d, c1 - c0, -load<f64>(rule, 120) / n2);
  const offs = <usize>load<i32>(layer, 28), vals = <usize>load<i32>(layer, 32), cnt = load<i32>(<usize>load<i32>(layer, 36));
  stepListRows(<usize>load<i32>(layer, 8) + col, c1 - c0, offs, vals, cnt, ld1);
  stepListRows(<usize>load<i32>(rule, 4) + col, c1 - c0, offs, vals, cnt, ld2);
}

/** Whether every row of the first layer is at the same step count. */
function allAt(rule: usize, rows: i32): bool {
  const steps = <usize>load<i32>(rule, 12);
  const s0 = load<f64>(steps);
  for (let i = 1; i < rows; i++) if (load<f64>(steps + (<usize>i << 3)) != s0) return false;
  return true;
}

/** M^k (k = now - the row's step count) into (a, b, c, d) at out: the table's, or StepPowers.power's product. */
function powerInto(rule: usize, k: i32, out: usize): void {
  const powers = <usize>load<i32>(rule, 40);
  const T = load<i32>(rule, 44);
  if (k < T) {
    const t = powers + (<usize>k << 5);
    store<f64>(out, load<f64>(t));
    store<f64>(out, load<f64>(t, 8), 8);
    store<f64>(out, load<f64>(t, 16), 16);
    store<f64>(out, load<f64>(t, 24), 24);
    return;
  }
  const lastP = T - 1;
  const L = powers + (<usize>lastP << 5);
  const l0 = load<f64>(L), l1 = load<f64>(L, 8), l2 = load<f64>(L, 16), l3 = load<f64>(L, 24);
  const t = powers + (<usize>(k % lastP) << 5);
  let a = load<f64>(t), b = load<f64>(t, 8), c = load<f64>(t, 16), d = load<f64>(t, 24);
  for (let n = k / lastP; n > 0; n--) {
    const na = l0 * a + l1 * c, nb = l0 * b + l1 * d;
    const nc = l2 * a + l3 * c, nd = l2 * b + l3 * d;
    a = na; b = nb; c = nc; d = nd;
  }
  store<f64>(out, a);
  store<f64>(out, b, 8);
  store<f64>(out, c, 16);
  store<f64>(out, d, 24);
}

/** Every row of the first layer brought to step `now` by rowsDecay's arithmetic (float64, rounded once). */
function syncRows(layer: usize, rule: usize, now: f64): void {
  const n = load<i32>(layer);
  const cols = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const v = <usize>load<i32>(rule, 4);
  const steps = <usize>load<i32>(rule, 12);
  const m = scratchF64(rule);
  const rowBytes = <usize>cols << 2;
  for (let i = 0; i < n; i++) {
    const sp = steps + (<usize>i << 3);
    const k = now - load<f64>(sp);
    if (k == 0) continue;
    powerInto(rule, <i32>k, m);
    const base = <usize>i * rowBytes;
    decayRow(w + base, v == 0 ? 0 : v + base, load<f64>(m), load<f64>(m, 8), load<f64>(m, 16), load<f64>(m, 24), cols);
    store<f64>(sp, now);
  }
}

/** y[c0, c1) = fl32(s * y): the scaled matrix's sums. */
function scaleColumns(y: usize, s: f64, c0: i32, c1: i32): void {
  for (let j = c0; j < c1; j++) {
    const p = y + (<usize>j << 2);
    store<f32>(p, <f32>(s * <f64>load<f32>(p)));
  }
}

/** The first layer's listed rows stepped by ld over columns [c0, c1) (stepListRows on that range). */
function listSteps(layer: usize, c0: i32, c1: i32): void {
  const col = <usize>c0 << 2;
  stepListRows(<usize>load<i32>(layer, 8) + col, c1 - c0, <usize>load<i32>(layer, 28), <usize>load<i32>(layer, 32), load<i32>(<usize>load<i32>(layer, 36)), <usize>load<i32>(layer, 56) + col);
}

/**
 * For each listed row of the first layer: M^k (k = now - its step count) rounded to float32 into the scratch
 * (a, b, c, d at +0, +4, +8, +12; +16: 1 when k is not 0), and its step count set to now.
 */
function lazyCoefficients(layer: usize, rule: usize, now: f64): void {
  const cnt = load<i32>(<usize>load<i32>(layer, 36));
  const steps = <usize>load<i32>(rule, 12);
  const rows = <usize>load<i32>(rule, 56);
  const coef = <usize>load<i32>(rule, 76);
  for (let q = 0; q < cnt; q++) {
    const sp = steps + (<usize>load<i32>(rows + (<usize>q << 2)) << 3);
    const k = now - load<f64>(sp);
    const c = coef + (<usize>q << 5);
    store<i32>(c, i32(k != 0), 16);
    if (k == 0) continue;
    const m = scratchF64(rule);
    powerInto(rule, <i32>k, m);
    store<f32>(c, coefficient(load<f64>(m)));
    store<f32>(c, coefficient(load<f64>(m, 8)), 4);
    store<f32>(c, coefficient(load<f64>(m, 16)), 8);
    store<f32>(c, coefficient(load<f64>(m, 24)), 12);
    store<f64>(sp, now);
  }
}

/** Coefficients of M^k below this (in magnitude) are taken as 0 (per-example-reg-ref.ts: no subnormals). */
const TINY_COEF: f32 = 9.094947017729282e-13; // 2^-40
/** Velocities below this (in magnitude) are stored as +0. */
const TINY_V: f32 = 5.421010862427522e-20; // 2^-64

/** M^k's entry rounded to float32, 0 when below TINY_COEF. */
// @ts-ignore: decorator
@inline function coefficient(x: f64): f32 {
  const c = <f32>x;
  return Math.abs(c) < TINY_COEF ? 0 : c;
}

/** A velocity as stored: +0 when below TINY_V in magnitude (NaN kept). */
// @ts-ignore: decorator
@inline function flushV(v: f32): f32 {
  return Math.abs(v) < TINY_V ? 0 : v;
}

/** flushV on four lanes. */
// @ts-ignore: decorator
@inline function flushV4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(TINY_V)));
}

/** 32 bytes of float64 scratch after the rows' coefficients (the scratch holds in + 4 rows). */
// @ts-ignore: decorator
@inline function scratchF64(rule: usize): usize {
  return <usize>load<i32>(rule, 76) - 32;
}

/**
 * The first layer's sums over columns [c0, c1) with the listed rows' catch-up on the way: each row (ascending)
 * whose k is not 0 becomes w' = fl32(fl32(a w) + fl32(b v)), v' = fl32(fl32(c w) + fl32(d v)) (without a
 * velocity w' = fl32(a w)) and is stored; then y = fl32(y + fl32(x w)) from +0.
 */
function lazySums(layer: usize, rule: usize, c0: i32, c1: i32): void {
  const cols = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const y = <usize>load<i32>(layer, 20);
  const vals = <usize>load<i32>(layer, 32);
  const cnt = load<i32>(<usize>load<i32>(layer, 36));
  const v = <usize>load<i32>(rule, 4);
  const rows = <usize>load<i32>(rule, 56);
  const coef = <usize>load<i32>(rule, 76);
  const rowBytes = <usize>cols << 2;
  const vec = c0 + ((c1 - c0) & ~3);
  for (let j = c0; j < c1; j++) store<f32>(y + (<usize>j << 2), 0);
  for (let q = 0; q < cnt; q++) {
    const base = <usize>load<i32>(rows + (<usize>q << 2)) * rowBytes;
    const x = load<f32>(vals + (<usize>q << 2));
    const c = coef + (<usize>q << 5);
    const pw = w + base;
    const xv = f32x4.splat(x);
    if (load<i32>(c, 16) == 0) {
      for (let j = c0; j < vec; j += 4) {
        const o = <usize>j << 2;
        v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(xv, v128.load(pw + o))));
      }
      for (let j = vec; j < c1; j++) {
        const o = <usize>j << 2;
        store<f32>(y + o, load<f32>(y + o) + x * load<f32>(pw + o));
      }
      continue;
    }
    const a = load<f32>(c), b = load<f32>(c, 4), cc = load<f32>(c, 8), d = load<f32>(c, 12);
    const av = f32x4.splat(a);
    if (v == 0) {
      for (let j = c0; j < vec; j += 4) {
        const o = <usize>j << 2;
        const nw = f32x4.mul(av, v128.load(pw + o));
        v128.store(pw + o, nw);
        v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(xv, nw)));
      }
      for (let j = vec; j < c1; j++) {
        const o = <usize>j << 2;
        const nw: f32 = a * load<f32>(pw + o);
        store<f32>(pw + o, nw);
        store<f32>(y + o, load<f32>(y + o) + x * nw);
      }
      continue;
    }
    const pv = v + base;
    const bv = f32x4.splat(b), cv = f32x4.splat(cc), dv = f32x4.splat(d);
    for (let j = c0; j < vec; j += 4) {
      const o = <usize>j << 2;
      const w4 = v128.load(pw + o), v4 = v128.load(pv + o);
      const nw = f32x4.add(f32x4.mul(av, w4), f32x4.mul(bv, v4));
      v128.store(pw + o, nw);
      v128.store(pv + o, flushV4(f32x4.add(f32x4.mul(cv, w4), f32x4.mul(dv, v4))));
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(xv, nw)));
    }
    for (let j = vec; j < c1; j++) {
      const o = <usize>j << 2;
      const wj = load<f32>(pw + o), vj = load<f32>(pv + o);
      const nw: f32 = a * wj + b * vj;
      store<f32>(pw + o, nw);
      store<f32>(pv + o, flushV(cc * wj + d * vj));
      store<f32>(y + o, load<f32>(y + o) + x * nw);
    }
  }
}

/** The first layer's listed rows: the element step with g = fl32(x * d[j]) over columns [c0, c1). */
function lazySteps(layer: usize, rule: usize, c0: i32, c1: i32): void {
  const cols = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const d = <usize>load<i32>(layer, 24);
  const vals = <usize>load<i32>(layer, 32);
  const cnt = load<i32>(<usize>load<i32>(layer, 36));
  const v = <usize>load<i32>(rule, 4);
  const rows = <usize>load<i32>(rule, 56);
  const rowBytes = <usize>cols << 2;
  const lr = <f32>load<f64>(layer, 40), m = <f32>load<f64>(rule, 16), l2 = <f32>load<f64>(rule, 24);
  for (let q = 0; q < cnt; q++) {
    const base = <usize>load<i32>(rows + (<usize>q << 2)) * rowBytes;
    rowStep(w + base, v == 0 ? 0 : v + base, load<f32>(vals + (<usize>q << 2)), d, c0, c1, lr, m, l2);
  }
}

/** The listed rows' step counts set to now (after their step). */
function lazyStepped(layer: usize, rule: usize, now: f64): void {
  const cnt = load<i32>(<usize>load<i32>(layer, 36));
  const steps = <usize>load<i32>(rule, 12);
  const rows = <usize>load<i32>(rule, 56);
  for (let q = 0; q < cnt; q++) store<f64>(steps + (<usize>load<i32>(rows + (<usize>q << 2)) << 3), now);
}

/**
 * One row's element step over columns [c0, c1): g = fl32(x * d[j]); g' = l2 != 0 ? fl32(g + fl32(l2 w)) : g;
 * with pv, v = fl32(fl32(m v) + g'), w = fl32(w - fl32(lr v)); without, w = fl32(w - fl32(lr g')).
 */
function rowStep(pw: usize, pv: usize, x: f32, d: usize, c0: i32, c1: i32, lr: f32, m: f32, l2: f32): void {
  if (pv == 0) {
    if (l2 != 0) rowStepCase(pw, 0, x, d, c0, c1, lr, m, l2, true, false);
    else rowStepCase(pw, 0, x, d, c0, c1, lr, m, l2, false, false);
  } else if (l2 != 0) rowStepCase(pw, pv, x, d, c0, c1, lr, m, l2, true, true);
  else rowStepCase(pw, pv, x, d, c0, c1, lr, m, l2, false, true);
}

// @ts-ignore: decorator
@inline function rowStepCase(pw: usize, pv: usize, x: f32, d: usize, c0: i32, c1: i32, lr: f32, m: f32, l2: f32, withL2: bool, withV: bool): void {
  const xv = f32x4.splat(x), lrv = f32x4.splat(lr), mv = f32x4.splat(m), l2v = f32x4.splat(l2);
  const vec = c0 + ((c1 - c0) & ~3);
  for (let j = c0; j < vec; j += 4) pairElement(pw, pv, <usize>j << 2, xv, d, lrv, mv, l2v, withL2, withV);
  for (let j = vec; j < c1; j++) {
    const o = <usize>j << 2;
    const wj = load<f32>(pw + o);
    let g: f32 = x * load<f32>(d + o);
    if (withL2) g = g + l2 * wj;
    if (withV) {
      const nv: f32 = flushV(m * load<f32>(pv + o) + g);
      store<f32>(pv + o, nv);
      store<f32>(pw + o, wj - lr * nv);
    } else store<f32>(pw + o, wj - lr * g);
  }
}

/**
 * The gradient at a layer's input from W's rows before its step, through the ReLU below (y > 0) into that
 * layer's d: for row i, four lanes from +0, lane l += fl32(d[j] W[i][j]) for j = 4c + l (c ascending), then
 * the last out % 4 columns' products into lanes 0.. (+0 into the others), dx[i] = fl32(fl32(l0 + l1) +
 * fl32(l2 + l3)). Only the rows of the layer's input list (the ReLU's nonzero outputs: y > 0) are summed, the
 * others +0 as the ReLU's mask makes them; four rows at a time, their lanes' sums taken side by side (the same
 * additions, as shuffles).
 */
function inputGradientRows(desc: usize, layer: usize): void {
  const n = load<i32>(layer);
  const out = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const d = <usize>load<i32>(layer, 24);
  const offs = <usize>load<i32>(layer, 28);
  const cnt = load<i32>(<usize>load<i32>(layer, 36));
  const dBelow = <usize>load<i32>(layer - LAYER, 24);
  const rowBytes = <usize>out << 2;
  // A row's place in dBelow from its offset in W (a multiple of rowBytes: the nearest integer, exact).
  const perRow: f64 = 4 / <f64>rowBytes;
  const vec = out & ~3;
  const tail = out & 3;
  const tb = <usize>vec << 2;
  const d0: f32 = tail > 0 ? load<f32>(d + tb) : 0, d1: f32 = tail > 1 ? load<f32>(d + tb, 4) : 0, d2: f32 = tail > 2 ? load<f32>(d + tb, 8) : 0;
  // The tail's d in lanes 0.. and +0 after: its products with tailOf's +0 lanes are +0, as the lanes set to 0.
  const dt = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(0), 0, d0), 1, d1), 2, d2);
  const zero = f32x4.splat(0);
  memory.fill(dBelow, 0, <usize>n << 2);
  let q = 0;
  for (; q + 4 <= cnt; q += 4) {
    const e = offs + (<usize>q << 2);
    const o0 = <usize>load<i32>(e), o1 = <usize>load<i32>(e, 4), o2 = <usize>load<i32>(e, 8), o3 = <usize>load<i32>(e, 12);
    const r0 = w + o0, r1 = w + o1, r2 = w + o2, r3 = w + o3;
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (let j = 0; j < vec; j += 4) {
      const o = <usize>j << 2;
      const dv = v128.load(d + o);
      a0 = f32x4.add(a0, f32x4.mul(dv, v128.load(r0 + o)));
      a1 = f32x4.add(a1, f32x4.mul(dv, v128.load(r1 + o)));
      a2 = f32x4.add(a2, f32x4.mul(dv, v128.load(r2 + o)));
      a3 = f32x4.add(a3, f32x4.mul(dv, v128.load(r3 + o)));
    }
    if (tail > 0) {
      a0 = f32x4.add(a0, f32x4.mul(dt, tailOf(r0 + tb, tail)));
      a1 = f32x4.add(a1, f32x4.mul(dt, tailOf(r1 + tb, tail)));
      a2 = f32x4.add(a2, f32x4.mul(dt, tailOf(r2 + tb, tail)));
      a3 = f32x4.add(a3, f32x4.mul(dt, tailOf(r3 + tb, tail)));
    }
    // (l0 + l1, l2 + l3) of rows 0, 1 and of rows 2, 3, then their sums: row r's dx in lane r.
    const s01 = f32x4.add(v128.shuffle<i32>(a0, a1, 0, 4, 2, 6), v128.shuffle<i32>(a0, a1, 1, 5, 3, 7));
    const s23 = f32x4.add(v128.shuffle<i32>(a2, a3, 0, 4, 2, 6), v128.shuffle<i32>(a2, a3, 1, 5, 3, 7));
    const s = f32x4.add(v128.shuffle<i32>(s01, s23, 0, 1, 4, 5), v128.shuffle<i32>(s01, s23, 2, 3, 6, 7));
    store<f32>(rowPlace(dBelow, o0, perRow), f32x4.extract_lane(s, 0));
    store<f32>(rowPlace(dBelow, o1, perRow), f32x4.extract_lane(s, 1));
    store<f32>(rowPlace(dBelow, o2, perRow), f32x4.extract_lane(s, 2));
    store<f32>(rowPlace(dBelow, o3, perRow), f32x4.extract_lane(s, 3));
  }
  for (; q < cnt; q++) {
    const o0 = <usize>load<i32>(offs + (<usize>q << 2));
    const row = w + o0;
    let acc = f32x4.splat(0);
    for (let j = 0; j < vec; j += 4) {
      const o = <usize>j << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(d + o), v128.load(row + o)));
    }
    if (tail > 0) acc = f32x4.add(acc, f32x4.mul(dt, tailOf(row + tb, tail)));
    const s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    store<f32>(rowPlace(dBelow, o0, perRow), s);
  }
}

/** The address of a row's value in base (f32 per row) from its byte offset in W (o = row * rowBytes). */
// @ts-ignore: decorator
@inline function rowPlace(base: usize, o: usize, perRow: f64): usize {
  return base + (<usize>(<f64>o * perRow + 0.5) & ~3);
}

/** The last tail (1 to 3) values at p in lanes 0.., +0 in the others (nothing read past them). */
// @ts-ignore: decorator
@inline function tailOf(p: usize, tail: i32): v128 {
  if (tail == 1) return v128.load32_zero(p);
  const two = v128.load64_zero(p);
  return tail == 2 ? two : f32x4.replace_lane(two, 2, load<f32>(p, 8));
}

/** A layer above the first: its weight step by its rule (every row, x the ReLU output below), then its bias's. */
function stepLayer(layer: usize, rule: usize): void {
  const n = load<i32>(layer);
  const out = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const d = <usize>load<i32>(layer, 24);
  const x = <usize>load<i32>(layer - LAYER, 20);
  const rowBytes = <usize>out << 2;
  if (load<i32>(rule) == SGD) {
    const ld = <usize>load<i32>(layer, 56);
    scaledDelta(ld, d, out, load<f64>(layer, 40));
    for (let i = 0; i < n; i++) {
      const xi = load<f32>(x + (<usize>i << 2));
      if (xi != 0) stepRow32(w + <usize>i * rowBytes, xi, ld, out);
    }
  } else {
    const v = <usize>load<i32>(rule, 4);
    const lr = <f32>load<f64>(layer, 40), m = <f32>load<f64>(rule, 16), l2 = <f32>load<f64>(rule, 24);
    let i = 0;
    if ((out & 3) == 2) {
      // Two rows at a time (2 out columns: whole vectors), d twice in the scratch.
      const dd = <usize>load<i32>(rule, 76);
      memory.copy(dd, d, rowBytes);
      memory.copy(dd + rowBytes, d, rowBytes);
      i = pairSteps(w, v, x, dd, n, out, lr, m, l2);
    }
    rowSteps(w, v, x, d, i, n, out, lr, m, l2);
  }
  stepBias(layer, rule);
}

/**
 * The element steps of rows [0, n & ~1) in pairs (2 out elements from each pair's start, out % 4 == 2), g = x *
 * d with x = x[i] on row i's columns and x[i + 1] on the next one's, dd = d twice: each element's arithmetic is
 * rowStep's. Returns the rows done. (The case is chosen once for the layer: a call per pair cost more than
 * its five vectors' work.)
 */
function pairSteps(w: usize, v: usize, x: usize, dd: usize, n: i32, out: i32, lr: f32, m: f32, l2: f32): i32 {
  if (v == 0) {
    if (l2 != 0) return pairStepsCase(w, 0, x, dd, n, out, lr, m, l2, true, false);
    return pairStepsCase(w, 0, x, dd, n, out, lr, m, l2, false, false);
  }
  if (l2 != 0) return pairStepsCase(w, v, x, dd, n, out, lr, m, l2, true, true);
  return pairStepsCase(w, v, x, dd, n, out, lr, m, l2, false, true);
}

// @ts-ignore: decorator
@inline function pairStepsCase(w: usize, v: usize, x: usize, dd: usize, n: i32, out: i32, lr: f32, m: f32, l2: f32, withL2: bool, withV: bool): i32 {
  const lrv = f32x4.splat(lr), mv = f32x4.splat(m), l2v = f32x4.splat(l2);
  const pairBytes = <usize>out << 3;
  // The first row's whole vectors (x = xa), the vector across both rows, the second row's (x = xb).
  const half = out - 2;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const base = <usize>(i >> 1) * pairBytes;
    const pw = w + base, pv = withV ? v + base : 0;
    const av = v128.load32_splat(x + (<usize>i << 2)), bv = v128.load32_splat(x + (<usize>i << 2) + 4);
    const mix = v128.shuffle<i32>(av, bv, 0, 1, 4, 5);
    if (out == 10) {
      // The chapter's ten classes: the five vectors written out.
      pairElement(pw, pv, 0, av, dd, lrv, mv, l2v, withL2, withV);
      pairElement(pw, pv, 16, av, dd, lrv, mv, l2v, withL2, withV);
      pairElement(pw, pv, 32, mix, dd, lrv, mv, l2v, withL2, withV);
      pairElement(pw, pv, 48, bv, dd, lrv, mv, l2v, withL2, withV);
      pairElement(pw, pv, 64, bv, dd, lrv, mv, l2v, withL2, withV);
      continue;
    }
    let e = 0;
    for (; e < half; e += 4) pairElement(pw, pv, <usize>e << 2, av, dd, lrv, mv, l2v, withL2, withV);
    pairElement(pw, pv, <usize>e << 2, mix, dd, lrv, mv, l2v, withL2, withV);
    for (e += 4; e < 2 * out; e += 4) pairElement(pw, pv, <usize>e << 2, bv, dd, lrv, mv, l2v, withL2, withV);
  }
  return i;
}

/** Rows [i0, n) of a layer above the first: rowStep on each (x = x[i]), the case chosen once. */
function rowSteps(w: usize, v: usize, x: usize, d: usize, i0: i32, n: i32, out: i32, lr: f32, m: f32, l2: f32): void {
  if (v == 0) {
    if (l2 != 0) rowStepsCase(w, 0, x, d, i0, n, out, lr, m, l2, true, false);
    else rowStepsCase(w, 0, x, d, i0, n, out, lr, m, l2, false, false);
  } else if (l2 != 0) rowStepsCase(w, v, x, d, i0, n, out, lr, m, l2, true, true);
  else rowStepsCase(w, v, x, d, i0, n, out, lr, m, l2, false, true);
}

// @ts-ignore: decorator
@inline function rowStepsCase(w: usize, v: usize, x: usize, d: usize, i0: i32, n: i32, out: i32, lr: f32, m: f32, l2: f32, withL2: bool, withV: bool): void {
  const rowBytes = <usize>out << 2;
  for (let i = i0; i < n; i++) {
    const base = <usize>i * rowBytes;
    rowStepCase(w + base, withV ? v + base : 0, load<f32>(x + (<usize>i << 2)), d, 0, out, lr, m, l2, withL2, withV);
  }
}

/** rowStep's arithmetic on the four elements at byte o of pw (pv), g = xv * dd (rowStepCase's vector loop, the pair steps). */
// @ts-ignore: decorator
@inline function pairElement(pw: usize, pv: usize, o: usize, xv: v128, dd: usize, lrv: v128, mv: v128, l2v: v128, withL2: bool, withV: bool): void {
  const w4 = v128.load(pw + o);
  let g = f32x4.mul(xv, v128.load(dd + o));
  if (withL2) g = f32x4.add(g, f32x4.mul(l2v, w4));
  if (withV) {
    const nv = flushV4(f32x4.add(f32x4.mul(mv, v128.load(pv + o)), g));
    v128.store(pv + o, nv);
    v128.store(pw + o, f32x4.sub(w4, f32x4.mul(lrv, nv)));
  } else v128.store(pw + o, f32x4.sub(w4, f32x4.mul(lrv, g)));
}

/** The bias's step from its gradient: plain SGD's float32 step, or the element step with its velocity. */
function stepBias(layer: usize, rule: usize): void {
  const b = <usize>load<i32>(layer, 12);
  if (b == 0) return;
  const out = load<i32>(layer, 4);
  const g = <usize>load<i32>(layer, 16);
  const bv = <usize>load<i32>(rule, 8);
  const m = load<f64>(rule, 32), l2 = load<f64>(rule, 64);
  if (bv == 0 && l2 == 0) {
    const ld = <usize>load<i32>(layer, 56);
    scaledDelta(ld, g, out, load<f64>(layer, 48));
    stepRow32(b, 1, ld, out);
    return;
  }
  rowStep(b, bv, 1, g, 0, out, <f32>load<f64>(layer, 48), <f32>m, <f32>l2);
}

/** Kind-1 layers' row steps all set to `now` (they are stepped every step). */
function denseRowsAt(first: usize, rules: usize, layers: i32, now: f64): void {
  for (let l = 0; l < layers; l++) {
    const rule = rules + <usize>l * RULE;
    const steps = <usize>load<i32>(rule, 12);
    if (load<i32>(rule) != DENSE || steps == 0) continue;
    const n = load<i32>(first + <usize>l * LAYER);
    for (let i = 0; i < n; i++) store<f64>(steps + (<usize>i << 3), now);
  }
}
