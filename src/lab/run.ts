/** A run as the lab page holds it: its settings, its epochs so far, its weights and its epoch snapshots. */
import type { ModelSpec } from '../nn/model.js';
import type { EpochLogs } from '../train/callbacks.js';
import type { CurveRun } from '../viz/curves.js';
import type { LabConfig } from './config.js';

export interface LabRun extends CurveRun {
  /** Unique on the page (runs restored from storage or a file get fresh ids). */
  id: number;
  name: string;
  config: LabConfig;
  history: EpochLogs[];
  status: 'running' | 'paused' | 'done';
  stopReason?: string;
  message?: string;
  /** The model's own spec, as the worker sent it with the weights. */
  spec?: ModelSpec;
  /** The parameters before training (the first snapshot), for "what training changed". */
  initial?: Float64Array;
  /** The newest parameters (the final, or restored best, ones once done). */
  latest?: Float64Array;
  /** End-of-epoch weights by epoch (see snapshots.ts for which epochs are kept). */
  snapshots: Map<number, Float32Array>;
  /** Kept across reloads and exported. */
  pinned: boolean;
}

export function runLabel(c: Readonly<LabConfig>, index: number): string {
  const bits = [`${c.trainSize} imgs`, `h${c.hidden}`];
  if (c.batchSize > 1) bits.push(`b${c.batchSize}`);
  if (c.dropout > 0) bits.push(`dropout ${c.dropout}`);
  if (c.l2 > 0) bits.push(`L2 ${c.l2}`);
  if (c.earlyStopping) bits.push('early stop');
  return `#${index} ${bits.join(', ')}`;
}
