/**
 * Per-example steps with momentum and L2 weight decay, many in one call (Backend.perExampleSgd with 'sgd-reg'
 * rules): per example, the catch-up of the first layer's rows the image reads (lazy rows, src/nn/lazy-rows.ts),
 * forward, loss, backward, and the regularised steps, with no call between JavaScript and WebAssembly.
 *
 * The arithmetic is that of the kernel-by-kernel path (Model.trainStep with Sgd on the fast backend) operation
 * for operation, by the same functions where they are WebAssembly, so that every bit is the same:
 * - the first layer's rows: LazyRows.prepare (the rows of nonzero pixels brought up to date by M^k, rowsDecay's
 *   arithmetic, with M^k from the power table as LazyRows.catchUp takes it, or StepPowers.power's product beyond
 *   it), and after the backward pass LazyRows.step (rowsSgdStep's one-example arithmetic);
 * - forward, loss and input gradients: assembly/per-example.ts's;
 * - another layer's weights: matmulTN's gradient (x[i] * d[j] + 0 where x[i] is not 0, +0 where it is) stepped
 *   by sgdStep's element step with momentum and L2, every row;
 * - biases: sgdStep itself, with the bias's velocity and momentum.
 *
 * The description is assembly/per-example.ts's (HEADER, LAYER per layer), then RULE bytes per layer:
 *   +0 kind (0 plain SGD, 1 every row stepped with momentum/L2, 2 lazy rows: the first layer only),
 *   +4 W's velocity (0: none), +8 b's velocity (0: none), +12 the row steps (f64[in], 0: none; kind 1 sets them
 *   all to the step count at the end), +16 momentum (f64), +24 W's L2 (f64), +32 b's momentum (f64),
 *   +40 the power table (f64[4 T]: M^0 .. M^(T-1)), +44 T, +48 the step count before the call (f64),
 *   +56 the rows of the first layer's list (i32[in + 4], kind 2), +64 b's L2 (f64).
 */
import { madd } from './madd';
import { stepElement } from './lanes';
import { HEADER, LAYER, append, argmax, exampleList, biasAndRelu, biasGradient, forwardLayer, inputGradient, softmaxCrossEntropy, stepRow } from './per-example';
import { decayRow, stepLanes, stepRowOne } from './rows';
import { sgdStep } from './sgd';

const RULE: usize = 80;
const DENSE = 1;
const LAZY = 2;

/** perExampleSgd's contract (assembly/per-example.ts) with the rules of the description's RULE blocks. */
export function perExampleSgdReg(desc: usize, idx: usize, labels: usize, count: i32, losses: usize, correct: usize): i32 {
  const layers = load<i32>(desc);
  const first = desc + HEADER;
  const last = first + <usize>(layers - 1) * LAYER;
  const rules = first + <usize>layers * LAYER;
  const classes = load<i32>(last, 4);
  const now0 = load<f64>(rules, 48);
  const lazy = load<i32>(rules) == LAZY;
  for (let r = 0; r < count; r++) {
    const now = now0 + <f64>r;
    exampleList(desc, <usize>load<i32>(first, 28), <usize>load<i32>(first, 32), <usize>load<i32>(first, 36), load<i32>(first, 4) << 2, idx, r, lazy ? <usize>load<i32>(rules, 56) : 0);
    if (lazy) {
      forwardLazy(first, rules, now);
      biasAndRelu(first, layers == 1);
    } else forwardLayer(first, layers == 1);
    for (let l = 1; l < layers; l++) forwardLayer(first + <usize>l * LAYER, l == layers - 1);
    const label = <i32>load<u8>(labels + <usize>r);
    const loss = softmaxCrossEntropy(load<i32>(last, 24), load<i32>(last, 20), label, classes);
    store<f64>(losses + (<usize>r << 3), loss);
    store<u8>(correct + <usize>r, <u8>(argmax(load<i32>(last, 20), classes) == label));
    if (!isFinite(loss)) {
      denseRowsAt(first, rules, layers, now);
      return r;
    }
    for (let l = layers - 1; l >= 0; l--) {
      const layer = first + <usize>l * LAYER;
      if (l > 0) inputGradient(desc, layer);
      biasGradient(layer);
      stepLayer(layer, rules + <usize>l * RULE, now + 1);
    }
  }
  denseRowsAt(first, rules, layers, now0 + <f64>count);
  return count;
}

/**
 * The first layer's sums y = x · W with LazyRows.prepare's catch-up at step `now` on the way: each listed row
 * (ascending, as sumListRows takes them) is brought up to date (decayRow's arithmetic, M^k from the power
 * table as LazyRows.catchUp takes it or StepPowers.power's product beyond it) and stored, then added into y
 * as sumListRows adds it (madd on whole vectors from +0, 0 + x * w, then + on the last columns), so y is the
 * sum of the stored rows bit for bit.
 */
function forwardLazy(layer: usize, rule: usize, now: f64): void {
  const cols = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const y = <usize>load<i32>(layer, 20);
  const vals = <usize>load<i32>(layer, 32);
  const cnt = load<i32>(<usize>load<i32>(layer, 36));
  const v = <usize>load<i32>(rule, 4);
  const steps = <usize>load<i32>(rule, 12);
  const powers = <usize>load<i32>(rule, 40);
  const T = load<i32>(rule, 44);
  const rows = <usize>load<i32>(rule, 56);
  const rowBytes = <usize>cols << 2;
  memory.fill(y, 0, rowBytes);
  for (let q = 0; q < cnt; q++) {
    const i = <usize>load<i32>(rows + (<usize>q << 2));
    const x = load<f32>(vals + (<usize>q << 2));
    const pw = w + i * rowBytes;
    const sp = steps + (i << 3);
    const k = now - load<f64>(sp);
    if (k == 0) {
      addRowInto(y, pw, x, cols);
      continue;
    }
    store<f64>(sp, now);
    const pv = v == 0 ? 0 : v + i * rowBytes;
    if (k < <f64>T) {
      const t = powers + (<usize><i32>k << 5);
      decayRow(pw, pv, load<f64>(t), load<f64>(t, 8), load<f64>(t, 16), load<f64>(t, 24), cols);
    } else {
      // StepPowers.power beyond the table: M^k = (M^(T-1))^q · M^r, multiplied in that order.
      const lastP = T - 1;
      const kk = <i32>k;
      const L = powers + (<usize>lastP << 5);
      const l0 = load<f64>(L), l1 = load<f64>(L, 8), l2 = load<f64>(L, 16), l3 = load<f64>(L, 24);
      const t = powers + (<usize>(kk % lastP) << 5);
      let a = load<f64>(t), b = load<f64>(t, 8), c = load<f64>(t, 16), d = load<f64>(t, 24);
      for (let n = kk / lastP; n > 0; n--) {
        const na = l0 * a + l1 * c, nb = l0 * b + l1 * d;
        const nc = l2 * a + l3 * c, nd = l2 * b + l3 * d;
        a = na; b = nb; c = nc; d = nd;
      }
      decayRow(pw, pv, a, b, c, d, cols);
    }
    addRowInto(y, pw, x, cols);
  }
}

/** y[n] += x * row[n] as sumListRows adds one row: madd on whole vectors, x * row then + on the last columns. */
// @ts-ignore: decorator
@inline function addRowInto(y: usize, row: usize, x: f32, n: i32): void {
  const xv = f32x4.splat(x);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    v128.store(y + o, madd(xv, v128.load(row + o), v128.load(y + o)));
    v128.store(y + o, madd(xv, v128.load(row + o, 16), v128.load(y + o, 16)), 16);
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(y + o, madd(xv, v128.load(row + o), v128.load(y + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, load<f32>(y + o) + x * load<f32>(row + o));
  }
}

/** A layer's weight step by its rule (step number `now`), then its bias's (sgdStep). */
function stepLayer(layer: usize, rule: usize, now: f64): void {
  const n = load<i32>(layer);
  const out = load<i32>(layer, 4);
  const w = <usize>load<i32>(layer, 8);
  const b = <usize>load<i32>(layer, 12);
  const d = <usize>load<i32>(layer, 24);
  const lr = load<f64>(layer, 40);
  const kind = load<i32>(rule);
  const v = <usize>load<i32>(rule, 4);
  const momentum = load<f64>(rule, 16);
  const l2 = load<f64>(rule, 24);
  const rowBytes = <usize>out << 2;
  if (kind == LAZY) {
    // LazyRows.step: the listed rows, by rowsSgdStep's one-example arithmetic; they are current at `now`.
    const vals = <usize>load<i32>(layer, 32);
    const cnt = load<i32>(<usize>load<i32>(layer, 36));
    const rows = <usize>load<i32>(rule, 56);
    const steps = <usize>load<i32>(rule, 12);
    for (let q = 0; q < cnt; q++) {
      const o = <usize>q << 2;
      const i = <usize>load<i32>(rows + o);
      const base = i * rowBytes;
      stepRowOne(w + base, v == 0 ? 0 : v + base, load<f32>(vals + o), d, out, lr, momentum, l2);
      store<f64>(steps + (i << 3), now);
    }
  } else if (kind == DENSE) {
    // matmulTN's gradient row by row from the layer's input (the ReLU output below), sgdStep's element step.
    const x = <usize>load<i32>(layer - LAYER, 20);
    for (let i = 0; i < n; i++) {
      const base = <usize>i * rowBytes;
      denseRowStep(w + base, v == 0 ? 0 : v + base, load<f32>(x + (<usize>i << 2)), d, out, lr, momentum, l2);
    }
  } else {
    const offs = <usize>load<i32>(layer, 28);
    const vals = <usize>load<i32>(layer, 32);
    const cnt = load<i32>(<usize>load<i32>(layer, 36));
    for (let q = 0; q < cnt; q++) {
      const o = <usize>q << 2;
      stepRow(w + <usize>load<i32>(offs + o), load<f32>(vals + o), d, out, lr);
    }
  }
  if (b != 0) sgdStep(b, <usize>load<i32>(layer, 16), <usize>load<i32>(rule, 8), load<f64>(layer, 48), load<f64>(rule, 32), load<f64>(rule, 64), 0, out);
}

/**
 * One row of w -= sgdStep(g = x^T · d) with momentum/L2: g[j] as matmulTN sums it for one example (madd(x, d, 0)
 * on whole vectors, 0 + x * d on the last columns; +0 when x is 0, a row matmulTN's list leaves out), then
 * stepElement's arithmetic (L2 added only when l2 is not 0, the velocity only with pv) in float64 pairs.
 */
// @ts-ignore: decorator
@inline function denseRowStep(pw: usize, pv: usize, xs: f32, d: usize, n: i32, lr: f64, momentum: f64, l2: f64): void {
  if (pv == 0) {
    if (l2 != 0) denseRowCase(pw, 0, xs, d, n, lr, momentum, l2, true, false);
    else denseRowCase(pw, 0, xs, d, n, lr, momentum, l2, false, false);
  } else if (l2 != 0) denseRowCase(pw, pv, xs, d, n, lr, momentum, l2, true, true);
  else denseRowCase(pw, pv, xs, d, n, lr, momentum, l2, false, true);
}

// @ts-ignore: decorator
@inline function denseRowCase(pw: usize, pv: usize, xs: f32, d: usize, n: i32, lr: f64, momentum: f64, l2: f64, withL2: bool, withV: bool): void {
  const lrv = f64x2.splat(lr), l2v = f64x2.splat(l2), mv = f64x2.splat(momentum);
  const xv = f32x4.splat(xs);
  const zero = f32x4.splat(0);
  const live = xs != 0;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    stepLanes(pw + o, pv + o, live ? madd(xv, v128.load(d + o), zero) : zero, lrv, l2v, mv, withL2, withV);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const g: f32 = live ? <f32>0 + xs * load<f32>(d + o) : 0;
    stepElement(pw + o, withV ? pv + o : 0, <f64>g, lr, withV ? momentum : 0, withL2 ? l2 : 0);
  }
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
