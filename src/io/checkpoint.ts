/**
 * Checkpoint files (format 'reglab-checkpoint', version 1, in the container of container.ts): everything a
 * run needs to continue exactly where it stopped. The header holds the architecture, dtype, backend, seed,
 * the run's settings and the trainer's state as JSON; the state's buffers (weights, the weights divergence
 * falls back to, momentum, early stopping's best weights, the epoch's example order) are float32 (a float32
 * run's, exactly), float64 or int32 sections of the payload (see state-codec.ts), covered by the payload's
 * CRC-32. Pure bytes in/out.
 */
import type { DType } from '../backend/backend.js';
import { ConfigError, ModelFileError, ReglabError, show } from '../errors.js';
import { validateModelSpec, type ModelSpec } from '../nn/model.js';
import type { Trainer } from '../train/trainer.js';
import { decodeContainer, encodeContainer } from './container.js';
import { countParams } from './model-file.js';
import { decodeState, encodeState } from './state-codec.js';
import { decodeTrainerState, flattenTrainerState } from './trainer-state.js';

export const CHECKPOINT_FORMAT = 'reglab-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;

export interface Checkpoint {
  spec: ModelSpec;
  dtype: DType;
  /** The backend's name ('ref', 'wasm'): a run resumes on the arithmetic it started with. */
  backend: string;
  seed: number;
  /** The run's settings as plain JSON data (for reglab train: its RunConfig and the data's fingerprint). */
  settings: Record<string, unknown>;
  /** Trainer.getState() as stored (plain data); checked by decodeTrainerState when restored. */
  state: unknown;
}

export function encodeCheckpoint(trainer: Trainer, settings: Record<string, unknown>): Uint8Array {
  const model = trainer.model;
  // A float32 run's buffers hold float32 values: stored as float32 (exactly), half the bytes to checksum and write.
  const flat = flattenTrainerState(trainer.getState());
  const state = model.backend.dtype === 'float32' ? mapFloat64(flat, narrowIfExact) : flat;
  const { json, sections, payload } = encodeState(state);
  const plain = encodeState(settings);
  if (plain.sections.length > 0) throw new Error('checkpoint settings must be plain JSON data (no typed arrays)');
  return encodeContainer(
    {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_FORMAT_VERSION,
      spec: model.spec as ModelSpec,
      dtype: model.backend.dtype,
      backend: model.backend.name,
      seed: model.seed,
      settings: plain.json as Record<string, unknown>,
      sections,
      state: json,
    },
    payload,
  );
}

export function decodeCheckpoint(bytes: Uint8Array, what = 'checkpoint'): Checkpoint {
  const { header: h, payload } = decodeContainer(bytes, what, CHECKPOINT_FORMAT);
  if (h.version !== CHECKPOINT_FORMAT_VERSION) throw new ModelFileError(`${what}: checkpoint format version ${show(h.version)} is not supported (this reglab reads version ${CHECKPOINT_FORMAT_VERSION})`);
  if (h.dtype !== 'float32' && h.dtype !== 'float64') throw new ModelFileError(`${what}: unknown dtype ${show(h.dtype)}`);
  if (typeof h.backend !== 'string') throw new ModelFileError(`${what}: no backend name in the header`);
  if (!Number.isInteger(h.seed) || (h.seed as number) < 0 || (h.seed as number) > 0xffffffff) throw new ModelFileError(`${what}: bad seed in the header`);
  if (typeof h.spec !== 'object' || h.spec === null) throw new ModelFileError(`${what}: no architecture in the header`);
  try {
    validateModelSpec(h.spec as ModelSpec);
  } catch (e) {
    if (e instanceof ConfigError) throw new ModelFileError(`${what}: bad architecture: ${e.message}`);
    throw e;
  }
  const settings = decodeState(h.settings, [], new Uint8Array(0), what);
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new ModelFileError(`${what}: no settings in the header`);
  const state = mapFloat32(decodeState(h.state, h.sections, payload, what), (a) => Float64Array.from(a));
  const weights = (state as { weights?: unknown } | null)?.weights;
  const count = countParams(h.spec as ModelSpec);
  if (!(weights instanceof Float64Array) || weights.length !== count) {
    throw new ModelFileError(`${what}: the architecture needs ${count} weights, the checkpoint does not hold them`);
  }
  return {
    spec: h.spec as ModelSpec,
    dtype: h.dtype,
    backend: h.backend,
    seed: h.seed as number,
    settings: settings as Record<string, unknown>,
    state,
  };
}

function narrowIfExact(a: Float64Array): Float64Array | Float32Array {
  const f = Float32Array.from(a);
  for (let i = 0; i < a.length; i++) if (f[i] !== a[i]) return a;
  return f;
}

/** A copy of plain data with every Float64Array replaced by f(it). */
function mapFloat64(v: unknown, f: (a: Float64Array) => unknown): unknown {
  if (v instanceof Float64Array) return f(v);
  if (Array.isArray(v)) return v.map((x) => mapFloat64(x, f));
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapFloat64(x, f)]));
  return v;
}

/** Likewise for Float32Array (decoding: every float buffer of a state is float64 in memory). */
function mapFloat32(v: unknown, f: (a: Float32Array) => unknown): unknown {
  if (v instanceof Float32Array) return f(v);
  if (Array.isArray(v)) return v.map((x) => mapFloat32(x, f));
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
    // defineProperty: a key named __proto__ (from a hostile file) stays a plain key.
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: mapFloat32(x, f), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/**
 * Puts a checkpoint's state into a fresh trainer (built from the same settings). Anything that does not fit
 * (architecture, arithmetic, sizes, ranges) is a ModelFileError naming the file.
 */
export function restoreCheckpoint(trainer: Trainer, ck: Checkpoint, what = 'checkpoint'): void {
  const model = trainer.model;
  const misfit = (why: string): never => {
    throw new ModelFileError(`${what}: does not fit this run: ${why}`);
  };
  if (JSON.stringify(ck.spec) !== JSON.stringify(model.spec)) misfit('a different architecture');
  if (ck.dtype !== model.backend.dtype || ck.backend !== model.backend.name) {
    misfit(`written by the ${ck.backend} backend in ${ck.dtype}, this run computes with ${model.backend.name} in ${model.backend.dtype}`);
  }
  if (ck.seed !== model.seed) misfit(`seed ${ck.seed}, this run's is ${model.seed}`);
  try {
    trainer.setState(decodeTrainerState(ck.state, trainer));
  } catch (e) {
    if (e instanceof ReglabError) misfit(e.message);
    throw e;
  }
}

/**
 * The dotted names of the settings that differ between two settings objects (nested plain objects are
 * compared key by key; anything else as canonical JSON). [] when they agree.
 */
export function diffSettings(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (isObj(x) && isObj(y)) out.push(...diffSettings(x, y, `${prefix}${k}.`));
    else if (JSON.stringify(x ?? null) !== JSON.stringify(y ?? null)) out.push(prefix + k);
  }
  return out;
}
