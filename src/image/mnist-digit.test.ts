import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../data/files.js';
import { DataError } from '../errors.js';
import { bigInvertedOffCentre } from '../testing/digits.js';
import { luminance, mnistDigit, mnistDigitFromLuminance, resample } from './mnist-digit.js';

const test10k = loadDataset().test;
const digitAt = (i: number) => test10k.images.subarray(i * 784, (i + 1) * 784);

const meanAbs = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length / 255;

test('an MNIST digit comes back nearly as it was', () => {
  for (const i of [0, 1, 2, 3, 4]) {
    const out = mnistDigit(digitAt(i), 28, 28, 1);
    assert.ok(meanAbs(out, digitAt(i)) < 0.03, `digit ${i}: ${meanAbs(out, digitAt(i))}`);
  }
});

test('a large, off-centre, inverted copy comes back close to the MNIST digit', () => {
  for (const i of [0, 1, 2, 3, 4]) {
    const rgb = bigInvertedOffCentre(digitAt(i), 5, 300, 220, 130, 10);
    const out = mnistDigit(rgb, 300, 220, 3);
    // Where the ink is and how much: the centre of mass lands on pixel 14 within a pixel.
    let m = 0, cx = 0, cy = 0;
    out.forEach((v, p) => ((m += v), (cx += v * (p % 28)), (cy += v * Math.floor(p / 28))));
    assert.ok(Math.abs(cx / m - 14) <= 1 && Math.abs(cy / m - 14) <= 1, `centre ${cx / m}, ${cy / m}`);
    assert.ok(meanAbs(out, digitAt(i)) < 0.06, `digit ${i}: ${meanAbs(out, digitAt(i))}`);
  }
});

test('transparent background counts as white; a blank image is refused', () => {
  const rgba = new Uint8Array(50 * 40 * 4); // all transparent
  assert.deepEqual(Array.from(luminance(rgba, 50, 40, 4).subarray(0, 3)), [1, 1, 1]);
  assert.throws(() => mnistDigit(rgba, 50, 40, 4), (e: unknown) => e instanceof DataError && /blank/.test((e as Error).message));
  assert.throws(() => mnistDigitFromLuminance(new Float32Array(10), 3, 3), DataError);
});

test('resample keeps the mean (area averaging)', () => {
  const src = Float32Array.from({ length: 60 }, (_, i) => (i * 37) % 11);
  const out = resample(src, 10, 6, 4, 3);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(out) - mean(src)) < 1e-5);
});
