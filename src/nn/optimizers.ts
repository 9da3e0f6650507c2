/**
 * Optimizers by name: the one place that knows which exist. The Trainer builds its optimizer here from a
 * run's flat settings; a new optimizer is one entry in OPTIMIZERS (and its file), nothing in Model or Trainer.
 */
import type { Backend } from '../backend/backend.js';
import { ConfigError, show } from '../errors.js';
import { Adam, type AdamConfig } from './adam.js';
import type { Param } from './layer.js';
import type { Optimizer } from './optimizer.js';
import { Sgd, type SgdConfig } from './sgd.js';

/**
 * Every optimizer's settings, flat (a run's settings hold them side by side): each optimizer reads its own.
 * sgd: lr (default 0.005), momentum, l2. adam: lr (default 0.001), beta1, beta2, eps, l2.
 */
export interface OptimizerSettings extends SgdConfig, AdamConfig {}

const OPTIMIZERS = {
  sgd: (backend: Backend, params: readonly Param[], s: OptimizerSettings): Optimizer => new Sgd(backend, params, s),
  adam: (backend: Backend, params: readonly Param[], s: OptimizerSettings): Optimizer => {
    if (s.momentum) throw new ConfigError(`momentum is a setting of sgd; adam has beta1 (got momentum ${s.momentum})`);
    return new Adam(backend, params, s);
  },
} as const;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.freeze(Object.keys(OPTIMIZERS)) as readonly OptimizerName[];
/** The optimizer a run uses when it names none. */
export const DEFAULT_OPTIMIZER: OptimizerName = 'sgd';

/** Builds the named optimizer over params; its settings are checked by its constructor (ConfigError). */
export function createOptimizer(name: OptimizerName, backend: Backend, params: readonly Param[], settings: OptimizerSettings = {}): Optimizer {
  if (!Object.hasOwn(OPTIMIZERS, name)) throw new ConfigError(`optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got ${show(name)}`);
  return OPTIMIZERS[name](backend, params, settings);
}
