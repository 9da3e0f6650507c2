/**
 * Fuzzing the IDX reader on mutated real MNIST files (plain and gzipped): every case either loads, with a
 * size that the bytes really hold, or fails with DataError. No other error, no crash, no hang (the test's
 * timeout), and never more output than the header promised.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DataError } from '../errors.js';
import { fuzzOptions, concat, mutate, mutations } from '../testing/fuzz.js';
import { imageSetFromIdx } from './dataset.js';
import { idxBytesOf, loadDataset } from './files.js';
import { encodeIdx, parseIdx, readIdxHeader } from './idx.js';

const mnist = loadDataset();
const N = 24;
const images = encodeIdx([N, 28, 28], mnist.train.images.subarray(0, N * 784));
const labels = encodeIdx([N], mnist.train.labels.subarray(0, N));
const imagesGz = new Uint8Array(gzipSync(images));
const labelsGz = new Uint8Array(gzipSync(labels));

/** Runs f; passes if it returns or throws DataError, rethrows anything else. */
function loadsOrDataError<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof DataError) return null;
    throw e;
  }
}

function checkParsed(bytes: Uint8Array): void {
  const r = loadsOrDataError(() => parseIdx(bytes, 'fuzz'));
  if (!r) return;
  const size = r.dims.reduce((a, b) => a * b, 1);
  assert.equal(r.data.length, size);
  assert.equal(r.data.length, bytes.length - 4 - 4 * r.dims.length);
  assert.equal(r.data.buffer, bytes.buffer, 'a view, no copy');
}


test('fuzz: parseIdx on mutated real image and label files (3,000 cases)', { timeout: 60_000 }, () => {
  fc.assert(fc.property(mutations, fc.boolean(), (ms, useLabels) => checkParsed(mutate(useLabels ? labels : images, ms))), fuzzOptions(3000));
});

test('fuzz: imageSetFromIdx on mutated pairs (1,500 cases)', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(mutations, mutations, fc.boolean(), (mi, ml, both) => {
      const img = mutate(images, mi);
      const lab = both ? mutate(labels, ml) : labels;
      const set = loadsOrDataError(() => imageSetFromIdx(img, lab, 'fuzz'));
      if (!set) return;
      assert.equal(set.images.length, set.count * set.height * set.width);
      assert.equal(set.labels.length, set.count);
      assert.ok(set.count > 0 && set.height > 0 && set.width > 0);
      assert.ok(set.labels.every((l) => l <= 99));
    }),
    fuzzOptions(1500),
  );
});

test('fuzz: mutated gzip streams (1,500 cases) inflate no further than the header promises', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(mutations, fc.boolean(), (ms, useLabels) => {
      const gz = mutate(useLabels ? labelsGz : imagesGz, ms);
      const out = loadsOrDataError(() => idxBytesOf(gz, 'fuzz'));
      if (!out) return;
      if (out !== gz) {
        const h = readIdxHeader(out, 'fuzz');
        assert.ok(h && out.length <= h.headerLength + h.dataBytes, 'inflated past the header');
      }
      checkParsed(out);
    }),
    fuzzOptions(1500),
  );
});

test('fuzz: well-formed gzip of mutated IDX files (1,000 cases): lying headers refused before inflating', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(mutations, fc.boolean(), (ms, useLabels) => {
      const plain = mutate(useLabels ? labels : images, ms);
      const out = loadsOrDataError(() => idxBytesOf(new Uint8Array(gzipSync(plain)), 'fuzz'));
      if (!out) return;
      assert.deepEqual(out, plain);
      checkParsed(out);
    }),
    fuzzOptions(1000),
  );
});

test('a header claiming 2^31 images is refused before the data is inflated or read', () => {
  for (const count of [0x80000000, 0xffffffff]) {
    const lying = images.slice();
    new DataView(lying.buffer).setUint32(4, count, false);
    assert.throws(() => parseIdx(lying), /header says .* bytes of data, the file holds \d+ \(truncated\?\)/);
    // Gzipped, with more data behind it than the real file: refused from the header alone.
    const gz = new Uint8Array(gzipSync(concat(lying, new Uint8Array(1 << 20))));
    assert.throws(() => idxBytesOf(gz, 'x'), (e: Error) => e instanceof DataError && /more than the \d+ this reader accepts/.test(e.message));
  }
});

test('a gzip bomb stops at what the header promises', () => {
  // 64 MB of zeros behind a header promising one 28x28 image: inflating stops after 800 bytes.
  const bomb = new Uint8Array(gzipSync(concat(encodeIdx([1, 28, 28], new Uint8Array(784)), new Uint8Array(1 << 26))));
  assert.ok(bomb.length < 100_000);
  assert.throws(() => idxBytesOf(bomb, 'x'), /holds more than the 800 bytes its IDX header promises/);
});
