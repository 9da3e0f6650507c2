/**
 * Pinned runs as JSON: what the lab keeps in local storage and exports as one file, and the check that turns
 * such a file back into runs. A file (or a stored value) is untrusted: every field is checked for its type
 * and range before anything is built from it, sizes before anything is allocated, and the first problem is
 * reported in one line. Pure: no DOM, no storage.
 */
import { DataError, ReglabError, show } from '../errors.js';
import { validateModelSpec, type ModelSpec } from '../nn/model.js';
import { METRIC_NAMES, type EpochLogs } from '../train/callbacks.js';
import { parseLabConfig, type LabConfig } from './config.js';

export const RUNS_FORMAT = 'reglab-lab-runs';
export const RUNS_VERSION = 1;
/** Limits on what a file may hold: runs, epochs per run, parameters per model, characters of a name. */
export const RUNS_LIMITS = Object.freeze({ runs: 50, epochs: 10000, params: 4_000_000, name: 120 });

export interface SavedRun {
  name: string;
  config: LabConfig;
  history: EpochLogs[];
  /** The epoch early stopping kept (0 or absent: it did not run). */
  earlyStoppingEpoch?: number;
  stopReason: string;
  /** The model and its final weights (absent when they did not fit the storage). */
  spec?: ModelSpec;
  weights?: Float32Array;
}

export class RunsFileError extends DataError {
  override name = 'RunsFileError';
}

export function encodeRuns(runs: readonly SavedRun[]): string {
  return JSON.stringify({
    format: RUNS_FORMAT,
    version: RUNS_VERSION,
    runs: runs.map((r) => ({ ...r, ...(r.weights ? { weights: base64OfFloats(r.weights) } : {}) })),
  });
}

/** The runs of a file's text; throws RunsFileError naming the first problem. */
export function decodeRuns(text: string): SavedRun[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RunsFileError('not a reglab runs file: it is not JSON');
  }
  if (!isObject(doc) || doc['format'] !== RUNS_FORMAT) throw new RunsFileError(`not a reglab runs file (format should be "${RUNS_FORMAT}")`);
  if (doc['version'] !== RUNS_VERSION) throw new RunsFileError(`runs file version ${show(doc['version'])} is not supported (this lab reads version ${RUNS_VERSION})`);
  const runs = doc['runs'];
  if (!Array.isArray(runs)) throw new RunsFileError('runs file: "runs" must be a list');
  if (runs.length > RUNS_LIMITS.runs) throw new RunsFileError(`runs file: ${runs.length} runs, at most ${RUNS_LIMITS.runs}`);
  return runs.map((r, i) => {
    try {
      return decodeRun(r);
    } catch (e) {
      if (e instanceof ReglabError) throw new RunsFileError(`runs file, run ${i + 1}: ${e.message}`);
      throw e;
    }
  });
}

function decodeRun(r: unknown): SavedRun {
  if (!isObject(r)) throw new RunsFileError('must be an object');
  const name = r['name'];
  if (typeof name !== 'string' || name.length === 0 || name.length > RUNS_LIMITS.name) throw new RunsFileError(`name must be text of 1 to ${RUNS_LIMITS.name} characters`);
  if (!isObject(r['config'])) throw new RunsFileError('config must be an object');
  const config = parseLabConfig(r['config']);
  const history = decodeHistory(r['history']);
  const stopReason = r['stopReason'] ?? 'completed';
  if (typeof stopReason !== 'string' || stopReason.length > 40) throw new RunsFileError(`stopReason must be a short text, got ${show(stopReason)}`);
  const out: SavedRun = { name, config, history, stopReason };
  const es = r['earlyStoppingEpoch'];
  if (es !== undefined && es !== 0) {
    if (!Number.isInteger(es) || (es as number) < 1 || (es as number) > history.length) throw new RunsFileError(`earlyStoppingEpoch must be an epoch of the run, got ${show(es)}`);
    out.earlyStoppingEpoch = es as number;
  }
  if (r['spec'] === undefined && r['weights'] === undefined) return out;
  const spec = r['spec'] as ModelSpec;
  validateModelSpec(spec);
  const count = paramCount(spec);
  if (typeof r['weights'] !== 'string') throw new RunsFileError('weights must be base64 text');
  if (r['weights'].length !== 4 * Math.ceil((4 * count) / 3)) throw new RunsFileError(`weights: the model has ${count} parameters, the file holds a different number`);
  const weights = floatsOfBase64(r['weights']);
  if (weights.some((w) => !Number.isFinite(w))) throw new RunsFileError('weights: not every weight is a finite number');
  out.spec = spec;
  out.weights = weights;
  return out;
}

function decodeHistory(h: unknown): EpochLogs[] {
  if (!Array.isArray(h) || h.length > RUNS_LIMITS.epochs) throw new RunsFileError(`history must be a list of at most ${RUNS_LIMITS.epochs} epochs`);
  return h.map((e, i) => {
    if (!isObject(e)) throw new RunsFileError(`history epoch ${i + 1} must be an object`);
    if (e['epoch'] !== i + 1) throw new RunsFileError(`history: epoch ${i + 1} is numbered ${show(e['epoch'])}`);
    const logs: Record<string, number> = { epoch: i + 1, seconds: 0 };
    for (const k of METRIC_NAMES) {
      const v = e[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (k.endsWith('Acc') && v > 1)) throw new RunsFileError(`history epoch ${i + 1}: ${k} ${show(v)} is not a valid value`);
      logs[k] = v;
    }
    if (logs['trainLoss'] === undefined || logs['trainAcc'] === undefined) throw new RunsFileError(`history epoch ${i + 1}: trainLoss and trainAcc are required`);
    if (typeof e['seconds'] === 'number' && Number.isFinite(e['seconds']) && e['seconds'] >= 0) logs['seconds'] = e['seconds'];
    return logs as unknown as EpochLogs;
  });
}

/** The number of parameters a spec's model has, counted before anything is allocated (and capped). */
function paramCount(spec: ModelSpec): number {
  let width = spec.inputSize;
  let n = 0;
  for (const l of spec.layers) {
    if (l.type !== 'dense') continue;
    n += width * l.units + (l.bias ?? true ? l.units : 0);
    width = l.units;
    if (n > RUNS_LIMITS.params) throw new RunsFileError(`the model has more than ${RUNS_LIMITS.params} parameters`);
  }
  return n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function base64OfFloats(w: Float32Array): string {
  const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function floatsOfBase64(s: string): Float32Array {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new RunsFileError('weights are not valid base64');
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}
