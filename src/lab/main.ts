/**
 * The lab page: builds the form from the config's fields, sends runs to the training worker, draws the
 * curves (every run kept overlaid), the weight pictures and the drawing pad's prediction. The main thread
 * only draws and predicts one digit: training never runs here. window.reglabLab exposes the runs for
 * scripts and tests.
 */
import type UPlot from 'uplot';
import { Model } from '../nn/model.js';
import type { EpochLogs } from '../train/callbacks.js';
import { curveData, curveLegend, curveOptions, setRunVisible, type CurveRun, type Quantity } from '../viz/curves.js';
import { bestTestEpoch } from '../train/summary.js';
import { drawWeightGrid } from '../viz/images.js';
import { DrawingPad } from './pad.js';
import { refBackend } from '../backend/ref.js';
import { LAB_DEFAULTS, LAB_FIELDS, PRESETS, labCommandLine, labModelSpec, parseLabConfig, LabFieldError, type LabConfig } from './config.js';
import type { FromWorker, ToWorker } from './protocol.js';

declare const uPlot: typeof UPlot;

interface LiveRun extends CurveRun {
  id: number;
  /** The parameters before training (the first snapshot), for "what training changed". */
  initial?: Float64Array;
  latest?: Float64Array;
  name: string;
  config: LabConfig;
  history: EpochLogs[];
  status: 'running' | 'paused' | 'done';
  stopReason?: string;
  message?: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const runs: LiveRun[] = [];
let current: LiveRun | null = null;
let predictor: Model | null = null;
let predictorRun = -1;
let nextId = 1;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

// ---- the form ----------------------------------------------------------------------------------------

const form = $<HTMLFormElement>('knobs');
const FIELD_ORDER = Object.keys(LAB_FIELDS) as (keyof LabConfig)[];
/** What a choice's options say where the word alone would not. */
const CHOICE_TEXT: Readonly<Record<string, string>> = { ce: 'cross-entropy', mse: 'squared error (book)' };

function buildForm(): void {
  const more = document.createElement('details');
  more.append(Object.assign(document.createElement('summary'), { textContent: 'More settings' }), document.createElement('div'));
  for (const key of FIELD_ORDER) {
    const rule = LAB_FIELDS[key];
    const label = document.createElement('label');
    let input: HTMLInputElement | HTMLSelectElement;
    if (rule.kind === 'bool') {
      label.className = 'check';
      input = document.createElement('input');
      input.type = 'checkbox';
      label.append(input, rule.label);
    } else if (rule.kind === 'choice') {
      input = document.createElement('select');
      for (const v of rule.choices!) input.append(new Option(CHOICE_TEXT[v] ?? v, v));
      label.append(rule.label, input);
    } else {
      input = document.createElement('input');
      input.type = 'text';
      input.inputMode = rule.kind === 'int' ? 'numeric' : rule.kind === 'number' ? 'decimal' : 'text';
      label.append(rule.label, input);
    }
    input.name = key;
    input.dataset['testid'] = `field-${key}`;
    if (rule.kind !== 'bool') label.title = rule.doc; // a bool's doc line is its CLI switch's
    (rule.more ? more.lastElementChild! : form).append(label);
  }
  form.append(more);
  const enter = document.createElement('button');
  enter.type = 'submit';
  enter.hidden = true; // lets Enter in a field submit the form
  form.append(enter);
  const select = $<HTMLSelectElement>('preset');
  for (const p of PRESETS) select.append(new Option(p.name, p.id));
  select.addEventListener('change', () => applyPreset(select.value));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    $('train').click(); // Enter in a field starts a run
  });
  form.addEventListener('input', () => {
    clearMessage();
    showCommand();
  });
  applyPreset(PRESETS[0]!.id);
}

function applyPreset(id: string): void {
  const p = PRESETS.find((x) => x.id === id) ?? PRESETS[0]!;
  $('lesson').textContent = p.lesson;
  setForm(p.config);
  clearMessage();
  showCommand();
}

/** The same run on the command line (same seed and settings: the same numbers). */
function showCommand(): void {
  let text: string;
  try {
    text = labCommandLine(readForm());
  } catch {
    text = '(fix the settings first)';
  }
  $('cli-command').textContent = text;
}

function setForm(c: Readonly<LabConfig>): void {
  for (const key of FIELD_ORDER) {
    const input = form.elements.namedItem(key) as HTMLInputElement | HTMLSelectElement;
    if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = Boolean(c[key]);
    else input.value = String(c[key]);
  }
}

function readForm(): LabConfig {
  const raw: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) {
    const input = form.elements.namedItem(key) as HTMLInputElement | HTMLSelectElement;
    raw[key] = input instanceof HTMLInputElement && input.type === 'checkbox' ? input.checked : input.value;
  }
  return parseLabConfig(raw);
}

function showMessage(text: string, field?: string): void {
  const m = $('message');
  m.textContent = text;
  m.hidden = false;
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  if (field) {
    const input = form.elements.namedItem(field) as HTMLElement | null;
    input?.setAttribute('aria-invalid', 'true');
    input?.focus();
  }
}

function clearMessage(): void {
  $('message').hidden = true;
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

// ---- buttons ------------------------------------------------------------------------------------------

function setButtons(): void {
  const running = current !== null;
  $<HTMLButtonElement>('train').disabled = running;
  $<HTMLButtonElement>('pause').disabled = !running;
  $<HTMLButtonElement>('stop').disabled = !running;
  $<HTMLButtonElement>('pause').textContent = current?.status === 'paused' ? 'Resume' : 'Pause';
  form.querySelectorAll('input, select').forEach((el) => ((el as HTMLInputElement).disabled = running));
  $<HTMLSelectElement>('preset').disabled = running;
}

function runName(c: LabConfig): string {
  const bits = [`${c.trainSize} imgs`, `h${c.hidden}`];
  if (c.batchSize > 1) bits.push(`b${c.batchSize}`);
  if (c.dropout > 0) bits.push(`dropout ${c.dropout}`);
  if (c.l2 > 0) bits.push(`L2 ${c.l2}`);
  if (c.earlyStopping) bits.push('early stop');
  return `#${runs.length + 1} ${bits.join(', ')}`;
}

$('train').addEventListener('click', () => {
  let config: LabConfig;
  try {
    config = readForm();
  } catch (e) {
    if (e instanceof LabFieldError) return showMessage(e.message, e.field);
    throw e;
  }
  clearMessage();
  const run: LiveRun = { id: nextId++, name: '', config, history: [], status: 'running' };
  run.name = runName(config);
  runs.push(run);
  current = run;
  $('epoch').textContent = '0';
  $('epochs-total').textContent = ` / ${config.epochs}`;
  for (const id of ['train-acc', 'gap', 'elapsed']) $(id).textContent = '–';
  setTestAcc(undefined);
  setButtons();
  rebuildCharts();
  send({ type: 'start', runId: run.id, config });
});

$('pause').addEventListener('click', () => {
  if (!current) return;
  if (current.status === 'paused') {
    current.status = 'running';
    send({ type: 'resume' });
  } else send({ type: 'pause' });
  setButtons();
});

$('stop').addEventListener('click', () => current && send({ type: 'stop' }));

// Slow motion for a class: the worker waits between epochs (the numbers are the same at any pace).
const pace = $<HTMLSelectElement>('pace');
pace.addEventListener('change', () => send({ type: 'pace', msPerEpoch: Number(pace.value) }));

$('clear-runs').addEventListener('click', () => {
  const keep = current ? [current] : [];
  runs.splice(0, runs.length, ...keep);
  hiddenRuns.clear();
  rebuildCharts();
});

// ---- curves -------------------------------------------------------------------------------------------

const charts: Record<Quantity, UPlot | null> = { acc: null, loss: null };
/** Runs (by index) hidden with a click on the legend. */
const hiddenRuns = new Set<number>();
const signature: Record<Quantity, string> = { acc: '', loss: '' };

/** The page's base font size (it grows with the screen; the charts' text follows it). */
function rootFontPx(): number {
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
}

function chartSize(q: Quantity): { width: number; height: number } {
  const width = Math.max(420, $('curves').clientWidth);
  return { width, height: q === 'acc' ? Math.round(Math.min(460, Math.max(300, window.innerHeight * 0.42))) : 230 };
}

function drawChart(q: Quantity, force = false): void {
  const host = $(q === 'acc' ? 'curves' : 'loss-curves');
  const cd = curveData(runs, q);
  const sig = JSON.stringify(cd.columns) + runs.map((r) => r.name).join('|');
  if (!force && charts[q] && sig === signature[q]) {
    charts[q]!.setData(cd.data as UPlot.AlignedData);
    applyHidden(q, cd);
    return;
  }
  charts[q]?.destroy();
  host.replaceChildren();
  signature[q] = sig;
  const opts = curveOptions(uPlot, runs, q, cd, {
    ...chartSize(q),
    fontSize: Math.round(rootFontPx() * (q === 'acc' ? 0.95 : 0.85)),
    title: q === 'acc' ? 'Accuracy: train (dashed) vs test (solid); shaded = the gap' : 'Loss',
  });
  charts[q] = new uPlot(opts, cd.data as UPlot.AlignedData, host);
  applyHidden(q, cd);
  if (q === 'acc') {
    host.append(
      curveLegend(runs, Math.round(rootFontPx() * 0.9), (run, visible) => {
        if (visible) hiddenRuns.delete(run);
        else hiddenRuns.add(run);
        drawChart('acc', true);
        drawChart('loss', true);
      }, hiddenRuns),
    );
  }
}

function applyHidden(q: Quantity, cd: ReturnType<typeof curveData>): void {
  const u = charts[q];
  if (!u || hiddenRuns.size === 0) return;
  for (const run of hiddenRuns) if (run < runs.length) setRunVisible(u, runs, cd, run, false);
}

function rebuildCharts(): void {
  drawChart('acc', true);
  drawChart('loss', true);
}

window.addEventListener('resize', () => {
  for (const q of ['acc', 'loss'] as const) charts[q]?.setSize(chartSize(q));
});

// ---- status -------------------------------------------------------------------------------------------

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

function setTestAcc(v: number | undefined): void {
  const el = $('test-acc');
  el.textContent = v === undefined ? '–' : pct(v);
  el.dataset['value'] = v === undefined ? '' : String(v);
}

function showStatus(run: LiveRun, epoch: number, batch: number, batches: number, elapsed: number): void {
  $('epoch').textContent = String(epoch);
  const last = run.history[run.history.length - 1];
  const lastTest = [...run.history].reverse().find((h) => h.testAcc !== undefined);
  if (last) $('train-acc').textContent = pct(last.trainAcc);
  if (lastTest) setTestAcc(lastTest.testAcc);
  if (last && lastTest) $('gap').textContent = `${((last.trainAcc - lastTest.testAcc!) * 100).toFixed(1)} pts`;
  $('elapsed').textContent = `${elapsed.toFixed(0)} s`;
  const f = batches ? batch / batches : 0;
  $('batch-fill').style.width = `${(f * 100).toFixed(1)}%`;
  $('batch-text').textContent = run.status === 'done' ? '' : `epoch ${epoch + 1}: batch ${batch} of ${batches}`;
}

// ---- weights and the drawing pad --------------------------------------------------------------------------

function useWeights(run: LiveRun, weights: Float64Array): void {
  if (!predictor || predictorRun !== run.id) {
    // One digit at a time on the page's thread: the reference backend needs no loading.
    predictor = new Model(labModelSpec(run.config), { backend: refBackend('float32'), seed: run.config.seed, skipInit: true });
    predictorRun = run.id;
  }
  run.initial ??= Float64Array.from(weights);
  run.latest = weights;
  predictor.setWeights(weights);
  drawWeights(run);
  pad.refresh();
}

/** The first layer as pictures: the weights themselves, or what training has changed in them. */
function drawWeights(run: LiveRun): void {
  if (!run.latest || !run.initial) return;
  const units = run.config.hidden[0]!;
  const shown = Math.min(units, 64);
  const w = run.latest.subarray(0, 784 * units); // W1 [784, hidden] comes first in the parameters
  let pictures: ArrayLike<number> = w;
  if (weightView() === 'change') {
    const d = new Float64Array(w.length);
    for (let i = 0; i < d.length; i++) d[i] = w[i]! - run.initial[i]!;
    pictures = d;
  }
  drawWeightGrid($<HTMLCanvasElement>('weights'), pictures, units, shown, 28, 28, 8, 2);
  $('weights-note').textContent = shown < units ? `(${shown} of ${units} units)` : `(${units} units)`;
}

function weightView(): 'weights' | 'change' {
  return ($<HTMLInputElement>('view-change').checked ? 'change' : 'weights');
}

for (const id of ['view-weights', 'view-change']) {
  $(id).addEventListener('change', () => {
    const run = current ?? [...runs].reverse().find((r) => r.latest);
    if (run) drawWeights(run);
  });
}

const pad = new DrawingPad({
  canvas: $<HTMLCanvasElement>('draw'),
  seen: $<HTMLCanvasElement>('seen'),
  prediction: $('prediction'),
  probabilities: $('probs'),
  clear: $('clear-pad'),
  // The current model's outputs for a 28x28 input, or null before there is a model.
  classify: (digit) => {
    if (!predictor) return null;
    const x = predictor.inputBuffer(1);
    for (let i = 0; i < 784; i++) x[i] = digit[i]! / 255;
    return Array.from(predictor.predict(x, 1));
  },
});

// ---- the worker ---------------------------------------------------------------------------------------

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  const run = 'runId' in m ? runs.find((r) => r.id === m.runId) ?? (current?.id === m.runId ? current : undefined) : undefined;
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
        drawChart('acc');
        drawChart('loss');
      }
      showStatus(run, m.epoch, m.batch, m.batches, m.elapsed);
      break;
    case 'weights':
      if (run) useWeights(run, m.weights);
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
      if (m.earlyStoppingEpoch) run.earlyStoppingEpoch = m.earlyStoppingEpoch;
      useWeights(run, m.weights);
      current = null;
      setButtons();
      rebuildCharts();
      $('batch-text').textContent = m.message || (m.stopReason === 'completed' ? 'finished' : m.stopReason);
      if (m.stopReason === 'diverged') showMessage(m.message, 'lr');
      break;
    case 'error':
      if (current) {
        runs.splice(runs.indexOf(current), 1);
        current = null;
        setButtons();
        rebuildCharts();
      }
      showMessage(m.message, m.field);
      break;
  }
};
worker.onerror = (e) => showMessage(`the training worker failed: ${e.message}`);

buildForm();
rebuildCharts();
setButtons();
(window as unknown as { reglabLab: unknown }).reglabLab = { runs, defaults: LAB_DEFAULTS, presets: PRESETS, charts };
document.body.dataset['ready'] = 'true';
