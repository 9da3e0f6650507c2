/**
 * Fuzzing the PNG reader on mutated PNGs of real MNIST digits, with the chunks' CRCs left as mutated (the
 * decoder's CRC check refuses them) and refreshed (the mutated data reaches the decoder). Every case either
 * decodes to an image within MAX_PNG_PIXELS whose pixels fill its buffer, or fails with DataError. No other
 * error, no crash, no hang (the test's timeout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataError } from '../errors.js';
import { loadDataset } from '../data/files.js';
import { fuzzOptions, mutate, mutations, pngDeclaring, refreshPngCrcs } from '../testing/fuzz.js';
import { MAX_PNG_PIXELS, decodePng, encodePng, greyToRgba, pngDimensions } from './png.js';

const mnist = loadDataset();
const digit = (i: number) => mnist.test.images.subarray(i * 784, (i + 1) * 784);
const pngs = [0, 1, 2].map((i) => encodePng(greyToRgba(digit(i), 28, 28)));

function checkDecoded(bytes: Uint8Array): void {
  let image;
  try {
    image = decodePng(bytes, 'fuzz');
  } catch (e) {
    if (e instanceof DataError) return;
    throw e;
  }
  assert.ok(image.width >= 1 && image.height >= 1 && image.width * image.height <= MAX_PNG_PIXELS);
  assert.equal(image.data.length, image.width * image.height * 4);
}

test('fuzz: decodePng on mutated digit PNGs (1,500 cases)', { timeout: 60_000 }, () => {
  fc.assert(fc.property(mutations, fc.nat(2), (ms, i) => checkDecoded(mutate(pngs[i]!, ms))), fuzzOptions(1500));
});

test('fuzz: decodePng on mutated digit PNGs with their CRCs refreshed (1,500 cases)', { timeout: 60_000 }, () => {
  fc.assert(fc.property(mutations, fc.nat(2), (ms, i) => checkDecoded(refreshPngCrcs(mutate(pngs[i]!, ms)))), fuzzOptions(1500));
});

test('the size in the header is read before decoding', () => {
  assert.deepEqual(pngDimensions(pngs[0]!), { width: 28, height: 28 });
  assert.equal(pngDimensions(new TextEncoder().encode('hello, not a png at all')), null);
  assert.equal(pngDimensions(pngs[0]!.subarray(0, 20)), null);
});

test('a header declaring more than the pixel cap is refused from the header alone', () => {
  // 28 x 28 pixels of data behind headers declaring 60000 x 60000, 2^32-1 x 2^32-1 and one pixel over the cap.
  for (const [w, h] of [[60000, 60000], [0xffffffff, 0xffffffff], [MAX_PNG_PIXELS + 1, 1], [8000, 5001]] as const) {
    assert.throws(
      () => decodePng(pngDeclaring(pngs[0]!, w, h), 'big.png'),
      (e: Error) => e instanceof DataError && e.message === `big.png: the image is ${w} x ${h} pixels, more than the 40 megapixels this reader accepts (scale it down)`,
    );
  }
  assert.throws(() => decodePng(pngDeclaring(pngs[0]!, 0, 28), 'zero.png'), /^DataError: zero\.png: the image is empty$/);
  // Under the cap the header passes and the decoder reads what the data holds (here too little: pngjs leaves
  // the rest of the 1000 x 1000 image blank, or refuses it; either way, not the cap's refusal).
  try {
    assert.equal(decodePng(pngDeclaring(pngs[0]!, 1000, 1000), 'small.png').width, 1000);
  } catch (e) {
    assert.ok(e instanceof DataError && !/megapixels/.test(e.message), String(e));
  }
});
