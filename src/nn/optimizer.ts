/**
 * The optimizer seam: what Model.trainStep and the Trainer call, whatever the update rule. An optimizer steps
 * a fixed list of parameters from their gradients and carries its own state (momentum, moments) from one step
 * to the next; getState()/setState() let a checkpoint resume it bit for bit. Sgd and Adam implement it;
 * createOptimizer (optimizers.ts) builds one by name.
 */
import type { PerExampleRule } from '../backend/per-example.js';
import { ConfigError } from '../errors.js';
import type { Param, PlainStepRate, RowSteps } from './layer.js';

/**
 * Everything an optimizer carries between steps, as float64 copies (exact for either dtype). A checkpoint
 * stores it; the optimizer that reads it back checks that it is its own (name) and that every buffer fits.
 */
export interface OptimizerState {
  /** The optimizer's name ('sgd', 'adam'): a state resumes only the kind of optimizer that wrote it. */
  readonly name: string;
  /** Steps taken so far (Adam's bias correction needs it). */
  readonly step: number;
  /**
   * Named lists of buffers, one buffer per parameter in the optimizer's order (SGD: velocity, only with
   * momentum; Adam: m and v). 'name' and 'step' are not buffer names (a checkpoint stores all three side by side).
   */
  readonly buffers: Readonly<Record<string, readonly Float64Array[]>>;
}

export interface Optimizer extends Partial<PlainStepRate>, Partial<RowSteps> {
  /** The name its state is stored under ('sgd', 'adam'). */
  readonly name: string;
  /** The parameters it steps, in the order of its state's buffers. */
  readonly params: readonly Param[];
  /**
   * Steps every parameter from its gradient, except those in `taken`: their layer already stepped them
   * (the fused step, Layer.backwardAndStep, which only an optimizer with plainStepRate() allows).
   */
  step(taken?: readonly Param[]): void;
  /**
   * Optional, for an optimizer that steps some rows lazily (rowStepper): brings every parameter and buffer up
   * to date. The trainer calls it at each epoch's end, before anything reads the weights; results depend on
   * where it is called (within rounding), so it is called only at such fixed points.
   */
  sync?(): void;
  /**
   * Optional, with rowStepper: p's values as they are now (rows brought up to date in a copy, nothing changed),
   * or null when p.value holds them.
   */
  current?(p: Param): Float64Array | null;
  /**
   * Optional: how a per-example step (Backend.perExampleSgd) steps p, bit for bit as step() would (with its
   * rows stepped lazily when rowsLazy and the optimizer steps p so), or null when it cannot. Without it, only an
   * optimizer with plainStepRate() takes the per-example step.
   */
  perExampleRule?(p: Param, rowsLazy: boolean): PerExampleRule | null;
  getState(): OptimizerState;
  /**
   * Optional, with rowStepper: called by the trainer after it has set the weights (as they are now) from a
   * state this optimizer's setState() restored: puts back the values of the rows that were behind as the
   * state stored them (their catch-up then continues from there, as in the run that wrote the state).
   */
  restoreRows?(): void;
  /** Restores getState()'s value; throws a ConfigError, changing nothing, when it is not this optimizer's or does not fit. */
  setState(state: OptimizerState): void;
  /** Gives its buffers back to the backend (Backend.free); the optimizer can no longer be used. */
  dispose(): void;
}

/** An optimizer's config with each setting it leaves out at its default. */
export function withDefaults<T extends object>(defaults: Readonly<Required<T>>, config: T): Required<T> {
  const c = { ...defaults } as Required<T>;
  for (const k of Object.keys(defaults) as (keyof T)[]) if (config[k] !== undefined) c[k] = config[k] as Required<T>[keyof T];
  return c;
}

/** The checks every optimizer's config shares: a positive learning rate, an L2 coefficient >= 0 (both finite). */
export function checkRateAndL2(c: { readonly lr: number; readonly l2: number }): void {
  if (!(Number.isFinite(c.lr) && c.lr > 0)) throw new ConfigError(`learning rate must be a positive number, got ${c.lr}`);
  if (!(Number.isFinite(c.l2) && c.l2 >= 0)) throw new ConfigError(`L2 weight decay must be a number >= 0, got ${c.l2}`);
}

/**
 * The check every optimizer's setState() makes of the buffers it expects: names, counts, sizes (one buffer per
 * parameter, of its length) and finite values. `what` names a buffer kind for people ('momentum buffer').
 */
export function checkOptimizerBuffers(
  state: OptimizerState,
  name: string,
  expected: Readonly<Record<string, { what: string; params: readonly Param[] }>>,
): void {
  if (state.name !== name) throw new ConfigError(`optimizer state: written by ${state.name}, this run uses ${name}`);
  for (const key of Object.keys(state.buffers)) {
    if (!Object.hasOwn(expected, key)) throw new ConfigError(`optimizer state: unknown buffers ${key} for ${name}`);
  }
  for (const [key, { what, params }] of Object.entries(expected)) {
    const list = Object.hasOwn(state.buffers, key) ? state.buffers[key]! : null;
    if (!list || list.length !== params.length) {
      throw new ConfigError(`optimizer state: expected ${params.length} ${what}s, got ${list ? list.length : 'none'}`);
    }
    list.forEach((b, i) => {
      if (!(b instanceof Float64Array) || b.length !== params[i]!.value.length) {
        throw new ConfigError(`optimizer state: ${what} ${i} does not fit parameter ${i} (${params[i]!.value.length} values)`);
      }
      if (!b.every(Number.isFinite)) throw new ConfigError(`optimizer state: ${what} ${i} holds a value that is not a finite number`);
    });
  }
  if (!(Number.isInteger(state.step) && state.step >= 0)) throw new ConfigError(`optimizer state: step count ${state.step} is not an integer >= 0`);
}
