/** reglab: the engine's public API. */
export { asBuffer, bufferFrom, view, type Backend, type DType, type FloatArray } from './backend/backend.js';
export { refBackend } from './backend/ref.js';
export { createBackend, defaultBackendName, BACKEND_NAMES, type BackendName, type BackendOptions } from './backend/create.js';
export { hasWasmSimd, hasRelaxedSimd, type WasmOptions } from './backend/wasm/load.js';
export type { WasmBackend } from './backend/wasm/backend.js';
export { Rng, type RngState } from './rng/mt19937.js';
export * from './errors.js';
export { parseIdx, encodeIdx, readIdxHeader, type IdxArray, type IdxHeader } from './data/idx.js';
export { imageSetFromIdx, makeDataset, sliceSet, pixelsOf, type Dataset, type ImageSet } from './data/dataset.js';
export type { Layer, LayerSpec, Mode, Param, ParamSpec, PlainStepRate, DenseInit, DropoutMaskDraw } from './nn/layer.js';
export { Dense } from './nn/dense.js';
export { Activation } from './nn/activations.js';
export { Dropout, drawDropoutMask } from './nn/dropout.js';
export { lossAndGrad, LOSS_NAMES, type LossName } from './nn/losses.js';
export { Sgd, SGD_DEFAULTS, resolveSgdConfig, type SgdConfig, type SgdState } from './nn/sgd.js';
export { Adam, ADAM_DEFAULTS, resolveAdamConfig, type AdamConfig, type AdamState } from './nn/adam.js';
export { checkOptimizerBuffers, type Optimizer, type OptimizerState } from './nn/optimizer.js';
export { createOptimizer, OPTIMIZER_NAMES, DEFAULT_OPTIMIZER, type OptimizerName, type OptimizerSettings } from './nn/optimizers.js';
export { Model, mlpSpec, validateModelSpec, type ModelSpec, type ModelOptions, type StepResult } from './nn/model.js';
export { evaluate, loadBatch, EVAL_CHUNK, type Evaluation } from './train/evaluate.js';
export { History, LambdaCallback, METRIC_NAMES, type Callback, type EpochLogs, type BatchInfo, type MetricName, type TrainingContext, type LoopConfig } from './train/callbacks.js';
export { EarlyStopping, EARLY_STOPPING_DEFAULTS, type EarlyStoppingConfig, type EarlyStoppingState } from './train/early-stopping.js';
export { Trainer, fit, FIT_DEFAULTS, type FitConfig, type FitResult, type StopReason, type EpochProgress, type TrainerState, type SliceResult } from './train/trainer.js';
export { bestTest, bestTestEpoch, summarize, type RunSummary, type SummarizedRun } from './train/summary.js';
export { encodeModel, decodeModel, peekModelDtype, countParams, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMeta, type ModelFileHeader, type LoadedModel } from './io/model-file.js';
export { crc32 } from './io/crc32.js';
export { encodeCheckpoint, decodeCheckpoint, restoreCheckpoint, diffSettings, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, type Checkpoint } from './io/checkpoint.js';
export { encodeState, decodeState, type EncodedState } from './io/state-codec.js';
export { decodeTrainerState, flattenTrainerState, type StateTarget } from './io/trainer-state.js';
export {
  RUN_DEFAULTS,
  resolveRunConfig,
  splitData,
  modelSpecFor,
  prepareRun,
  runToEnd,
  runExperiment,
  runSettings,
  type RunConfig,
  type RunResult,
  type PreparedRun,
  type Splits,
} from './experiments/run.js';
export {
  RUN_SETTINGS,
  validateRunConfig,
  parseSettingValue,
  checkSettingValue,
  settingByName,
  settingByFlag,
  settingValueOf,
  withRunDefaults,
  type RunSetting,
  type SettingKind,
  type SettingValue,
  type HelpGroup,
} from './experiments/settings.js';
export { CHAPTER8_EXPERIMENTS, CHAPTER8_BASE, runChapter8Experiment, type Chapter8Experiment, type Chapter8Result } from './experiments/chapter8.js';
export { ensembleVote, type EnsembleResult } from './experiments/ensemble.js';
export { trainCommandLine } from './experiments/command-line.js';
export {
  recordRun,
  recordExperimentRun,
  weightImages,
  weightChangeImages,
  confusionOf,
  type RunRecord,
  type RecordRunInput,
  type WeightImages,
  type MisclassifiedDigit,
} from './report/record.js';
export { renderReportHtml, type ReportAssets, type ReportOptions } from './report/html.js';
export { mnistDigit, mnistDigitFromLuminance, luminance, MNIST_SIDE, MNIST_BOX, MNIST_CENTRE } from './image/mnist-digit.js';
export { skipZerosBackend } from './backend/skip-zeros.js';
export { pyFloatStr, bookErr, bookAcc } from './book/pyfloat.js';
export { BookNet, BOOK_QUIRKS, FIXED_QUIRKS, type BookQuirks, type BookNetConfig } from './book/book-model.js';
export {
  BOOK_EXPERIMENTS,
  BOOK_EXPERIMENT_NAMES,
  formatBookLine,
  runBookExperiment,
  type BookExperiment,
  type BookExperimentName,
  type BookRow,
  type BookRunOptions,
  type BookSummary,
} from './book/experiments.js';
export { sweep, makeTrialSpecs, rankResults, sweepIdOf, type SweepOptions, type SweepResult } from './sweep/sweep.js';
export { parseSpace, parseSpaceJson, sampleTrials, spaceText, type SearchSpace, type SpaceEntry, type Domain, type Scale } from './sweep/space.js';
export { ashaDecision, ashaRungs, MemoryRungStore } from './sweep/asha.js';
export { runTrial, type TrialContext } from './sweep/trial.js';
export type { TrialSpec, TrialResult, TrialStatus, SchedulerConfig, RungStore, Executor, ParamValue } from './sweep/types.js';
export { renderSweepHtml, type SweepReport } from './report/sweep-html.js';
