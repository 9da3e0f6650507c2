/**
 * The reglab file container (model files and checkpoints):
 *
 *   offset 0   8 bytes   magic "REGLAB\r\n" (0x52 0x45 0x47 0x4c 0x41 0x42 0x0d 0x0a)
 *   offset 8   u32 LE    container version (1)
 *   offset 12  u32 LE    header length H in bytes
 *   offset 16  H bytes   header: UTF-8 JSON object (never evaluated: JSON.parse only)
 *   then       P bytes   payload: raw little-endian numbers, P = header.payloadBytes
 *
 * header.payloadCrc32 is the CRC-32 of the payload. Every length is checked against the file's size before
 * anything is allocated, so a lying header cannot make the reader allocate more than the file holds.
 */
import { ModelFileError, show } from '../errors.js';
import { crc32 } from './crc32.js';

export const MAGIC = new Uint8Array([0x52, 0x45, 0x47, 0x4c, 0x41, 0x42, 0x0d, 0x0a]);
export const CONTAINER_VERSION = 1;
const PREFIX = 16;
/** Headers are small (architecture, settings, history); anything bigger is not ours. */
const MAX_HEADER_BYTES = 64 << 20;

export interface ContainerHeader {
  /** 'reglab-model' or 'reglab-checkpoint'. */
  format: string;
  payloadBytes: number;
  payloadCrc32: number;
  [key: string]: unknown;
}

export function encodeContainer(header: Omit<ContainerHeader, 'payloadBytes' | 'payloadCrc32'>, payload: Uint8Array): Uint8Array {
  const full = { ...header, payloadBytes: payload.length, payloadCrc32: crc32(payload) };
  const json = new TextEncoder().encode(JSON.stringify(full));
  const out = new Uint8Array(PREFIX + json.length + payload.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CONTAINER_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREFIX);
  out.set(payload, PREFIX + json.length);
  return out;
}

export function decodeContainer(bytes: Uint8Array, what: string, format: string): { header: ContainerHeader; payload: Uint8Array } {
  if (bytes.length < PREFIX) throw new ModelFileError(`${what}: too short to be a reglab file (${bytes.length} bytes)`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new ModelFileError(`${what}: not a reglab file (bad magic bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CONTAINER_VERSION) {
    throw new ModelFileError(`${what}: file format version ${version} is not supported (this reglab reads version ${CONTAINER_VERSION})`);
  }
  const headerLength = view.getUint32(12, true);
  if (headerLength > MAX_HEADER_BYTES || PREFIX + headerLength > bytes.length) {
    throw new ModelFileError(`${what}: truncated (header of ${headerLength} bytes, file of ${bytes.length})`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)));
  } catch {
    throw new ModelFileError(`${what}: corrupted header (not valid JSON)`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new ModelFileError(`${what}: corrupted header`);
  const h = header as ContainerHeader;
  if (typeof h.format !== 'string') throw new ModelFileError(`${what}: corrupted header (no format name)`);
  if (h.format !== format) throw new ModelFileError(`${what}: a ${show(h.format)} file, not a ${format} file`);
  if (!Number.isInteger(h.payloadBytes) || h.payloadBytes < 0 || !Number.isInteger(h.payloadCrc32)) {
    throw new ModelFileError(`${what}: corrupted header (payload size or checksum)`);
  }
  const present = bytes.length - PREFIX - headerLength;
  if (present !== h.payloadBytes) {
    throw new ModelFileError(`${what}: ${present < h.payloadBytes ? 'truncated' : 'trailing bytes'}: header says ${h.payloadBytes} payload bytes, file holds ${present}`);
  }
  const payload = bytes.subarray(PREFIX + headerLength);
  if (crc32(payload) !== h.payloadCrc32) throw new ModelFileError(`${what}: corrupted (payload checksum mismatch)`);
  return { header: h, payload };
}
