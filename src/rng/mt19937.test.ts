import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './mt19937.js';

// Golden values from ../shared/reference/numpy-legacy-rng.md (checked against numpy 2.4.6).
test('seed(1) key words match numpy', () => {
  const r = new Rng(1);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => r.keyWord(i)), [1, 1812433254, 3713160357, 3109174145, 64984499]);
});

test('first ten uint32 draws after seed(1) match numpy', () => {
  const r = new Rng(1);
  const got = Array.from({ length: 10 }, () => r.nextUint32());
  assert.deepEqual(got, [
    1791095845, 4282876139, 3093770124, 4005303368, 491263, 550290313, 1298508491, 4290846341, 630311759, 1013994432,
  ]);
});

test('random((3,2)) after seed(1) matches numpy bit for bit', () => {
  const r = new Rng(1);
  const got = Array.from({ length: 6 }, () => r.random());
  assert.deepEqual(got, [
    0.417022004702574, 0.7203244934421581, 0.00011437481734488664, 0.30233257263183977, 0.14675589081711304,
    0.0923385947687978,
  ]);
});

test('randint(2, size=(2,5)) after seed(1) matches numpy', () => {
  const r = new Rng(1);
  assert.deepEqual(Array.from({ length: 10 }, () => r.randint(2)), [1, 1, 0, 0, 1, 1, 1, 1, 1, 0]);
});

test('random((3,2)) then randint(2,(2,5)) matches numpy', () => {
  const r = new Rng(1);
  for (let i = 0; i < 6; i++) r.random();
  assert.deepEqual(Array.from({ length: 10 }, () => r.randint(2)), [0, 1, 1, 0, 0, 1, 0, 0, 0, 1]);
});

test('book init with hidden 40 matches numpy', () => {
  const r = new Rng(1);
  const w01 = r.fillRandom(new Float64Array(784 * 40)).map((u) => 0.2 * u - 0.1);
  const w12 = r.fillRandom(new Float64Array(40 * 10)).map((u) => 0.2 * u - 0.1);
  assert.deepEqual(Array.from(w01.subarray(0, 3)), [-0.016595599059485197, 0.04406489868843161, -0.09997712503653103]);
  assert.deepEqual(Array.from(w12.subarray(0, 3)), [-0.012913804161475667, -0.097655318647653, -0.037727764940667034]);
  assert.equal(w01[783 * 40 + 39], 0.054961713106187526);
  assert.equal(w12[39 * 10 + 9], -0.02455863100110911);
});

test('state round-trips: the stream continues exactly', () => {
  const a = new Rng(7);
  for (let i = 0; i < 1000; i++) a.nextUint32();
  const b = new Rng(0);
  b.setState(a.getState());
  for (let i = 0; i < 2000; i++) assert.equal(b.nextUint32(), a.nextUint32());
});

test('randint stays in range and is roughly uniform', () => {
  const r = new Rng(3);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70000; i++) counts[r.randint(7)]++;
  for (const c of counts) assert.ok(c > 9500 && c < 10500, `count ${c}`);
});

test('bad seeds are refused', () => {
  assert.throws(() => new Rng(-1), RangeError);
  assert.throws(() => new Rng(1.5), RangeError);
  assert.throws(() => new Rng(2 ** 32), RangeError);
});

test('fillUint32 continues the same stream as nextUint32, across twists', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  a.nextUint32();
  b.nextUint32();
  const bulk = a.fillUint32(new Uint32Array(2000));
  const one = Array.from({ length: 2000 }, () => b.nextUint32());
  assert.deepEqual(Array.from(bulk), one);
  assert.equal(a.nextUint32(), b.nextUint32());
});
