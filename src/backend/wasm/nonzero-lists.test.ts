/**
 * The module's lists of nonzero pixels (assembly/nonzero-lists.ts) against a plain scan of the bytes: every
 * image's nonzero pixels in ascending order with their bytes, at the prefix-sum offsets, for image widths that
 * are and are not multiples of sixteen, all-zero and all-nonzero images included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../rng/mt19937.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;

interface Lists {
  nonzeroStarts(images: number, count: number, cols: number, starts: number): number;
  nonzeroEntries(images: number, count: number, cols: number, starts: number, entries: number): void;
}

test(`nonzeroStarts and nonzeroEntries list each image's nonzero pixels in order (seed ${SEED})`, async () => {
  const module = await WebAssembly.compile(readFileSync(new URL('./kernels-simd.wasm', import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 64 });
  const k = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as Lists;
  const rng = new Rng(SEED);
  for (const cols of [784, 13, 37, 16, 1]) {
    const count = 50;
    const at = 1 << 16;
    const images = new Uint8Array(memory.buffer, at, count * cols);
    for (let i = 0; i < count; i++) {
      // Densities from none to all, MNIST's (about a fifth) among them.
      const density = i === 0 ? 0 : i === 1 ? 1 : rng.random();
      for (let p = 0; p < cols; p++) images[i * cols + p] = rng.random() < density ? 1 + Math.floor(rng.random() * 255) : 0;
    }
    const startsAt = at + count * cols + 64 - ((count * cols) % 16);
    const total = k.nonzeroStarts(at, count, cols, startsAt);
    const entriesAt = startsAt + 4 * (count + 16);
    k.nonzeroEntries(at, count, cols, startsAt, entriesAt);
    const starts = new Uint32Array(memory.buffer, startsAt, count + 1);
    const entries = new Uint32Array(memory.buffer, entriesAt, total);
    const want: number[] = [];
    for (let i = 0; i < count; i++) {
      assert.equal(starts[i], want.length, `cols ${cols}: image ${i}'s start`);
      for (let p = 0; p < cols; p++) if (images[i * cols + p] !== 0) want.push((p << 8) | images[i * cols + p]!);
    }
    assert.equal(starts[count], want.length, `cols ${cols}: the end`);
    assert.equal(total, want.length, `cols ${cols}: the total`);
    assert.deepEqual(Array.from(entries), want, `cols ${cols}: the entries`);
  }
});
