/**
 * The one-pass kernels for fewer than sixteen columns (assembly/rowsum.ts: sumNarrow, assembly/step-rows.ts:
 * stepNarrow; a network's last layer) against plain float32 loops, in the plain SIMD build (where a vector's
 * multiply-add is a multiply then an add, as the one-by-one tail columns take it): each column's sum is the
 * chain fl32(s + fl32(x * w)) in list order, each stepped weight fl32(w - fl32(x * ld)), bit for bit, for every
 * width from 1 to 15; the rows not listed and the bytes around them are untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../rng/mt19937.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;

interface Narrow {
  sumNarrow(d: number, b: number, n: number, offs: number, vals: number, cnt: number): void;
  stepNarrow(w: number, n: number, offs: number, vals: number, cnt: number, ld: number): void;
}

const f = Math.fround;

test(`sumNarrow and stepNarrow are the plain float32 loops for 1 to 15 columns (seed ${SEED})`, async () => {
  const module = await WebAssembly.compile(readFileSync(new URL('./kernels-simd.wasm', import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 16 });
  const k = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as Narrow;
  const rng = new Rng(SEED);
  const rows = 40;
  for (let n = 1; n < 16; n++) {
    const wAt = 1 << 16, offsAt = 1 << 17, valsAt = offsAt + 4096, dAt = valsAt + 4096, ldAt = dAt + 256;
    // Rows of n floats one after another, with a guard row after the last.
    const w = new Float32Array(memory.buffer, wAt, (rows + 1) * n);
    for (let i = 0; i < w.length; i++) w[i] = f(rng.random() * 2 - 1);
    const before = Float32Array.from(w);
    const listed = [...Array(rows).keys()].filter(() => rng.random() < 0.6);
    const offs = new Int32Array(memory.buffer, offsAt, listed.length);
    const vals = new Float32Array(memory.buffer, valsAt, listed.length);
    listed.forEach((r, q) => {
      offs[q] = 4 * r * n;
      vals[q] = f(rng.random());
    });
    const d = new Float32Array(memory.buffer, dAt, 20).fill(7);
    k.sumNarrow(dAt, wAt, n, offsAt, valsAt, listed.length);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < listed.length; q++) s = f(s + f(vals[q]! * w[listed[q]! * n + j]!));
      assert.ok(Object.is(d[j], s), `n ${n}: sum ${j} is ${d[j]}, want ${s}`);
    }
    for (let j = n; j < 20; j++) assert.equal(d[j], 7, `n ${n}: sums beyond n untouched`);
    const ld = new Float32Array(memory.buffer, ldAt, n);
    for (let j = 0; j < n; j++) ld[j] = f(rng.random() * 0.02 - 0.01);
    k.stepNarrow(wAt, n, offsAt, valsAt, listed.length, ldAt);
    for (let r = 0; r <= rows; r++) {
      const q = listed.indexOf(r);
      for (let j = 0; j < n; j++) {
        const want = q < 0 ? before[r * n + j]! : f(before[r * n + j]! - f(vals[q]! * ld[j]!));
        assert.ok(Object.is(w[r * n + j], want), `n ${n}: row ${r} column ${j} is ${w[r * n + j]}, want ${want}`);
      }
    }
  }
});
