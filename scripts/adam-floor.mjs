/**
 * The floor of exact Adam on the per-example path against the plain per-example epoch, side by side in one
 * process (1,000 MNIST images, batch 1, 784-100-10): the plain epoch (the fast backend's per-example SGD kernel,
 * Trainer.runEpoch), and per image the least exact Adam work on the elements it touches only (scripts/
 * adam-floor.ts: m, v, one sqrt and one div per element of the first layer's rows of its nonzero pixels, w, m,
 * v read and written once; nothing else of the step: no forward pass, no loss, no other layer), with and
 * without the sqrt and div, and with w, m, v interleaved (one run of memory per row). Prints each one's median epoch (epochs 3..N) and its ratio to the plain epoch.
 * Usage (after npm run build): node scripts/adam-floor.mjs [DIST_DIR] [EPOCHS]
 */
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { perExampleSetup } from './per-example-setup.mjs';
import asc from 'assemblyscript/asc';

const dist = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : new URL('../dist', import.meta.url).href;
const E = Number(process.argv[3] ?? 12);
const out = join(mkdtempSync(join(tmpdir(), 'adam-floor-')), 'floor.wasm');
const src = fileURLToPath(new URL('./adam-floor.ts', import.meta.url));
const { error, stderr } = await asc.main([src, '--outFile', out, '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--enable', 'simd']);
if (error) throw new Error(stderr.toString());
const memory = new WebAssembly.Memory({ initial: 64 });
const { instance } = await WebAssembly.instantiate(readFileSync(out), { env: { memory, abort() {} } });
const k = instance.exports;

const { train, trainer } = await perExampleSetup(dist, E);
const plain = trainer();

// The floor's buffers: W, m, v [784, 100], d [100], per image its rows and pixel values.
const N = 100, IN = 784;
const W = 0, M = IN * N * 4, V = 2 * M, D = 3 * M, LISTS = D + 4096;
const f32 = new Float32Array(memory.buffer);
for (let i = 0; i < IN * N; i++) { f32[i] = Math.random() * 0.2 - 0.1; f32[M / 4 + i] = (Math.random() - 0.5) * 1e-3; f32[V / 4 + i] = Math.random() * 1e-6; }
for (let j = 0; j < N; j++) f32[D / 4 + j] = (Math.random() - 0.5) * 1e-2;
const lists = [];
let at = LISTS, touched = 0;
for (let r = 0; r < train.count; r++) {
  const px = [];
  for (let i = 0; i < IN; i++) if (train.images[r * IN + i] !== 0) px.push(i);
  const rows = new Int32Array(memory.buffer, at, px.length), vals = new Float32Array(memory.buffer, at + 4 * px.length, px.length);
  px.forEach((p, q) => { rows[q] = p; vals[q] = train.images[r * IN + p] / 255; });
  lists.push({ rows: at, vals: at + 4 * px.length, cnt: px.length });
  at += 8 * px.length;
  touched += px.length;
}
const floorEpoch = (name) => {
  const t0 = performance.now();
  if (name === 'adamRowsInterleaved') for (const l of lists) k[name](W, D, l.rows, l.vals, l.cnt, N, 1e-3, 1);
  else for (const l of lists) k[name](W, M, V, D, l.rows, l.vals, l.cnt, N, 1e-3, 1);
  return (performance.now() - t0) / 1000;
};
const secs = { plain: [], floor: [], 'no sqrt/div': [], interleaved: [] };
for (let e = 0; e < E; e++) {
  const a = plain.runEpoch().seconds, b = floorEpoch('adamRows'), c = floorEpoch('adamRowsNoDivide'), d = floorEpoch('adamRowsInterleaved');
  if (e >= 2) { secs.plain.push(a); secs.floor.push(b); secs['no sqrt/div'].push(c); secs.interleaved.push(d); }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const p = med(secs.plain);
console.log(`rows touched per image: ${(touched / train.count).toFixed(1)} of ${IN} (x ${N} columns)`);
for (const key of Object.keys(secs)) console.log(`${key.padEnd(12)} ${(med(secs[key]) * 1000).toFixed(2)} ms/epoch  ${(med(secs[key]) / p).toFixed(2)}x plain`);
