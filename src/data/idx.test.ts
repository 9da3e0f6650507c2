import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeIdx, parseIdx } from './idx.js';
import { imageSetFromIdx, makeDataset, sliceSet } from './dataset.js';
import { DataError } from '../errors.js';

const images = encodeIdx([3, 2, 2], new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
const labels = encodeIdx([3], new Uint8Array([7, 0, 9]));

test('reads a good IDX file: dims and data', () => {
  const a = parseIdx(images);
  assert.deepEqual(a.dims, [3, 2, 2]);
  assert.deepEqual(Array.from(a.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const set = imageSetFromIdx(images, labels, 'training');
  assert.equal(set.count, 3);
  assert.equal(set.height, 2);
  assert.deepEqual(Array.from(sliceSet(set, 1, 2).labels), [0, 9]);
});

test('refuses malformed IDX files with a DataError', () => {
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['short header', images.subarray(0, 6)],
    ['bad magic', Uint8Array.from(images, (b, i) => (i === 0 ? 1 : b))],
    ['float type', Uint8Array.from(images, (b, i) => (i === 2 ? 0x0d : b))],
    ['zero dims', Uint8Array.from(images, (b, i) => (i === 3 ? 0 : b))],
    ['truncated data', images.subarray(0, images.length - 1)],
    ['trailing bytes', new Uint8Array([...images, 0])],
  ];
  for (const [name, bytes] of cases) assert.throws(() => parseIdx(bytes), DataError, name);
});

test('a header claiming 2^31 images is refused before any allocation', () => {
  const lying = new Uint8Array(images);
  new DataView(lying.buffer).setUint32(4, 0x80000000, false);
  assert.throws(() => parseIdx(lying), /header says/);
});

test('images and labels that disagree are refused', () => {
  assert.throws(() => imageSetFromIdx(images, encodeIdx([2], new Uint8Array([1, 2])), 'training'), /3 images but 2 labels/);
  assert.throws(() => imageSetFromIdx(labels, images, 'training'), DataError);
  const other = imageSetFromIdx(encodeIdx([1, 3, 3], new Uint8Array(9)), encodeIdx([1], new Uint8Array([1])), 'test');
  assert.throws(() => makeDataset(imageSetFromIdx(images, labels, 'training'), other, 'x'), /2x2 but test images are 3x3/);
});

test('the number of classes follows the labels', () => {
  const set = imageSetFromIdx(images, labels, 'training');
  assert.equal(makeDataset(set, set, 'x').numClasses, 10);
});
