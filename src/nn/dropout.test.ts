import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferFrom } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import { float32Backends } from '../backend/test-backends.js';
import { Rng } from '../rng/mt19937.js';
import { Dropout, drawDropoutMask } from './dropout.js';
import { ConfigError } from '../errors.js';

const be = refBackend('float64');

function layer(rate: number, size: number): Dropout {
  const d = new Dropout({ type: 'dropout', rate });
  d.build(size, be);
  return d;
}

test('dropout keeps about 1 - rate of the units and scales survivors by 1 / (1 - rate)', () => {
  for (const rate of [0.2, 0.5, 0.8]) {
    const n = 100_000;
    const d = layer(rate, n);
    const x = be.alloc(n).fill(1);
    const y = d.forward(x, 1, 'train', new Rng(5));
    let kept = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (y[i] !== 0) {
        kept++;
        assert.equal(y[i], 1 / (1 - rate));
      }
      sum += y[i]!;
    }
    assert.ok(Math.abs(kept / n - (1 - rate)) < 0.01, `rate ${rate}: kept ${kept / n}`);
    // Inverted dropout keeps the expected activation.
    assert.ok(Math.abs(sum / n - 1) < 0.03, `rate ${rate}: mean activation ${sum / n}`);
  }
});

test('dropout in eval mode is the identity and draws nothing', () => {
  const d = layer(0.5, 10);
  const x = bufferFrom(be, Array.from({ length: 30 }, (_, i) => i - 7));
  const rng = new Rng(1);
  const before = rng.getState();
  const y = d.forward(x, 3, 'eval', rng);
  assert.deepEqual(Array.from(y), Array.from(x));
  assert.deepEqual(rng.getState(), before);
});

test('dropout backward multiplies by the same mask as forward', () => {
  const d = layer(0.5, 8);
  const x = bufferFrom(be, Array.from({ length: 16 }, (_, i) => i + 1));
  const y = Float64Array.from(d.forward(x, 2, 'train', new Rng(2)));
  const dy = be.alloc(16).fill(3);
  const dx = d.backward(dy, 2, true)!;
  for (let i = 0; i < 16; i++) assert.equal(dx[i], y[i] === 0 ? 0 : 3 * 2);
  assert.ok(y.some((v) => v === 0) && y.some((v) => v !== 0), 'mask should drop some and keep some');
});

test('the seeded mask is the same for the same seed (golden first mask)', () => {
  const mask = be.alloc(10);
  drawDropoutMask(mask, 10, 0.5, new Rng(1), 'threshold', be);
  // numpy's first ten draws after seed(1) (numpy-legacy-rng.md): 1791095845, 4282876139, 3093770124,
  // 4005303368, 491263, 550290313, 1298508491, 4290846341, 630311759, 1013994432; kept when >= 2^31.
  assert.deepEqual(Array.from(mask), [0, 2, 2, 2, 0, 0, 0, 2, 0, 0]);
});

test('a threshold mask is nextUint32() >= rate * 2^32, draw by draw, across twists, and continues the stream', () => {
  const a = new Rng(11), b = new Rng(11);
  a.nextUint32();
  b.nextUint32();
  for (const [n, rate] of [[2000, 0.3], [1, 0.5], [623, 0.9]] as const) {
    const mask = be.alloc(n);
    drawDropoutMask(mask, n, rate, a, 'threshold', be);
    for (let i = 0; i < n; i++) assert.equal(mask[i], b.nextUint32() >= rate * 2 ** 32 ? 1 / (1 - rate) : 0, `n ${n} rate ${rate} unit ${i}`);
  }
  assert.equal(a.nextUint32(), b.nextUint32());
});

test('dropout rate outside [0, 1) is refused', () => {
  for (const rate of [-0.1, 1, 1.5, NaN]) assert.throws(() => new Dropout({ type: 'dropout', rate }), ConfigError);
});

test('every float32 backend draws the same seeded dropout mask and applies it the same way', async () => {
  const outputs: Array<[string, number[]]> = [];
  for (const { label, backend } of await float32Backends()) {
    const d = new Dropout({ type: 'dropout', rate: 0.5 });
    d.build(37, backend);
    const x = backend.alloc(3 * 37); // filled in place: a mapped copy would not be the backend's memory
    x.forEach((_, i) => (x[i] = i - 50));
    outputs.push([label, Array.from(d.forward(x, 3, 'train', new Rng(9)))]);
  }
  for (const [label, y] of outputs.slice(1)) assert.deepEqual(y, outputs[0]![1], `${label} vs ${outputs[0]![0]}`);
  assert.ok(outputs[0]![1].some((v) => v === 0) && outputs[0]![1].some((v) => v !== 0));
});

test('backward after an eval-mode forward throws, as every layer does; after a training one at rate 0 it is the identity', () => {
  for (const rate of [0, 0.5]) {
    const d = layer(rate, 3);
    const x = bufferFrom(be, [1, 2, 3]), dy = bufferFrom(be, [4, 5, 6]);
    assert.throws(() => d.backward(dy, 1, true), /dropout\.backward called without a training forward pass/);
    d.forward(x, 1, 'train', new Rng(1));
    assert.ok(d.backward(dy, 1, true));
    d.forward(x, 1, 'eval', new Rng(1));
    assert.throws(() => d.backward(dy, 1, true), /without a training forward pass/);
    assert.equal(d.backward(dy, 1, false), null);
  }
  const d = layer(0, 3);
  const dy = bufferFrom(be, [4, 5, 6]);
  d.forward(bufferFrom(be, [1, 2, 3]), 1, 'train', new Rng(1));
  assert.equal(d.backward(dy, 1, true), dy);
});
