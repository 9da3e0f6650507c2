/**
 * The lab page's entry: wires the form, the training worker, the curves, the weight pictures and the drawing
 * pad around the page's runs. The main thread only draws and reads one digit at a time: training never runs
 * here. window.reglabLab exposes the runs for scripts and tests.
 */
import type UPlot from 'uplot';
import { bestTestEpoch } from '../viz/curves.js';
import { LAB_DEFAULTS, PRESETS, LabFieldError, type LabConfig } from './config.js';
import { LabCharts } from './charts.js';
import { LabForm } from './form.js';
import { DrawingPad } from './pad.js';
import { Predictor } from './predictor.js';
import { runLabel, type LabRun } from './run.js';
import { resetStatus, showBatchText, showStatus } from './status.js';
import { drawFirstLayer, type WeightView } from './weights.js';
import { TrainingClient, type WorkerEvent } from './worker-client.js';

declare const uPlot: typeof UPlot;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const runs: LabRun[] = [];
let current: LabRun | null = null;
/** The run whose weights the pad and the pictures show. */
let shown: LabRun | null = null;
let nextId = 1;

const form = new LabForm({ form: $('knobs'), preset: $('preset'), lesson: $('lesson'), message: $('message'), command: $('cli-command') });
const charts = new LabCharts(uPlot, { acc: $('curves'), loss: $('loss-curves') });
const predictor = new Predictor();
const worker = new TrainingClient(new URL('./worker.js', import.meta.url), onWorker, (m) => form.showMessage(m));
const pad = new DrawingPad({
  canvas: $<HTMLCanvasElement>('draw'),
  seen: $<HTMLCanvasElement>('seen'),
  prediction: $('prediction'),
  probabilities: $('probs'),
  clear: $('clear-pad'),
  classify: (digit) => predictor.read(digit)?.probabilities ?? null,
});

function setButtons(): void {
  const running = current !== null;
  $<HTMLButtonElement>('train').disabled = running;
  $<HTMLButtonElement>('pause').disabled = !running;
  $<HTMLButtonElement>('stop').disabled = !running;
  $<HTMLButtonElement>('pause').textContent = current?.status === 'paused' ? 'Resume' : 'Pause';
  form.setDisabled(running);
}

function redraw(force = false): void {
  charts.update(runs, force);
}

function weightView(): WeightView {
  return $<HTMLInputElement>('view-change').checked ? 'change' : 'weights';
}

/** Shows a run's weights: the pictures and the pad's model. */
function showWeights(run: LabRun, weights: Float64Array | Float32Array): void {
  if (!run.spec) return;
  predictor.load(run.spec, weights);
  shown = run;
  $('weights-note').textContent = drawFirstLayer($<HTMLCanvasElement>('weights'), predictor, weights, run.initial, weightView());
  pad.refresh();
}

function train(): void {
  let config: LabConfig;
  try {
    config = form.read();
  } catch (e) {
    if (e instanceof LabFieldError) return form.showMessage(e.message, e.field);
    throw e;
  }
  form.clearMessage();
  const run: LabRun = { id: nextId++, name: runLabel(config, runs.length + 1), config, history: [], status: 'running', snapshots: new Map(), pinned: false };
  runs.push(run);
  current = run;
  resetStatus(config.epochs);
  setButtons();
  redraw(true);
  worker.start(run.id, config);
}

function pauseOrResume(): void {
  if (!current) return;
  if (current.status === 'paused') {
    current.status = 'running';
    worker.resume();
  } else worker.pause();
  setButtons();
}

function onWorker(m: WorkerEvent): void {
  const run = 'runId' in m ? runs.find((r) => r.id === m.runId) : undefined;
  switch (m.type) {
    case 'loading':
      $('data-status').textContent = m.total ? `Loading MNIST… ${((100 * m.loaded) / m.total).toFixed(0)}%` : 'Loading MNIST…';
      break;
    case 'ready':
      $('data-status').textContent = `Real MNIST, trained in your browser (${m.backend} backend)`;
      break;
    case 'progress':
      if (!run) return;
      if (m.earlyStoppingEpoch) run.earlyStoppingEpoch = m.earlyStoppingEpoch; // the line moves as validation improves
      if (m.logs.length) {
        run.history.push(...m.logs);
        const best = bestTestEpoch(run.history);
        if (best !== undefined) run.bestTestEpoch = best;
        redraw();
      }
      showStatus(run, m.epoch, m.batch, m.batches, m.elapsed);
      break;
    case 'weights':
      if (!run) return;
      run.spec = m.spec;
      run.initial ??= Float64Array.from(m.weights);
      run.latest = m.weights;
      showWeights(run, m.weights);
      break;
    case 'snapshot':
      run?.snapshots.set(m.epoch, m.weights);
      break;
    case 'paused':
      if (run) run.status = 'paused';
      setButtons();
      break;
    case 'done':
      if (!run) return;
      run.status = 'done';
      run.stopReason = m.stopReason;
      run.message = m.message;
      run.spec = m.spec;
      run.latest = m.weights;
      if (m.earlyStoppingEpoch) run.earlyStoppingEpoch = m.earlyStoppingEpoch;
      showWeights(run, m.weights);
      current = null;
      setButtons();
      redraw(true);
      showBatchText(m.message || (m.stopReason === 'completed' ? 'finished' : m.stopReason));
      if (m.stopReason === 'diverged') form.showMessage(m.message, 'lr');
      break;
    case 'error':
      if (current) {
        runs.splice(runs.indexOf(current), 1);
        current = null;
        setButtons();
        redraw(true);
      }
      form.showMessage(m.message, m.field);
      break;
  }
}

form.onSubmit = () => $('train').click(); // Enter in a field starts a run
$('train').addEventListener('click', train);
$('pause').addEventListener('click', pauseOrResume);
$('stop').addEventListener('click', () => current && worker.stop());
// Slow motion for a class: the worker waits between epochs (the numbers are the same at any pace).
const pace = $<HTMLSelectElement>('pace');
pace.addEventListener('change', () => worker.pace(Number(pace.value)));
$('clear-runs').addEventListener('click', () => {
  runs.splice(0, runs.length, ...runs.filter((r) => r === current));
  charts.showAll();
  redraw(true);
});
for (const id of ['view-weights', 'view-change']) {
  $(id).addEventListener('change', () => shown?.latest && showWeights(shown, shown.latest));
}

redraw(true);
setButtons();
(window as unknown as { reglabLab: unknown }).reglabLab = { runs, defaults: LAB_DEFAULTS, presets: PRESETS, charts: charts.charts };
document.body.dataset['ready'] = 'true';
