/**
 * The lab page's entry: wires the form, the training worker, the curves, the weight pictures and the drawing
 * pad around the page's runs. The main thread only draws and reads one digit at a time: training never runs
 * here. window.reglabLab exposes the runs for scripts and tests.
 */
import type UPlot from 'uplot';
import { bestTestEpoch } from '../train/summary.js';
import { LAB_DEFAULTS, PRESETS, LabFieldError, type LabConfig } from './config.js';
import { LabCharts } from './charts.js';
import { LabForm } from './form.js';
import { DrawingPad } from './pad.js';
import { Predictor } from './predictor.js';
import { runLabel, type LabRun } from './run.js';
import { resetStatus, showBatchText, showStatus } from './status.js';
import { drawFirstLayer, type WeightView } from './weights.js';
import { TrainingClient, type WorkerEvent } from './worker-client.js';
import { markSelectedRow, renderCompareTable } from './compare-table.js';
import { confusion } from './confusion.js';
import { drawDropoutMask, drawHidden, renderConfusion } from './inside.js';
import { loadPinned, savedRun, storePinned } from './pinned-store.js';
import { decodeRuns, encodeRuns, type SavedRun } from './run-file.js';
import { Scrubber } from './scrubber.js';
import { LessonLink } from './lesson-link.js';
import { pct } from './status.js';

declare const uPlot: typeof UPlot;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const runs: LabRun[] = [];
/** What scripts and tests can read: window.reglabLab (runs, charts, the pad's last probabilities). */
const lab: { lastReading: number[] | null } & Record<string, unknown> = { lastReading: null };
(window as unknown as { reglabLab: unknown }).reglabLab = lab;
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
  classify: (digit) => {
    const r = predictor.read(digit);
    lab.lastReading = r?.probabilities ?? null;
    drawHidden($<HTMLCanvasElement>('hidden'), r?.hidden ?? null, $('hidden-note'));
    return r?.probabilities ?? null;
  },
});
const scrubber = new Scrubber({ box: $('scrub'), input: $<HTMLInputElement>('scrubber'), label: $('scrub-label'), marks: $('scrub-marks') });
/** Whether the scrubber follows the running run's newest epoch (until the user moves it back). */
let following = true;

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

/**
 * Shows a run at its end: its final (with early stopping: restored) weights, and the scrubber on its last
 * epoch. From the table itself (a name field focused), only the row's mark changes, not the rows.
 */
function selectRun(run: LabRun, fromTable = false): void {
  following = true;
  scrubber.show(run, run.history.length);
  charts.setMarker(null);
  if (run.latest) {
    showWeights(run, run.latest);
    inspect(run, Float32Array.from(run.latest), run.earlyStoppingEpoch && run.config.earlyStopping ? `the restored model (epoch ${run.earlyStoppingEpoch})` : 'the final model');
  }
  if (fromTable) markSelectedRow($<HTMLTableElement>('runs-table'), run);
  else renderRuns();
}

/** The scrubber moved: that epoch's weights, prediction, confusion matrix and a marker on the curves. */
function showEpoch(run: LabRun, epoch: number): void {
  following = run.status !== 'done' && epoch === run.history.length;
  charts.setMarker(epoch);
  const w = run.snapshots.get(epoch);
  if (!w) return;
  showWeights(run, w);
  inspect(run, w, `epoch ${epoch}`);
}

let inspectTimer: ReturnType<typeof setTimeout> | null = null;
let inspectToken = 0;
/** The test set's confusion matrix by these weights (computed in the worker; the newest request wins). */
function inspect(run: LabRun, weights: Float32Array, what: string): void {
  if (!run.spec) return;
  const spec = run.spec;
  const token = ++inspectToken;
  if (inspectTimer) clearTimeout(inspectTimer);
  inspectTimer = setTimeout(() => {
    void worker.predictTest(spec, weights, run.config.testSize).then(({ predicted, labels }) => {
      if (token !== inspectToken) return;
      const c = confusion(predicted, labels, 10);
      renderConfusion({ table: $<HTMLTableElement>('confusion'), perClass: $('per-class'), examples: $('examples'), images: (i) => worker.testImages(i) }, c, predicted, labels);
      $('inside-note').textContent = `(${run.name}, ${what}: ${predicted.length} test images)`;
      $('confusion').dataset['epoch'] = what;
    });
  }, 120);
}

function renderRuns(): void {
  renderCompareTable($<HTMLTableElement>('runs-table'), runs, scrubber.selected, {
    onPin: (run, pinned) => {
      run.pinned = pinned;
      keepPinned();
    },
    onRename: (run, name) => {
      run.name = name;
      redraw(true);
      scrubber.show(run === scrubber.selected ? run : scrubber.selected);
      keepPinned();
    },
    onSelect: (run) => scrubber.selected !== run && selectRun(run, true),
  });
}

function keepPinned(): void {
  const problem = storePinned(runs);
  if (problem) form.showMessage(problem);
}

/** A saved run (from storage or a file) back on the page, pinned. */
function addSaved(r: SavedRun): LabRun {
  const run: LabRun = { id: nextId++, name: r.name, config: r.config, history: r.history, status: 'done', stopReason: r.stopReason, snapshots: new Map(), pinned: true };
  if (r.earlyStoppingEpoch) run.earlyStoppingEpoch = r.earlyStoppingEpoch;
  const best = bestTestEpoch(r.history);
  if (best !== undefined) run.bestTestEpoch = best;
  if (r.spec && r.weights) {
    run.spec = r.spec;
    run.latest = Float64Array.from(r.weights);
  }
  runs.push(run);
  return run;
}

function exportPinned(): void {
  const pinned = runs.filter((r) => r.pinned && r.status === 'done');
  if (pinned.length === 0) return form.showMessage('pin a finished run first (the box at the start of its row)');
  const url = URL.createObjectURL(new Blob([encodeRuns(pinned.map(savedRun))], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'reglab-runs.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** At most this many bytes are read from a runs file. */
const MAX_RUNS_FILE = 64 * 1024 * 1024;

async function importFile(file: File): Promise<void> {
  if (file.size > MAX_RUNS_FILE) return form.showMessage(`runs file: ${file.size} bytes, at most ${MAX_RUNS_FILE}`);
  let saved: SavedRun[];
  try {
    saved = decodeRuns(await file.text());
  } catch (e) {
    return form.showMessage((e as Error).message);
  }
  form.clearMessage();
  const added = saved.map(addSaved);
  redraw(true);
  keepPinned();
  if (added.length) selectRun(added[added.length - 1]!);
  else renderRuns();
}

/** The live region: screen readers hear the epoch and test accuracy as they come. */
function announce(text: string): void {
  $('announce').textContent = text;
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
  following = true;
  charts.setMarker(null);
  scrubber.show(run);
  drawDropoutMask($<HTMLCanvasElement>('dropout-mask'), null, $('dropout-note'));
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
      $('data-status').textContent = `Real MNIST, trained in your browser (${m.backend} backend, ${m.threads} thread${m.threads === 1 ? '' : 's'}${m.isolated ? '' : ': the page is not cross-origin isolated'})`;
      break;
    case 'progress':
      if (!run) return;
      if (m.earlyStoppingEpoch) run.earlyStoppingEpoch = m.earlyStoppingEpoch; // the line moves as validation improves
      if (m.logs.length) {
        run.history.push(...m.logs);
        const best = bestTestEpoch(run.history);
        if (best !== undefined) run.bestTestEpoch = best;
        redraw();
        if (following) scrubber.show(run, run.history.length);
        else scrubber.show(run);
        const last = run.history.at(-1)!;
        announce(`Epoch ${last.epoch} of ${run.config.epochs}${last.testAcc === undefined ? '' : `: test accuracy ${pct(last.testAcc)}`}`);
      }
      showStatus(run, m.epoch, m.batch, m.batches, m.elapsed);
      break;
    case 'weights':
      if (!run) return;
      run.spec = m.spec;
      run.initial ??= Float64Array.from(m.weights);
      run.latest = m.weights;
      if (following || scrubber.selected !== run) showWeights(run, m.weights);
      break;
    case 'snapshot':
      run?.snapshots.set(m.epoch, m.weights);
      break;
    case 'dropout-mask':
      if (run === current) drawDropoutMask($<HTMLCanvasElement>('dropout-mask'), m.kept, $('dropout-note'), m.epoch, m.rate);
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
      current = null;
      setButtons();
      redraw(true);
      selectRun(run);
      renderRuns();
      announce(`Run finished${m.message ? `: ${m.message}` : ''}`);
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
  // Pinned runs stay (unpin them in the table to let them go).
  runs.splice(0, runs.length, ...runs.filter((r) => r === current || r.pinned));
  charts.showAll();
  redraw(true);
  if (scrubber.selected && !runs.includes(scrubber.selected)) scrubber.show(null);
  renderRuns();
});
scrubber.onMove = showEpoch;

// Lesson links: the state in the fragment, a link loaded sets the fields (and hides, and shows a task).
const link = new LessonLink(form, pace, $('task'));
form.onChange = () => link.write();
pace.addEventListener('change', () => link.write());
window.addEventListener('hashchange', () => link.load());
$('share-link').addEventListener('click', () => {
  link.write();
  const url = location.href;
  const note = $('share-note');
  navigator.clipboard?.writeText(url).then(
    () => (note.textContent = 'Link copied: it opens the lab with these settings.'),
    () => (note.textContent = `Copy this link: ${url}`),
  ) ?? (note.textContent = `Copy this link: ${url}`);
});
$('presenter').addEventListener('click', () => {
  const on = !document.body.classList.contains('presenter');
  document.body.classList.toggle('presenter', on);
  document.documentElement.classList.toggle('presenter', on);
  $('presenter').setAttribute('aria-pressed', String(on));
  redraw(true);
});

// The keyboard, for a room: Space train / pause, S stop, arrow keys move the scrubber (not while typing).
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || t.closest('input, select, textarea, button, summary, [contenteditable]')) return;
  if (e.key === ' ') {
    e.preventDefault();
    if (current) pauseOrResume();
    else train();
  } else if (e.key === 's' || e.key === 'S') {
    if (current) worker.stop();
  } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    e.preventDefault();
    scrubber.step(e.key === 'ArrowLeft' ? -1 : 1);
  }
});
$('export-runs').addEventListener('click', exportPinned);
const importInput = $<HTMLInputElement>('import-file');
$('import-runs').addEventListener('click', () => importInput.click());
importInput.addEventListener('change', () => {
  const f = importInput.files?.[0];
  importInput.value = '';
  if (f) void importFile(f);
});
{
  const { runs: stored, problem } = loadPinned();
  stored.forEach(addSaved);
  if (problem) form.showMessage(problem);
  if (runs.length) selectRun(runs[runs.length - 1]!);
}
for (const id of ['view-weights', 'view-change']) {
  $(id).addEventListener('change', () => shown?.latest && showWeights(shown, shown.latest));
}

if (link.load()) worker.pace(Number(pace.value));
redraw(true);
setButtons();
Object.assign(lab, { runs, defaults: LAB_DEFAULTS, presets: PRESETS, charts: charts.charts });
document.body.dataset['ready'] = 'true';
