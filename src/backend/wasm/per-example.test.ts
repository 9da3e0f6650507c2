/**
 * The wasm backend's perExampleSgd against the same steps kernel by kernel with its float32 weight step
 * (composedPerExampleSgd, 'float32'): on the wasm backend bit for bit (weights, bias gradients, losses,
 * counts); within float32 rounding of the reference backend's float64 step (rounded once) over a few steps;
 * and on real MNIST, an epoch of the chapter's net within a stated bound of the float64 step's epoch on this
 * backend. Nets with and without biases, hidden widths that are not multiples of the SIMD width, no hidden
 * layer, sparse and dense images, the image set copied and staged, a loss that is not finite.
 */
import { asBuffer } from '../backend.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../create.js';
import { refBackend } from '../ref.js';
import type { Backend } from '../backend.js';
import { composedPerExampleSgd } from '../per-example-ref.js';
import type { PerExampleBatch, PerExampleNet, PerExampleStepper } from '../per-example.js';
import { Rng } from '../../rng/mt19937.js';
import type { WasmBackend } from './backend.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;

interface Case {
  sizes: number[];
  bias: boolean;
  density: number;
}

const CASES: Case[] = [
  { sizes: [784, 100, 10], bias: false, density: 0.19 },
  { sizes: [784, 100, 10], bias: true, density: 0.19 },
  { sizes: [50, 7, 5, 3], bias: true, density: 0.5 },
  { sizes: [13, 2], bias: true, density: 1 },
  { sizes: [37, 9, 10], bias: false, density: 0.05 },
];

/** A net of the sizes on be, weights U(-0.5, 0.5) from rng (biases too), lr 0.05. */
function makeNet(be: Backend, c: Case, rng: Rng): PerExampleNet {
  const layers = c.sizes.slice(1).map((out, i) => {
    const inSize = c.sizes[i]!;
    const weights = be.alloc(inSize * out);
    for (let j = 0; j < weights.length; j++) weights[j] = rng.random() - 0.5;
    let bias = null;
    if (c.bias) {
      const value = be.alloc(out);
      for (let j = 0; j < out; j++) value[j] = rng.random() - 0.5;
      bias = { value, grad: be.alloc(out), rule: { kind: 'sgd' as const, lr: 0.05 } };
    }
    return { inSize, outSize: out, weights, weightRule: { kind: 'sgd' as const, lr: 0.05 }, bias };
  });
  return { layers };
}

/** A copy of net on be, buffers and all. */
function copyNet(be: Backend, net: PerExampleNet): PerExampleNet {
  const copy = (a: ArrayLike<number>) => {
    const b = be.alloc(a.length);
    b.set(a);
    return b;
  };
  return {
    layers: net.layers.map((l) => ({ ...l, weights: copy(l.weights), bias: l.bias ? { ...l.bias, value: copy(l.bias.value), grad: copy(l.bias.grad) } : null })),
  };
}

function images(rng: Rng, count: number, cols: number, density: number): Uint8Array {
  const x = new Uint8Array(count * cols);
  for (let i = 0; i < x.length; i++) x[i] = rng.random() < density ? 1 + Math.floor(rng.random() * 255) : 0;
  return x;
}

function batch(set: Uint8Array, classes: number, rng: Rng, count: number, cols: number): PerExampleBatch {
  const n = set.length / cols;
  const idx = Int32Array.from({ length: count + 3 }, () => Math.floor(rng.random() * n));
  const labels = Uint8Array.from({ length: count }, () => Math.floor(rng.random() * classes));
  return { images: set, idx, start: 2, count, labels, divisor: 255, losses: new Float64Array(count), correct: new Uint8Array(count) };
}

const fresh = (b: PerExampleBatch): PerExampleBatch => ({ ...b, losses: new Float64Array(b.count), correct: new Uint8Array(b.count) });

function values(net: PerExampleNet): number[] {
  return net.layers.flatMap((l) => [...l.weights, ...(l.bias ? [...l.bias.value, ...l.bias.grad] : [])]);
}

function assertSameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i} is ${got[i]}, kernel by kernel ${want[i]} (seed ${SEED})`);
}

for (const threads of [1, 2]) {
  describe(`wasm perExampleSgd, ${threads} thread(s) (seed ${SEED})`, () => {
    let be: WasmBackend;
    let uncached: WasmBackend;
    before(async () => {
      be = (await createBackend('wasm', { threads })) as WasmBackend;
      uncached = (await createBackend('wasm', { threads, imageCacheMB: 0 })) as WasmBackend;
    });
    after(() => {
      be.close();
      uncached.close();
    });

    test('equals the same steps kernel by kernel (float32 step) on this backend, bit for bit', () => {
      const rng = new Rng((SEED + threads) >>> 0);
      for (const c of CASES) {
        for (const backend of [be, uncached]) {
          const what = `${c.sizes.join('-')} bias ${c.bias} ${backend === be ? 'copied' : 'staged'} images`;
          const classes = c.sizes.at(-1)!;
          const set = images(rng, 40, c.sizes[0]!, c.density);
          const fusedNet = makeNet(backend, c, rng);
          const stepNet = copyNet(backend, fusedNet);
          const fused = backend.perExampleSgd!(fusedNet)!;
          const steps = composedPerExampleSgd(backend, stepNet, 'float32');
          for (const count of [1, 30, 7]) {
            const b = batch(set, classes, rng, count, c.sizes[0]!);
            const b1 = fresh(b);
            assert.equal(fused.steps(b), count, what);
            assert.equal(steps.steps(b1), count, what);
            assertSameBits(b.losses, b1.losses, `${what}: losses`);
            assertSameBits(b.correct, b1.correct, `${what}: correct`);
            assertSameBits(values(fusedNet), values(stepNet), `${what}: weights, biases, bias gradients`);
          }
        }
      }
    });

    test('within float32 rounding of the reference backend over a few steps', () => {
      const rng = new Rng((SEED + 7 * threads) >>> 0);
      const ref = refBackend('float32');
      for (const c of CASES) {
        const classes = c.sizes.at(-1)!;
        const set = images(rng, 10, c.sizes[0]!, c.density);
        const fusedNet = makeNet(be, c, rng);
        const refNet = copyNet(ref, fusedNet);
        const b = batch(set, classes, rng, 3, c.sizes[0]!);
        const b1 = fresh(b);
        be.perExampleSgd!(fusedNet)!.steps(b);
        composedPerExampleSgd(ref, refNet).steps(b1);
        b.losses.forEach((l, i) => assert.ok(Math.abs(l - b1.losses[i]!) <= 1e-5 * (1 + Math.abs(l)), `${c.sizes.join('-')}: loss ${i} ${l}, ref ${b1.losses[i]} (seed ${SEED})`));
        const got = values(fusedNet), want = values(refNet);
        got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)), `${c.sizes.join('-')}: value ${i} ${v}, ref ${want[i]} (seed ${SEED})`));
      }
    });

    test('stops before the step whose loss is not finite, applying nothing of it', () => {
      const rng = new Rng((SEED + 11 * threads) >>> 0);
      const c = CASES[1]!;
      const net = makeNet(be, c, rng);
      const stepper: PerExampleStepper = be.perExampleSgd!(net)!;
      const set = images(rng, 5, 784, 0.2);
      const b = batch(set, 10, rng, 4, 784);
      (b.labels as Uint8Array)[2] = 10; // no such class: the loss is NaN, as the reference's
      const copy = copyNet(be, net);
      const b1 = fresh(b);
      assert.equal(stepper.steps(b), 2);
      assert.equal(composedPerExampleSgd(be, copy, 'float32').steps(b1), 2);
      assert.ok(Number.isNaN(b.losses[2]));
      assertSameBits(b.losses.subarray(0, 3), b1.losses.subarray(0, 3), 'losses');
      assertSameBits(values(net), values(copy), 'weights');
    });

    test('refuses examples out of range and buffers it did not allocate', () => {
      const rng = new Rng(5);
      const net = makeNet(be, CASES[3]!, rng);
      const b = batch(images(rng, 3, 13, 1), 2, rng, 2, 13);
      assert.throws(() => be.perExampleSgd!(net)!.steps({ ...b, idx: Int32Array.of(0, 0, 3, 0) }), /image 3 is out of range/);
      assert.throws(() => be.perExampleSgd!(net)!.steps({ ...b, count: 9 }), /not in the index list/);
      const foreign = { layers: [{ ...net.layers[0]!, weights: asBuffer(new Float32Array(26)) }] };
      assert.throws(() => be.perExampleSgd!(foreign)!.steps(b), /not allocated by this wasm backend/);
    });
  });
}
