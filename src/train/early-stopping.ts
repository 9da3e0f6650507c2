/**
 * Early stopping: watch a metric each epoch and stop once it has not improved by more than minDelta for
 * `patience` epochs. With restoreBestWeights (the default), the weights of the best epoch come back when
 * training ends, whatever ended it (this stop, the epoch budget, divergence or an interrupt).
 */
import { ConfigError, SettingError, show } from '../errors.js';
import { METRIC_NAMES, type Callback, type EpochLogs, type MetricName, type TrainingContext } from './callbacks.js';

export interface EarlyStoppingConfig {
  /** The metric watched. Default 'valLoss' (needs validation data). */
  monitor?: MetricName;
  /** An improvement must beat the best by more than this. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 5. */
  patience?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' (the default) picks from the metric's name. */
  mode?: 'auto' | 'min' | 'max';
  /** Epochs (1-based) before this one are not watched: a warm-up. Default 0. */
  startFromEpoch?: number;
  /** Bring back the best epoch's weights when training ends. Default true. */
  restoreBestWeights?: boolean;
}

export const EARLY_STOPPING_DEFAULTS: Readonly<Required<EarlyStoppingConfig>> = Object.freeze({
  monitor: 'valLoss',
  minDelta: 0,
  patience: 5,
  mode: 'auto',
  startFromEpoch: 0,
  restoreBestWeights: true,
});

/** What early stopping carries from epoch to epoch (for checkpoints). */
export interface EarlyStoppingState {
  best: number;
  bestEpoch: number;
  wait: number;
  stoppedEpoch: number;
  /** The best epoch's weights (float64 copy), or null before the first watched epoch or without restoring. */
  bestWeights: Float64Array | null;
}

export class EarlyStopping implements Callback {
  readonly config: Readonly<Required<EarlyStoppingConfig>>;
  private readonly sign: 1 | -1; // +1: lower is better
  /** Best monitored value so far (NaN before the first watched epoch). */
  best = NaN;
  /** 1-based epoch of the best value (0 before the first watched epoch). */
  bestEpoch = 0;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch at which this callback stopped training (0 if it did not). */
  stoppedEpoch = 0;
  /** Whether the best weights were put back at the end of training. */
  restored = false;
  private bestWeights: Float64Array | null = null;

  constructor(config: EarlyStoppingConfig = {}) {
    const c = { ...EARLY_STOPPING_DEFAULTS };
    for (const [k, v] of Object.entries(config)) {
      if (!(k in EARLY_STOPPING_DEFAULTS)) throw new SettingError(`earlyStopping.${k}`, `earlyStopping.${k} is not an early stopping setting (${Object.keys(EARLY_STOPPING_DEFAULTS).join(', ')})`);
      if (v !== undefined) (c as Record<string, unknown>)[k] = v;
    }
    const bad = (key: keyof EarlyStoppingConfig, why: string) => new SettingError(`earlyStopping.${key}`, `earlyStopping.${key} ${why}, got ${show(c[key])}`);
    if (!METRIC_NAMES.includes(c.monitor)) throw bad('monitor', `must be one of ${METRIC_NAMES.join(', ')}`);
    if (!(typeof c.minDelta === 'number' && Number.isFinite(c.minDelta) && c.minDelta >= 0)) throw bad('minDelta', 'must be a number >= 0');
    if (!(Number.isInteger(c.patience) && c.patience >= 0)) throw bad('patience', 'must be an integer >= 0');
    if (!['auto', 'min', 'max'].includes(c.mode)) throw bad('mode', 'must be auto, min or max');
    if (!(Number.isInteger(c.startFromEpoch) && c.startFromEpoch >= 0)) throw bad('startFromEpoch', 'must be an integer >= 0');
    if (typeof c.restoreBestWeights !== 'boolean') throw bad('restoreBestWeights', 'must be true or false');
    this.config = Object.freeze(c);
    const mode = c.mode === 'auto' ? (c.monitor.endsWith('Acc') ? 'max' : 'min') : c.mode;
    this.sign = mode === 'min' ? 1 : -1;
  }

  onTrainBegin(trainer: TrainingContext): void {
    const m = this.config.monitor;
    if (m.startsWith('val') && !trainer.hasValidation) {
      throw new SettingError('earlyStopping.monitor', `earlyStopping.monitor ${m} needs validation data (valSize > 0)`, ['valSize']);
    }
    if (m.startsWith('test') && !trainer.hasTest) throw new SettingError('earlyStopping.monitor', `earlyStopping.monitor ${m} needs test data (testSize > 0)`, ['testSize']);
  }

  /** Whether value improves on the best by more than minDelta. */
  private improves(value: number): boolean {
    if (Number.isNaN(this.best)) return true;
    return this.sign * (this.best - value) > this.config.minDelta;
  }

  onEpochEnd(logs: EpochLogs, trainer: TrainingContext): void {
    const value = logs[this.config.monitor];
    if (value === undefined || logs.epoch < this.config.startFromEpoch || !Number.isFinite(value)) return;
    if (this.improves(value)) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
      if (this.config.restoreBestWeights) this.bestWeights = trainer.model.getWeights();
      return;
    }
    this.wait++;
    if (this.wait >= this.config.patience) {
      this.stoppedEpoch = logs.epoch;
      trainer.stop('early-stopping', `early stopping at epoch ${logs.epoch}: ${this.config.monitor} has not improved since epoch ${this.bestEpoch}`);
    }
  }

  onTrainEnd(trainer: TrainingContext): void {
    if (this.config.restoreBestWeights && this.bestWeights) {
      trainer.model.setWeights(this.bestWeights);
      this.restored = true;
    }
  }

  getState(): EarlyStoppingState {
    return {
      best: this.best,
      bestEpoch: this.bestEpoch,
      wait: this.wait,
      stoppedEpoch: this.stoppedEpoch,
      bestWeights: this.bestWeights ? Float64Array.from(this.bestWeights) : null,
    };
  }

  /** Restores getState()'s values, checked first (they may come from a file): a bad state changes nothing. */
  setState(state: unknown, trainer?: TrainingContext): void {
    const bad = (why: string): never => {
      throw new ConfigError(`early stopping state: ${why}`);
    };
    if (typeof state !== 'object' || state === null) bad('not an object');
    const s = state as Record<string, unknown>;
    const count = (k: string) => {
      const v = s[k];
      if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e9)) bad(`${k} must be an integer >= 0`);
      return v as number;
    };
    const [bestEpoch, wait, stoppedEpoch] = [count('bestEpoch'), count('wait'), count('stoppedEpoch')];
    const best = s.best;
    if (typeof best !== 'number' || (!Number.isFinite(best) && !Number.isNaN(best))) bad('best must be a number');
    if (Number.isNaN(best) !== (bestEpoch === 0)) bad('best value and best epoch disagree');
    if (trainer && bestEpoch > trainer.epoch) bad(`best epoch ${bestEpoch} is after the last epoch (${trainer.epoch})`);
    const w = s.bestWeights;
    if (w !== null && !(w instanceof Float64Array)) bad('best weights must be numbers');
    if (w instanceof Float64Array) {
      if (!this.config.restoreBestWeights) bad('holds best weights, but restoreBestWeights is off');
      const n = trainer?.model.getWeights().length;
      if (n !== undefined && w.length !== n) bad(`${w.length} best weights for a model of ${n}`);
      if (!w.every(Number.isFinite)) bad('a best weight is not a finite number');
    } else if (this.config.restoreBestWeights && bestEpoch > 0) {
      bad('best weights are missing');
    }
    this.best = best as number;
    this.bestEpoch = bestEpoch;
    this.wait = wait;
    this.stoppedEpoch = stoppedEpoch;
    this.bestWeights = w instanceof Float64Array ? Float64Array.from(w) : null;
    this.restored = false;
  }
}
