/**
 * The IDX file format (MNIST's): two zero bytes, a type byte (0x08 = unsigned byte), a byte giving the number
 * of dimensions, then each dimension as a big-endian uint32, then the data. Pure: bytes in, typed view out.
 * Every header field is checked against the bytes actually present before anything is allocated.
 */
import { DataError } from '../errors.js';

export interface IdxArray {
  /** e.g. [60000, 28, 28] for images, [60000] for labels. */
  dims: number[];
  /** The data bytes (a view into the input, no copy). */
  data: Uint8Array;
}

const UBYTE = 0x08;

export interface IdxHeader {
  dims: number[];
  /** Bytes before the data: 4 + 4 * dims.length. */
  headerLength: number;
  /** Data bytes the header promises: the product of dims (may exceed 2^53 for a lying header; then > any file). */
  dataBytes: number;
}

/**
 * Reads and checks an IDX header from the first bytes of a file (the whole file, or the start of a gzip
 * stream). Returns null when bytes is too short to hold the whole header yet.
 */
export function readIdxHeader(bytes: Uint8Array, what = 'IDX file'): IdxHeader | null {
  if (bytes.length >= 2 && (bytes[0] !== 0 || bytes[1] !== 0)) throw new DataError(`${what}: not an IDX file (bad magic number)`);
  if (bytes.length < 4) return null;
  if (bytes[2] !== UBYTE) {
    throw new DataError(`${what}: IDX element type 0x${bytes[2]!.toString(16).padStart(2, '0')} is not supported (only unsigned bytes, 0x08)`);
  }
  const ndims = bytes[3]!;
  if (ndims < 1 || ndims > 4) throw new DataError(`${what}: IDX file with ${ndims} dimensions is not supported (1 to 4)`);
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let dataBytes = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    dataBytes *= d;
  }
  return { dims, headerLength, dataBytes };
}

export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxArray {
  if (bytes.length < 4) throw new DataError(`${what}: too short for an IDX header (${bytes.length} bytes)`);
  const header = readIdxHeader(bytes, what);
  if (!header) throw new DataError(`${what}: truncated IDX header (${bytes.length} bytes)`);
  const { dims, headerLength, dataBytes } = header;
  const present = bytes.length - headerLength;
  if (dataBytes !== present) {
    throw new DataError(
      `${what}: header says ${dims.join('x')} = ${dataBytes} bytes of data, the file holds ${present}` +
        (dataBytes > present ? ' (truncated?)' : ' (trailing bytes)'),
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Encodes an IDX unsigned-byte array (for tests and for writing subsets). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
