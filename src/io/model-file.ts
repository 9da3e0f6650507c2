/**
 * Model files (format 'reglab-model', version 1, in the container of container.ts). The header holds the
 * architecture (ModelSpec), dtype, parameter names and shapes, seed, training settings and history; the
 * payload holds every parameter in paramData order, float32 or float64 little-endian. A loaded model
 * evaluates exactly as the saved one (same dtype, same values). Pure bytes in/out: no file system here.
 */
import type { Backend, DType } from '../backend/backend.js';
import { ConfigError, ModelFileError, show } from '../errors.js';
import { Model, validateModelSpec, type ModelSpec } from '../nn/model.js';
import type { EpochLogs } from '../train/callbacks.js';
import { decodeContainer, encodeContainer } from './container.js';

export const MODEL_FORMAT = 'reglab-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelMeta {
  /** Settings the model was trained with (free-form, for people and reports). */
  training?: Record<string, unknown>;
  /** Per-epoch metrics. reglab train leaves out `seconds`, so the same seed and settings give the same bytes. */
  history?: (Omit<EpochLogs, 'seconds'> & { seconds?: number })[];
  /** Extra labelled facts, e.g. the data source. */
  [key: string]: unknown;
}

export interface ModelFileHeader {
  format: typeof MODEL_FORMAT;
  version: number;
  spec: ModelSpec;
  dtype: DType;
  seed: number;
  params: { name: string; shape: number[] }[];
  meta: ModelMeta;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeModel(model: Model, meta: ModelMeta = {}): Uint8Array {
  const dtype = model.backend.dtype;
  const data = dtype === 'float64' ? Float64Array.from(model.paramData) : Float32Array.from(model.paramData);
  if (!littleEndian) throw new Error('big-endian hosts are not supported');
  const header: Omit<ModelFileHeader, never> = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    spec: model.spec as ModelSpec,
    dtype,
    seed: model.seed,
    params: model.params.map((p) => ({ name: p.name, shape: [...p.shape] })),
    meta,
  };
  return encodeContainer(header, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export interface LoadedModel {
  model: Model;
  header: ModelFileHeader;
}

/**
 * Rebuilds a model from file bytes on the given backend. The backend's dtype must match the file's, so that
 * evaluation is exact (pass a backend of header.dtype; see peekModelDtype).
 */
export function decodeModel(bytes: Uint8Array, backend: Backend, what = 'model file'): LoadedModel {
  const { header, payload } = decodeContainer(bytes, what, MODEL_FORMAT);
  const h = header as unknown as ModelFileHeader;
  if (h.version !== MODEL_FORMAT_VERSION) throw new ModelFileError(`${what}: model format version ${show(h.version)} is not supported`);
  if (h.dtype !== 'float32' && h.dtype !== 'float64') throw new ModelFileError(`${what}: unknown dtype ${show(h.dtype)}`);
  if (h.dtype !== backend.dtype) throw new ModelFileError(`${what}: holds ${h.dtype} weights but the backend computes in ${backend.dtype}`);
  if (typeof h.spec !== 'object' || h.spec === null) throw new ModelFileError(`${what}: no architecture in the header`);
  if (!Number.isInteger(h.seed) || h.seed < 0 || h.seed > 0xffffffff) throw new ModelFileError(`${what}: bad seed in the header`);
  try {
    validateModelSpec(h.spec);
  } catch (e) {
    if (e instanceof ConfigError) throw new ModelFileError(`${what}: bad architecture: ${e.message}`);
    throw e;
  }
  // Size check before building anything: the parameter count follows from the architecture.
  const count = countParams(h.spec);
  const width = h.dtype === 'float64' ? 8 : 4;
  if (count * width !== payload.length) {
    throw new ModelFileError(`${what}: the architecture needs ${count} parameters (${count * width} bytes), the payload holds ${payload.length} bytes`);
  }
  const model = new Model(h.spec, { backend, seed: h.seed, skipInit: true });
  // JSON.stringify of parsed JSON is safe (no toString of file values is ever called).
  const names = JSON.stringify(model.params.map((p) => ({ name: p.name, shape: p.shape })));
  if (names !== JSON.stringify(h.params)) throw new ModelFileError(`${what}: parameter list does not match the architecture`);
  const aligned = payload.slice(); // copy: typed views need aligned offsets
  model.setWeights(width === 8 ? new Float64Array(aligned.buffer) : new Float32Array(aligned.buffer));
  for (let i = 0; i < model.paramData.length; i++) {
    if (!Number.isFinite(model.paramData[i]!)) throw new ModelFileError(`${what}: weight ${i} is not a finite number`);
  }
  return { model, header: h };
}

/** The dtype a model file was saved in (to pick the backend to load it on). */
export function peekModelDtype(bytes: Uint8Array, what = 'model file'): DType {
  const { header } = decodeContainer(bytes, what, MODEL_FORMAT);
  const dtype = (header as unknown as ModelFileHeader).dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ModelFileError(`${what}: unknown dtype ${show(dtype)}`);
  return dtype;
}

/** Parameters a spec needs, computed without allocating them. */
export function countParams(spec: ModelSpec): number {
  let width = spec.inputSize;
  let total = 0;
  for (const l of spec.layers) {
    if (l.type === 'dense') {
      total += width * l.units + ((l.bias ?? true) ? l.units : 0);
      width = l.units;
    }
  }
  return total;
}
