/**
 * The lazy Adam rows' catch-up (adam-rows.ts, the kernel's arithmetic) against Adam's steps taken one by one in
 * float64 with nothing rounded: for rows pending at step a with a gradient, brought up to date at step b, in
 * early blocks (the series in eps / sqrt(v), and the steps one by one where it would not be accurate) and in
 * later ones (the series around the block's mean), over moments from zero to large against eps. Step a's
 * moments are rounded as the kernel's path rounds them (the series in eps / sqrt(v): as float32 Adam, m =
 * fl(fl(b1 m) + fl(c1 g)), likewise v; the series around the mean: m = fl(fl(b1 m) + fl(fl(c1 x) d)), v =
 * fl(fl(b2 v) + fl(fl(fl(c2 x) x) fl(d d))); the steps one by one: once from float64); from them, each
 * element's move (from w = 0, so that it is what is stored) is within a relative 2^-20 of the exact one by
 * either series (their truncation is below 2^-26, the rest a few float32 roundings: measured 2.6e-7), and
 * within 2^-19 by the steps one by one, which round m, v and w at each step (measured 9e-7), m and v too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng/mt19937.js';
import { ADAM_BLOCK, adamCatchUpRow, fillAdamTables, meanTerms, T, TABLES, type LazyAdamState } from './adam-rows.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;

for (const beta2 of [0.999, 0.99]) {
  test(`lazy Adam catch-up = Adam's steps one by one in float64 within float32 rounding (beta2 ${beta2}, seed ${SEED})`, () => {
    const c = { lr: 0.001, beta1: 0.9, beta2, eps: 1e-8 };
    const B = ADAM_BLOCK, n = 64;
    const rng = new Rng(SEED);
    const tables = new Float64Array(TABLES * (B + 1));
    let T0cached = -1;
    let worstMoment = 0;
    const worst: Record<string, number> = { mean: 0, eps: 0, 'one by one': 0 };
    for (const T0 of [0, B, 4 * B, 8 * B, 40 * B]) {
      for (let trial = 0; trial < 40; trial++) {
        const st: LazyAdamState = {
          at: new Float64Array(1), px: new Float32Array(1), ring: new Float32Array(B * n), block: B, c, inSize: 1, outSize: n,
          tables: (t0) => {
            if (t0 !== T0cached) fillAdamTables(tables, c, t0, B);
            T0cached = t0;
            return tables;
          },
        };
        const a = T0 + 1 + Math.floor(rng.random() * B);
        const b = a + Math.floor(rng.random() * (T0 + B + 1 - a)); // a - 1 <= b <= T0 + B
        if (b < a) continue;
        st.at[0] = a;
        st.px[0] = Math.fround(rng.random());
        const w = new Float32Array(n), m = new Float32Array(n), v = new Float32Array(n);
        for (let j = 0; j < n; j++) {
          const scale = 10 ** (-1 - 7 * rng.random()); // gradients from 1e-1 to 1e-8: sqrt(v) from far above eps to below it
          st.ring[(a - T0 - 1) * n + j] = Math.fround((rng.random() - 0.5) * scale * (rng.random() < 0.1 ? 0 : 1));
          w[j] = 0; // the move itself is then what is stored: its own rounding is relative
          const kind = rng.random();
          m[j] = kind < 0.1 ? 0 : Math.fround((rng.random() - 0.5) * scale);
          v[j] = kind < 0.1 ? 0 : Math.fround(scale * scale * rng.random());
        }
        const m0 = Float64Array.from(m), v0 = Float64Array.from(v);
        const tb = st.tables(T0), S = B + 1;
        const mode = meanTerms(tb, S, a - T0 - 1, b - T0 - 1) > 0 ? 'mean' : 'eps';
        const lim = Math.fround(tb[T.LIM * S + (b - a) + 1]!);
        const x = st.px[0]!, d = Float64Array.from(st.ring.subarray((a - T0 - 1) * n, (a - T0) * n));
        adamCatchUpRow(st, w, m, v, 0, b);
        assert.equal(st.at[0], b + 1);
        const f = Math.fround;
        for (let j = 0; j < n; j++) {
          // Step a's moments as float32 rounds them (the kernel's and float32 Adam's: m = fl(fl(b1 m) + fl(c1 g))),
          // then every step exact from them.
          const g = f(x * d[j]!);
          let mj = f(f(f(c.beta1) * m0[j]!) + f(f(1 - c.beta1) * g));
          let vj = f(f(f(c.beta2) * v0[j]!) + f(f(1 - c.beta2) * f(g * g)));
          const inv = Math.fround(1 / Math.fround(Math.sqrt(vj)));
          const path = mode === 'mean' ? 'mean' : inv <= lim ? 'eps' : 'one by one';
          if (path === 'mean') {
            // The mean series' path folds the pixel into the rates: m = fl(fl(b1 m) + fl(fl(c1 x) d)), v likewise.
            mj = f(f(f(c.beta1) * m0[j]!) + f(f(f(1 - c.beta1) * x) * d[j]!));
            vj = f(f(f(c.beta2) * v0[j]!) + f(f(f(f(1 - c.beta2) * x) * x) * f(d[j]! * d[j]!)));
          }
          if (path === 'one by one') {
            // The steps one by one round step a's moments once from float64 (assembly/adam.ts's arithmetic).
            mj = f(c.beta1 * m0[j]! + (1 - c.beta1) * g);
            vj = f(c.beta2 * v0[j]! + (1 - c.beta2) * g * g);
          }
          let wj = 0;
          for (let s = a; s <= b; s++) {
            if (s > a) {
              mj *= c.beta1;
              vj *= c.beta2;
            }
            wj -= (c.lr * mj) / (1 - c.beta1 ** s) / (Math.sqrt(vj / (1 - c.beta2 ** s)) + c.eps);
          }
          const got = w[j]!;
          const err = Math.abs(got - wj) / (Math.abs(wj) + 1e-30);
          worst[path] = Math.max(worst[path]!, wj === 0 ? Math.abs(got) : err);
          if (err > 2 ** -19 && Math.abs(got - wj) > 1e-30) assert.fail(`element ${j}, steps ${a}..${b}: move ${got}, exact ${wj} (${err}; m ${m0[j]}, v ${v0[j]}, g ${g})`);
          for (const [gotM, exact] of [[m[j]!, mj], [v[j]!, vj]] as const) {
            worstMoment = Math.max(worstMoment, exact === 0 ? Math.abs(gotM) : Math.abs(gotM - exact) / Math.abs(exact));
          }
        }
      }
    }
    assert.ok(worstMoment <= 2 ** -19, `a moment is off by a relative ${worstMoment}`);
    console.log(`worst relative error of a move: ${Object.entries(worst).map(([k, e]) => `${k} ${e.toExponential(2)}`).join(', ')}; of a moment ${worstMoment.toExponential(2)}`);
    // The series' moves: float32's few roundings (their truncation is below 2^-26).
    assert.ok(worst['mean']! <= 2 ** -20 && worst['eps']! <= 2 ** -20, 'a series move is off by more than 2^-20');
  });
}

test('a row with no gradient pending and m, v all +0 is left as it is (Adam over zero gradients: nothing moves), early and late blocks', () => {
  const c = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const B = ADAM_BLOCK, n = 10;
  const tables = new Float64Array(TABLES * (B + 1));
  for (const T0 of [0, 8 * B]) {
    for (const [a, b] of [[T0 + 1, T0 + 1], [T0 + 1, T0 + B], [T0 + 5, T0 + 40]] as const) {
      const st: LazyAdamState = {
        at: Float64Array.of(a), px: Float32Array.of(0), ring: new Float32Array(B * n).fill(0.25), block: B, c, inSize: 1, outSize: n,
        tables: (t0) => (fillAdamTables(tables, c, t0, B), tables),
      };
      const w = Float32Array.from({ length: n }, (_, j) => (j - 4.5) / 7), m = new Float32Array(n), v = new Float32Array(n);
      const w0 = Float32Array.from(w);
      adamCatchUpRow(st, w, m, v, 0, b);
      assert.equal(st.at[0], b + 1);
      assert.deepEqual([w, m, v], [w0, new Float32Array(n), new Float32Array(n)], `steps ${a}..${b}`);
    }
  }
});
