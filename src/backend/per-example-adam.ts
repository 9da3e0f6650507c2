/**
 * Adam's rule for the per-example step (Backend.perExampleSgd): a parameter stepped by Adam (l2 = 0) with its
 * moments, and for the first layer's weight matrix its rows stepped lazily (nn/adam-rows.ts: each row's
 * pending step, its pixel, the block's ring of d vectors and the block's tables). The arithmetic is
 * assembly/per-example-adam.ts's; per-example-adam-ref.ts is it in JavaScript.
 */
import type { FloatArray } from './buffer.js';

export interface PerExampleAdamRule {
  readonly kind: 'adam';
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** The moments (the parameter's size). */
  readonly m: FloatArray;
  readonly v: FloatArray;
  /** The first layer's lazy rows, or null: stepped densely every step. */
  readonly rows: PerExampleAdamRows | null;
  /** The optimizer's step count before the next step. */
  now(): number;
}

/** The lazy rows' state, in the backend's memory (read and written in place by the stepper). */
export interface PerExampleAdamRows {
  /** Steps per block (rows are all brought up to date at each block's end: global steps that are multiples of it). */
  readonly block: number;
  /** Per row: the step whose gradient is pending (the row is current at the step before it). */
  readonly at: Float64Array;
  /** Per row: the pending step's pixel (0: no gradient). */
  readonly px: Float32Array;
  /** The block's d vectors of the first layer, block * outSize. */
  readonly ring: Float32Array;
  /** The tables of the block of steps T0 + 1 .. T0 + block (nn/adam-rows.ts: AdamTables), in the backend's memory. */
  tables(T0: number): Float64Array;
  /** Set by a stepper: how the optimizer brings every row up to date at step now (else it does it in JavaScript). */
  syncWith(sync: ((now: number) => void) | null): void;
}
