/** Stochastic gradient descent with optional momentum and L2 weight decay (on weights, not biases). */
import type { Backend, FloatArray } from '../backend/backend.js';
import { ConfigError } from '../errors.js';
import type { Param } from './layer.js';
import { checkOptimizerBuffers, type Optimizer, type OptimizerState } from './optimizer.js';

export interface SgdConfig {
  /** Learning rate (step size), > 0. Default 0.005, the chapter's per-example rate. */
  lr?: number;
  /** Momentum in [0, 1); 0 (the default) is plain SGD. */
  momentum?: number;
  /** L2 weight decay coefficient, >= 0: adds l2 * w to each weight's gradient. Default 0. */
  l2?: number;
}

export const SGD_DEFAULTS: Readonly<Required<SgdConfig>> = Object.freeze({ lr: 0.005, momentum: 0, l2: 0 });

export function resolveSgdConfig(config: SgdConfig = {}): Required<SgdConfig> {
  const c = {
    lr: config.lr ?? SGD_DEFAULTS.lr,
    momentum: config.momentum ?? SGD_DEFAULTS.momentum,
    l2: config.l2 ?? SGD_DEFAULTS.l2,
  };
  if (!(Number.isFinite(c.lr) && c.lr > 0)) throw new ConfigError(`learning rate must be a positive number, got ${c.lr}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) throw new ConfigError(`momentum must be in [0, 1), got ${c.momentum}`);
  if (!(Number.isFinite(c.l2) && c.l2 >= 0)) throw new ConfigError(`L2 weight decay must be a number >= 0, got ${c.l2}`);
  return c;
}

/** Sgd's state: buffers.velocity, one buffer per parameter with momentum, none without. */
export type SgdState = OptimizerState;

export class Sgd implements Optimizer {
  readonly name = 'sgd';
  readonly config: Readonly<Required<SgdConfig>>;
  /** Momentum buffers, one per parameter (empty without momentum). */
  readonly velocity: FloatArray[];
  private steps = 0;

  constructor(
    private readonly backend: Backend,
    readonly params: readonly Param[],
    config: SgdConfig = {},
  ) {
    this.config = resolveSgdConfig(config);
    this.velocity = this.config.momentum > 0 ? params.map((p) => backend.alloc(p.value.length)) : [];
  }

  /** Gives the momentum buffers back to the backend (Backend.free); the optimizer can no longer be used. */
  dispose(): void {
    for (const v of this.velocity) this.backend.free?.(v);
    this.velocity.length = 0;
  }

  /** The momentum buffers as float64 copies (exact for either dtype), for checkpoints. */
  getState(): SgdState {
    return { name: this.name, step: this.steps, buffers: { velocity: this.velocity.map((v) => Float64Array.from(v)) } };
  }

  /** Restores getState()'s buffers; their number and sizes must match this optimizer's. */
  setState(state: SgdState): void {
    checkOptimizerBuffers(state, this.name, { velocity: { what: 'momentum buffer', params: this.velocity.length > 0 ? this.params : [] } });
    state.buffers.velocity!.forEach((b, i) => this.velocity[i]!.set(b));
    this.steps = state.step;
  }

  /**
   * The learning rate when p is one of this optimizer's parameters and its step is plain SGD (no momentum, no
   * L2 on it): such a step needs nothing but the gradient, so a layer may take it as it computes the gradient
   * (Layer.backwardAndStep, Backend.denseSgdStep). Else null.
   */
  plainStepRate(p: Param): number | null {
    const { lr, momentum, l2 } = this.config;
    return momentum === 0 && (l2 === 0 || !p.decay) && this.params.includes(p) ? lr : null;
  }

  /** The former name of plainStepRate. */
  plainStepLr(p: Param): number | null {
    return this.plainStepRate(p);
  }

  /** Steps every parameter from its gradient, except those in `taken` (already stepped by their layer). */
  step(taken: readonly Param[] = []): void {
    const { lr, momentum, l2 } = this.config;
    this.steps++;
    this.params.forEach((p, i) => {
      if (taken.includes(p)) return;
      this.backend.sgdStep(p.value, p.grad, this.velocity[i] ?? null, lr, momentum, p.decay ? l2 : 0, p.value.length);
    });
  }
}
