/**
 * Every kernel of the wasm backend against the reference backend on fresh random inputs (a new seed each
 * run, printed on failure): all shape classes of matmul (transposes, accumulate), sizes that are not
 * multiples of the SIMD width or the 32-column register block, sparse and dense operands, one thread and two.
 * Kernels that round as the reference does must agree bit for bit; sums must agree to float32 rounding.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../create.js';
import { refBackend } from '../ref.js';
import { asBuffer, bufferFrom, view, type FloatArray } from '../backend.js';
import { Rng } from '../../rng/mt19937.js';
import { drawDropoutMask } from '../../nn/dropout.js';
import { ConfigError } from '../../errors.js';
import type { WasmBackend } from './backend.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const ref = refBackend('float32');

/** The contract's kernels: the reference backend's functions (alloc aside). */
const KERNELS = Object.keys(ref).filter((k) => typeof (ref as unknown as Record<string, unknown>)[k] === 'function' && k !== 'alloc');
/** Kernels called on a recording backend, so that the last test can tell which went unchecked. */
const called = new Set<string>();

/** The backend, with every call of a contract kernel recorded in `called` (getters and other members as they are). */
function recordingKernels(be: WasmBackend): WasmBackend {
  return new Proxy(be, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof name !== 'string' || typeof value !== 'function' || !KERNELS.includes(name)) return value;
      return (...args: unknown[]) => {
        called.add(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** uniform(-1, 1) entries, each zero with probability 1 - density (a few as -0). */
function fill(x: FloatArray, rng: Rng, density = 1): FloatArray {
  for (let i = 0; i < x.length; i++) {
    const r = rng.random();
    x[i] = r < density ? 2 * rng.random() - 1 : r < density + (1 - density) * 0.1 ? -0 : 0;
  }
  return x;
}

/** |x|, element-wise, in a reference buffer (the bound of a sum's rounding). */
function abs(x: Readonly<FloatArray>): FloatArray {
  const out = ref.alloc(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]!);
  return out;
}

function assertSame(got: FloatArray, want: FloatArray, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i} is ${got[i]}, reference ${want[i]} (seed ${SEED})`);
  }
}

/**
 * |got - want| <= (terms + 2) * 2^-22 * bound, elementwise: float32 summation of `terms` products whose
 * absolute values sum to bound[i] (Higham's bound with slack 4).
 */
function withinRounding(got: FloatArray, want: FloatArray, bound: FloatArray, terms: number): string | null {
  for (let i = 0; i < want.length; i++) {
    const tol = (terms + 2) * 2 ** -22 * bound[i]! + 1e-30;
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) return `element ${i} is ${got[i]}, reference ${want[i]} (tolerance ${tol})`;
  }
  return null;
}

/** [inSize, rows, outSize] for denseSgdStep: batch 1 (the chapter's SGD), batches, tails of every tile. */
const DENSE_SGD_SHAPES: Array<[number, number, number]> = [
  [784, 1, 100], [100, 1, 10], [784, 100, 100], [13, 1, 37], [33, 7, 129], [5, 3, 3], [1, 1, 1], [9, 4, 5], [0, 2, 3], [3, 0, 4],
];

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 784, 100], [100, 784, 100], [7, 13, 33], [5, 0, 3], [3, 5, 37], [100, 100, 10], [33, 9, 129], [64, 64, 64], [2, 31, 4],
];

for (const threads of [1, 2]) {
  describe(`wasm backend, ${threads} thread(s), against ref (seed ${SEED})`, () => {
    let be: WasmBackend;
    const rng = new Rng((SEED + threads) >>> 0);
    before(async () => {
      be = recordingKernels((await createBackend('wasm', { threads })) as WasmBackend);
    });
    after(() => be.close());

    test('matmul: every shape class, transposes, accumulate, sparse and dense', () => {
      for (const [m, k, n] of SHAPES) {
        for (const density of [1, 0.2, 0]) {
          for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            for (const accumulate of [false, true]) {
              const what = `matmul ${m}x${k}x${n} density ${density} transA ${transA} transB ${transB} accumulate ${accumulate} (seed ${SEED})`;
              const a = fill(be.alloc(m * k), rng, density);
              const b = fill(be.alloc(k * n), rng);
              const out0 = fill(ref.alloc(m * n), rng);
              const out = bufferFrom(be, out0);
              const want = bufferFrom(ref, out0);
              be.matmul(out, a, b, m, k, n, transA, transB, accumulate);
              ref.matmul(want, a, b, m, k, n, transA, transB, accumulate);
              const bound = accumulate ? abs(out0) : ref.alloc(m * n);
              ref.matmul(bound, abs(a), abs(b), m, k, n, transA, transB, true);
              const err = withinRounding(out, want, bound, k);
              if (err) assert.fail(`${what}: ${err}`);
            }
          }
        }
      }
    });

    test('the matmul check can fail: a wrong element is caught', () => {
      const [m, k, n] = [4, 50, 36];
      const a = fill(be.alloc(m * k), rng), b = fill(be.alloc(k * n), rng);
      const out = be.alloc(m * n), want = ref.alloc(m * n), bound = ref.alloc(m * n);
      be.matmul(out, a, b, m, k, n, false, false, false);
      ref.matmul(want, a, b, m, k, n, false, false, false);
      ref.matmul(bound, abs(a), abs(b), m, k, n, false, false, false);
      assert.equal(withinRounding(out, want, bound, k), null);
      out[n + 33] = out[n + 33]! + 1e-3 * bound[n + 33]!; // about 10x the tolerance
      assert.notEqual(withinRounding(out, want, bound, k), null);
    });

    test('matmul and denseSgdStep split over threads without changing a bit', async () => {
      const one = (await createBackend('wasm', { threads: 1 })) as WasmBackend;
      // The W1 workload's big products, and its hidden-to-output ones (h · w, dy · w^T with w the output layer's
      // weights [100, 10]), split since they reach 96 Ki multiply-adds; 13 rows: two parts (whole groups of 8 rows)
      for (const [m, k, n] of [[100, 784, 100], [784, 100, 100], [3, 500, 300], [100, 100, 10], [100, 10, 100], [13, 784, 100]] as const) {
        const a = fill(be.alloc(m * k), rng, 0.3), b = fill(be.alloc(k * n), rng);
        const out = be.alloc(m * n), out1 = one.alloc(m * n);
        be.matmul(out, a, b, m, k, n, false, false, false);
        one.matmul(out1, bufferFrom(one, a), bufferFrom(one, b), m, k, n, false, false, false);
        assertSame(out, out1, `matmul ${m}x${k}x${n}`);
        const at = fill(be.alloc(m * k), rng, 0.3);
        be.matmul(out, at, b, m, k, n, true, false, false);
        one.matmul(out1, bufferFrom(one, at), bufferFrom(one, b), m, k, n, true, false, false);
        assertSame(out, out1, `matmul transA ${m}x${k}x${n}`);
        be.matmul(out, a, b, m, k, n, false, true, false);
        one.matmul(out1, bufferFrom(one, a), bufferFrom(one, b), m, k, n, false, true, false);
        assertSame(out, out1, `matmul transB ${m}x${k}x${n}`);
      }
      // 787 rows: parts of whole blocks of four rows, the last one three rows longer
      for (const [inSize, rows, outSize] of [[784, 100, 100], [784, 1, 100], [300, 37, 33], [100, 100, 10], [787, 30, 100]] as const) {
        const x = fill(be.alloc(rows * inSize), rng, 0.2), dy = fill(be.alloc(rows * outSize), rng);
        const w0 = fill(ref.alloc(inSize * outSize), rng);
        const w = bufferFrom(be, w0), w1 = bufferFrom(one, w0);
        be.denseSgdStep(w, x, dy, 0.01, inSize, rows, outSize);
        one.denseSgdStep(w1, bufferFrom(one, x), bufferFrom(one, dy), 0.01, inSize, rows, outSize);
        assertSame(w, w1, `denseSgdStep ${inSize}x${rows}x${outSize}`);
      }
      one.close();
    });

    test('tasks of different part counts in turn, thousands of times, as on one thread', async () => {
      // A training step's kernels one after another: softmax cross-entropy (8 parts with 2 threads), the first
      // layer's product (13), its weight step (16). A worker late for one task must never run a part of the next.
      const one = (await createBackend('wasm', { threads: 1 })) as WasmBackend;
      const x = fill(be.alloc(100 * 784), rng, 0.2), dy = fill(be.alloc(100 * 100), rng, 0.5);
      const logits = fill(be.alloc(100 * 10), rng);
      const labels = new Uint8Array(100).map((_, i) => (i * 7) % 10);
      const w0 = fill(ref.alloc(784 * 100), rng);
      const sides = [be, one].map((b) => ({
        b, w: bufferFrom(b, w0), x: bufferFrom(b, x), dy: bufferFrom(b, dy), logits: bufferFrom(b, logits),
        y: b.alloc(100 * 100), d: b.alloc(100 * 10), loss: 0,
      }));
      for (let step = 0; step < 1500; step++) {
        for (const s of sides) {
          s.loss += s.b.softmaxCrossEntropy(s.d, s.logits, labels, 100, 10, 0.01);
          s.b.matmul(s.y, s.x, s.w, 100, 784, 100, false, false, false);
          s.b.denseSgdStep(s.w, s.x, s.dy, 1e-7, 784, 100, 100);
        }
      }
      const [two, single] = sides;
      assertSame(two!.w, single!.w, 'weights after 1,500 steps');
      assertSame(two!.y, single!.y, 'the last product');
      assert.equal(two!.loss, single!.loss);
      one.close();
    });

    test('sumRows agrees to float32 rounding; addRowVector exactly', () => {
      for (const [rows, cols] of [[1, 1], [100, 100], [7, 10], [13, 37], [1000, 10]] as const) {
        for (const accumulate of [false, true]) {
          const x = fill(be.alloc(rows * cols), rng, 0.5);
          const out0 = fill(ref.alloc(cols), rng);
          const out = bufferFrom(be, out0), want = bufferFrom(ref, out0);
          be.sumRows(out, x, rows, cols, accumulate);
          ref.sumRows(want, x, rows, cols, accumulate);
          const bound = accumulate ? abs(out0) : ref.alloc(cols);
          ref.sumRows(bound, abs(x), rows, cols, true);
          const err = withinRounding(out, want, bound, rows);
          if (err) assert.fail(`sumRows ${rows}x${cols}: ${err} (seed ${SEED})`);
        }
        const x0 = fill(ref.alloc(rows * cols), rng);
        const bias = fill(be.alloc(cols), rng);
        const x = bufferFrom(be, x0), want = bufferFrom(ref, x0);
        be.addRowVector(x, bias, rows, cols);
        ref.addRowVector(want, bias, rows, cols);
        assertSame(x, want, `addRowVector ${rows}x${cols}`);
      }
    });

    test('element-wise kernels match bit for bit, including NaN, -0 and tails', () => {
      for (const n of [1, 3, 4, 5, 17, 1000, 10001]) {
        const x = fill(be.alloc(n), rng, 0.6);
        if (n > 3) {
          x[1] = NaN;
          x[2] = -0;
        }
        const dy = fill(be.alloc(n), rng), y = be.alloc(n);
        be.relu(y, x, n);
        const yr = ref.alloc(n);
        ref.relu(yr, x, n);
        assertSame(y, yr, `relu n=${n}`);
        const dx = be.alloc(n), dxr = ref.alloc(n);
        be.reluBackward(dx, dy, y, n);
        ref.reluBackward(dxr, dy, y, n);
        assertSame(dx, dxr, `reluBackward n=${n}`);
        be.mul(dx, dy, x, n);
        ref.mul(dxr, dy, x, n);
        assertSame(dx, dxr, `mul n=${n}`);
        for (const k of ['sigmoid', 'tanh'] as const) {
          be[k](dx, x, n);
          ref[k](dxr, x, n);
          assertSame(dx, dxr, `${k} n=${n}`);
          const out = be.alloc(n), outr = ref.alloc(n);
          be[`${k}Backward`](out, dy, dx, n);
          ref[`${k}Backward`](outr, dy, dx, n);
          assertSame(out, outr, `${k}Backward n=${n}`);
        }
      }
    });

    test('row kernels on logits (softmax and its backward, both losses, countCorrect) match bit for bit', () => {
      // Softmax cross-entropy is split over threads from 512 logits on (W1's 100 x 10 batches): both sizes, with
      // and without a gradient, the loss summed in row order (big sums of similar terms: an order change shows);
      // extreme logits in the small case.
      for (const [rows, cols] of [[1000, 10], [100, 10], [3, 200]] as const) {
        const x = fill(be.alloc(rows * cols), rng);
        if (rows === 3) for (let i = 0; i < rows * cols; i += 97) x[i] = [-1e30, 1e30, 88.7, -103][i % 4]!;
        const labels = Uint8Array.from({ length: rows + 5 }, () => rng.randint(cols));
        const d = be.alloc(rows * cols), dr = ref.alloc(rows * cols);
        assert.equal(be.softmaxCrossEntropy(d, x, labels, rows, cols, 0.1), ref.softmaxCrossEntropy(dr, x, labels, rows, cols, 0.1));
        assertSame(d, dr, `softmaxCrossEntropy ${rows}x${cols}`);
        assert.equal(be.softmaxCrossEntropy(null, x, labels, rows, cols, 0.1), ref.softmaxCrossEntropy(null, x, labels, rows, cols, 0.1));
      }
      // Labels past the last column (JavaScript reads a later row's logit, or undefined past the end) and a NaN
      // logit: the same loss (NaN included) and gradients, on the calling thread and split.
      for (const [rowsOdd, nan] of [[4, false], [60, false], [4, true], [60, true]] as const) {
        const xo = fill(be.alloc(rowsOdd * 10), rng);
        if (nan) xo[5] = NaN;
        const lo = Uint8Array.from({ length: rowsOdd }, (_, r) => [3, 12, 15, 9][r % 4]!);
        const d0 = be.alloc(rowsOdd * 10), d0r = ref.alloc(rowsOdd * 10);
        for (const last of [5, 11, 250]) {
          lo[rowsOdd - 1] = last;
          const got = be.softmaxCrossEntropy(d0, xo, lo, rowsOdd, 10, 0.5);
          const want = ref.softmaxCrossEntropy(d0r, xo, lo, rowsOdd, 10, 0.5);
          assert.ok(Object.is(got, want), `softmaxCrossEntropy ${rowsOdd}: labels past the row: ${got}, reference ${want}`);
          if (!nan && last === 5) assert.ok(Number.isFinite(want), 'a later row\'s logit is read, not NaN');
          assertSame(d0, d0r, `softmaxCrossEntropy ${rowsOdd}: labels past the row`);
        }
      }
      const [rows, cols] = [37, 10];
      const x = fill(be.alloc(rows * cols), rng);
      const labels = Uint8Array.from({ length: rows }, () => rng.randint(cols));
      const d = be.alloc(rows * cols), dr = ref.alloc(rows * cols);
      assert.equal(be.softmaxCrossEntropy(d, x, labels, rows, cols, 0.1), ref.softmaxCrossEntropy(dr, x, labels, rows, cols, 0.1));
      assertSame(d, dr, 'softmaxCrossEntropy');
      assert.equal(be.squaredError(d, x, labels, rows, cols, 0.1), ref.squaredError(dr, x, labels, rows, cols, 0.1));
      assertSame(d, dr, 'squaredError');
      assert.equal(be.squaredError(null, x, labels, rows, cols, 0.1), ref.squaredError(null, x, labels, rows, cols, 0.1));
      be.softmaxRows(d, x, rows, cols);
      ref.softmaxRows(dr, x, rows, cols);
      assertSame(d, dr, 'softmaxRows');
      const dy = fill(be.alloc(rows * cols), rng), dx = be.alloc(rows * cols), dxr = ref.alloc(rows * cols);
      be.softmaxBackward(dx, dy, d, rows, cols);
      ref.softmaxBackward(dxr, dy, d, rows, cols);
      assertSame(dx, dxr, 'softmaxBackward');
      // Ties (first index wins) and a row whose best is the label, so that both answers occur.
      x.fill(0.5, 0, cols);
      labels[0] = 0;
      assert.equal(be.countCorrect(x, labels, rows, cols), ref.countCorrect(x, labels, rows, cols));
      assert.ok(ref.countCorrect(x, labels, rows, cols) >= 1);
    });

    test('sgdStep takes the reference step bit for bit: plain, L2, momentum, sparse gradients', () => {
      for (const n of [1, 6, 1000, 79510]) {
        for (const [momentum, l2] of [[0, 0], [0, 0.01], [0.9, 0], [0.9, 1e-3]] as const) {
          const w0 = fill(ref.alloc(n), rng);
          const g = fill(be.alloc(n), rng, 0.2);
          const v0 = fill(ref.alloc(n), rng);
          const w = bufferFrom(be, w0), wr = bufferFrom(ref, w0);
          const v = momentum ? bufferFrom(be, v0) : null, vr = momentum ? bufferFrom(ref, v0) : null;
          be.sgdStep(w, g, v, 0.013, momentum, l2, n);
          ref.sgdStep(wr, g, vr, 0.013, momentum, l2, n);
          assertSame(w, wr, `sgdStep n=${n} momentum=${momentum} l2=${l2}`);
          if (v && vr) assertSame(v, vr, `sgdStep velocity n=${n}`);
        }
      }
    });

    test('rowsDecay and rowsSgdStep (the lazy steps) take the reference step bit for bit: listed rows only, tails, batch 1 and 5', () => {
      for (const [inSize, outSize, rows] of [[784, 100, 1], [50, 10, 1], [37, 7, 5], [20, 13, 1]] as const) {
        for (const [momentum, l2] of [[0, 0.01], [0.9, 0], [0.9, 0.003]] as const) {
          const n = inSize * outSize;
          const w0 = fill(ref.alloc(n), rng), v0 = fill(ref.alloc(n), rng);
          const x = fill(be.alloc(rows * inSize), rng, 0.2), dy = fill(be.alloc(rows * outSize), rng);
          if (rows === 1) dy[1] = -0;
          const list = Int32Array.from({ length: inSize }, (_, i) => i).filter((i) => i % 3 !== 1);
          const coef = Float64Array.from({ length: 4 * list.length }, () => rng.random() * 2 - 1);
          const w = bufferFrom(be, w0), wr = bufferFrom(ref, w0);
          const v = momentum > 0 ? bufferFrom(be, v0) : null, vr = momentum > 0 ? bufferFrom(ref, v0) : null;
          be.rowsDecay(w, v, list, coef, list.length, outSize);
          ref.rowsDecay(wr, vr, list, coef, list.length, outSize);
          assertSame(w, wr, `rowsDecay ${inSize}x${outSize} momentum=${momentum}`);
          if (v && vr) assertSame(v, vr, `rowsDecay velocity ${inSize}x${outSize}`);
          be.rowsSgdStep(w, v, x, dy, list, list.length, 0.013, momentum, l2, inSize, rows, outSize);
          ref.rowsSgdStep(wr, vr, x, dy, list, list.length, 0.013, momentum, l2, inSize, rows, outSize);
          assertSame(w, wr, `rowsSgdStep ${inSize}x${rows}x${outSize} momentum=${momentum} l2=${l2}`);
          if (v && vr) assertSame(v, vr, `rowsSgdStep velocity ${inSize}x${outSize}`);
        }
      }
    });

    test('adamStep takes the reference step bit for bit: plain and with L2, over several steps, SIMD blocks, tails and thread parts', () => {
      const hyper = [
        { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        { lr: 0.05, beta1: 0.5, beta2: 0.9, eps: 1e-3 },
      ];
      // 78,403: above the size split over threads (with 2), parts not a multiple of 4 long at the end.
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 64, 1000, 1003, 78403]) {
        for (const l2 of [0, 0.01]) {
          for (const { lr, beta1, beta2, eps } of hyper) {
            // At an odd element offset too (a view that starts inside a 16-byte block).
            for (const offset of [0, 1]) {
              const w0 = fill(ref.alloc(n), rng);
              const w = offset ? view(bufferFrom(be, [0, ...w0]), 1) : bufferFrom(be, w0), wr = bufferFrom(ref, w0);
              const m = view(be.alloc(n + offset), offset), v = view(be.alloc(n + offset), offset);
              const mr = ref.alloc(n), vr = ref.alloc(n);
              const what = `adamStep n=${n} l2=${l2} beta1=${beta1} offset=${offset}`;
              for (let t = 1; t <= 5; t++) {
                const g = fill(be.alloc(n), rng, t === 3 ? 0.3 : 1);
                be.adamStep(w, m, v, g, lr, beta1, beta2, eps, l2, t, n);
                ref.adamStep(wr, mr, vr, g, lr, beta1, beta2, eps, l2, t, n);
                assertSame(w, wr, `${what} w t=${t}`);
                assertSame(m, mr, `${what} m t=${t}`);
                assertSame(v, vr, `${what} v t=${t}`);
              }
            }
          }
        }
      }
    });

    test('denseSgdStep: exactly matmul (transA) then sgdStep; within float32 rounding of ref; sparse and dense', () => {
      for (const [inSize, rows, outSize] of DENSE_SGD_SHAPES) {
        for (const density of [1, 0.2, 0]) {
          const what = `denseSgdStep ${inSize}x${rows}x${outSize} density ${density} (seed ${SEED})`;
          const x = fill(be.alloc(rows * inSize), rng, density);
          const dy = fill(be.alloc(rows * outSize), rng);
          const w0 = fill(ref.alloc(inSize * outSize), rng);
          const w = bufferFrom(be, w0), composed = bufferFrom(be, w0), g = be.alloc(inSize * outSize);
          be.denseSgdStep(w, x, dy, 0.013, inSize, rows, outSize);
          be.matmul(g, x, dy, inSize, rows, outSize, true, false, false);
          be.sgdStep(composed, g, null, 0.013, 0, 0, inSize * outSize);
          assertSame(w, composed, what);
          // against ref: the gradients agree to float32 rounding, the steps then to lr times that
          const want = bufferFrom(ref, w0), bound = ref.alloc(inSize * outSize);
          ref.denseSgdStep(want, x, dy, 0.013, inSize, rows, outSize);
          ref.matmul(bound, abs(x), abs(dy), inSize, rows, outSize, true, false, true);
          for (let i = 0; i < want.length; i++) {
            const tol = 0.013 * (rows + 2) * 2 ** -22 * bound[i]! + 2 ** -23 * Math.abs(want[i]!);
            if (!(Math.abs(w[i]! - want[i]!) <= tol)) assert.fail(`${what}: element ${i} is ${w[i]}, reference ${want[i]} (tolerance ${tol})`);
          }
          if (density === 0) assertSame(w, bufferFrom(ref, w0), `${what}: an all-zero input leaves w as it is`);
        }
      }
    });

    test('gatherRows scales pixels as the reference does, from its copy of the set and staged row by row', async () => {
      const [count, cols, total] = [250, 784, 400];
      const images = Uint8Array.from({ length: total * cols }, () => (rng.random() < 0.8 ? 0 : rng.randint(256)));
      const idx = Int32Array.from({ length: total }, () => rng.randint(total));
      const staging = (await createBackend('wasm', { threads, imageCacheMB: 0 })) as WasmBackend;
      try {
        // Divisors a float32 division rounds as the reference (255, 3, 0.5: divided in SIMD lanes) and others
        // (0.1 is not a float32; looked up in a table); a size that is not a multiple of 16 for the tails;
        // the set itself and a view inside it (the copy of the whole set serves it).
        const inside = images.subarray(5 * cols, 300 * cols);
        for (const divisor of [255, 3, 0.5, -7, 1e-40, Infinity, 0.1, 1 / 3]) {
          for (const [c, n, set] of [[count, cols, images], [7, 13, images], [count, cols, inside]] as const) {
            for (const b of [be, staging]) {
              const out = b.alloc(c * n), want = ref.alloc(c * n);
              const rows = set === inside ? idx.map((i) => i % 295) : idx;
              b.gatherRows(out, set, rows, 17, c, n, divisor);
              ref.gatherRows(want, set, rows, 17, c, n, divisor);
              assertSame(out, want, `gatherRows divisor ${divisor}, ${c} rows of ${n}${b === staging ? ', staged' : ''}`);
            }
          }
        }
        for (const b of [be, staging]) {
          assert.throws(() => b.gatherRows(b.alloc(cols), images, Int32Array.of(total), 0, 1, cols, 255), RangeError);
          assert.throws(() => b.gatherRows(b.alloc(cols), images, Int32Array.of(-1), 0, 1, cols, 255), RangeError);
        }
      } finally {
        staging.close();
      }
    });

    test('allFinite agrees with the reference wherever a NaN or an Infinity is (every length to 40)', () => {
      for (let n = 0; n <= 40; n++) {
        const x = be.alloc(n), want = ref.alloc(n);
        for (let i = 0; i < n; i++) want[i] = x[i] = (i % 3) - 1 + 1e-45 * i;
        assert.equal(be.allFinite(x, n), ref.allFinite(want, n), `n ${n}`);
        for (let p = 0; p < n; p++) {
          for (const v of [NaN, Infinity, -Infinity]) {
            const keep = x[p]!;
            want[p] = x[p] = v;
            assert.equal(be.allFinite(x, n), ref.allFinite(want, n), `n ${n}, ${v} at ${p}`);
            want[p] = x[p] = keep;
          }
        }
      }
    });

    test('dropoutMask draws the reference mask and leaves the generator state exactly as the reference does', () => {
      // Random states at every position class (fresh, mid-block, near and at the end of a block), lengths
      // across zero, one, a SIMD width and several twists, thresholds at and beyond the edges of 32 bits.
      const thresholds = [0, 1, 2 ** 31, 0.2 * 2 ** 32 + 0.5, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7, (1 - 2 ** -40) * 2 ** 32];
      for (const n of [0, 1, 3, 5, 623, 625, 1301, 10000]) {
        for (const pos of [0, 1, 3, 227, 398, 621, 623, 624]) {
          for (const threshold of thresholds) {
            const key = Uint32Array.from({ length: 624 }, () => rng.nextUint32());
            const wantKey = key.slice();
            const mask = be.alloc(n), want = ref.alloc(n);
            const what = `dropoutMask n ${n} pos ${pos} threshold ${threshold}`;
            assert.equal(be.dropoutMask(mask, key, pos, n, threshold, 1 / 0.7), ref.dropoutMask(want, wantKey, pos, n, threshold, 1 / 0.7), what);
            assertSame(mask, want, what);
            assert.deepEqual(key, wantKey, `${what}: key`);
          }
        }
      }
      assert.throws(() => be.dropoutMask(be.alloc(4), new Uint32Array(623), 0, 4, 0, 2), RangeError);
      assert.throws(() => be.dropoutMask(be.alloc(4), new Uint32Array(624), 625, 4, 0, 2), RangeError);
      assert.throws(() => be.dropoutMask(asBuffer(new Float32Array(4)), new Uint32Array(624), 0, 4, 0, 2), ConfigError);
    });

    test('a mask drawn on this backend continues the generator as the reference does', () => {
      const seed = rng.randint(2 ** 31);
      const a = new Rng(seed), b = new Rng(seed);
      for (const n of [10000, 37, 1, 624, 5000]) {
        const mask = be.alloc(n), want = ref.alloc(n);
        drawDropoutMask(mask, n, 0.5, a, 'threshold', be);
        drawDropoutMask(want, n, 0.5, b, 'threshold', ref);
        assertSame(mask, want, `drawDropoutMask n ${n}`);
        assert.equal(a.nextUint32(), b.nextUint32());
      }
      assert.deepEqual(a.getState(), b.getState());
    });

    test('refuses buffers it did not allocate, and buffers too short', () => {
      const a = be.alloc(6), b = be.alloc(6);
      assert.throws(() => be.matmul(asBuffer(new Float32Array(4)), a, b, 2, 3, 2, false, false, false), ConfigError);
      assert.throws(() => be.matmul(be.alloc(3), a, b, 2, 3, 2, false, false, false), RangeError);
      assert.throws(() => be.relu(be.alloc(2), a, 3), RangeError);
    });

    test('every kernel of the Backend contract was checked above against the reference', () => {
      assert.deepEqual(KERNELS.filter((k) => !called.has(k)), []);
    });
  });
}

test('createBackend: wasm is float32 only; unknown names are refused', async () => {
  await assert.rejects(createBackend('wasm', { dtype: 'float64' }), ConfigError);
  await assert.rejects(createBackend('gpu' as 'ref'), ConfigError);
  await assert.rejects(createBackend('wasm', { threads: 0 }), ConfigError);
  await assert.rejects(createBackend('wasm', { imageCacheMB: -1 }), ConfigError);
  await assert.rejects(createBackend('wasm', { imageCacheMB: NaN }), ConfigError);
  assert.equal((await createBackend('ref', { dtype: 'float64' })).dtype, 'float64');
});

test('ref denseSgdStep is exactly its matmul (transA) then sgdStep, in float32 and float64', () => {
  const rng = new Rng(SEED);
  for (const dtype of ['float32', 'float64'] as const) {
    const r = refBackend(dtype);
    for (const [inSize, rows, outSize] of DENSE_SGD_SHAPES) {
      for (const density of [1, 0.2, 0]) {
        const x = fill(r.alloc(rows * inSize), rng, density), dy = fill(r.alloc(rows * outSize), rng);
        const w = fill(r.alloc(inSize * outSize), rng), composed = r.alloc(inSize * outSize), g = r.alloc(inSize * outSize);
        composed.set(w);
        r.denseSgdStep(w, x, dy, 0.013, inSize, rows, outSize);
        r.matmul(g, x, dy, inSize, rows, outSize, true, false, false);
        r.sgdStep(composed, g, null, 0.013, 0, 0, inSize * outSize);
        assertSame(w, composed, `ref ${dtype} denseSgdStep ${inSize}x${rows}x${outSize} density ${density}`);
      }
    }
  }
});
